/**
 * Times as an office reads them: in the school's time zone, labelled (BST or GMT in England), one
 * module for every screen and command. The zone is a parameter (default Europe/London) so a
 * per-school setting can pass its own.
 */
import { format } from 'date-fns/format';
import { TZDate } from '@date-fns/tz';
import { DEFAULT_TIME_ZONE, formatLocalTime, localDayOf, zoneLabel as zoneLabelAt, type Instant, type LocalDate } from '@contactable/core';

/** The zone a school is in unless it says otherwise. */
export const DEFAULT_ZONE = DEFAULT_TIME_ZONE;

const iso = (at: Instant | number): Instant => (typeof at === 'number' ? new Date(at).toISOString() : at);

/** The zone's short name at that instant: "BST" or "GMT" for Europe/London ("CEST", "GMT+2"... elsewhere). */
export const zoneLabel = (at: Instant | number, zone: string = DEFAULT_ZONE): string => zoneLabelAt(iso(at), zone);

const zoned = (at: Instant | number, zone: string): TZDate => new TZDate(typeof at === 'number' ? at : Date.parse(at), zone);

/** "8 Sep 2026, 14:05 BST": an instant in the school's zone, labelled. */
export const formatInstant = (at: Instant | number, zone: string = DEFAULT_ZONE): string => formatLocalTime(iso(at), zone);

/** "14:05 BST": the time of day only. */
export const formatTimeOfDay = (at: Instant | number, zone: string = DEFAULT_ZONE): string => `${format(zoned(at, zone), 'HH:mm')} ${zoneLabel(at, zone)}`;

/** "8 Sep 2026": the school's calendar day of an instant. */
export const formatDayOf = (at: Instant | number, zone: string = DEFAULT_ZONE): string => format(zoned(at, zone), 'd MMM yyyy');

/** "Tue 8 Sep 2026": a calendar date (no zone: a date is already a day). */
export const formatLocalDate = (date: LocalDate): string => format(new Date(`${date}T12:00:00Z`), 'EEE d MMM yyyy');

/** The calendar date (YYYY-MM-DD) of an instant in the school's zone. */
export const localDateOf = (at: Instant | number, zone: string = DEFAULT_ZONE): LocalDate => localDayOf(iso(at), zone);

/**
 * The next instant (ms) strictly after `nowMs` at which the school's clocks read `HH:MM`. Across a
 * clock change the wall time is kept (02:00 stays 02:00 local); a time the clocks skip runs an hour later.
 */
export const nextTimeOfDay = (hhmm: string, nowMs: number, zone: string = DEFAULT_ZONE): number => {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(hhmm);
  if (m === null) throw new Error(`a time of day is HH:MM (got "${hhmm}")`);
  const now = zoned(nowMs, zone);
  for (let days = 0; days <= 2; days++) {
    const at = new TZDate(now.getFullYear(), now.getMonth(), now.getDate() + days, Number(m[1]), Number(m[2]), 0, 0, zone).getTime();
    if (at > nowMs) return at;
  }
  throw new Error('no next time of day found');
};

/** An instant as a form's date-and-time field shows it in the school's zone: "2026-09-08T14:05". */
export const toLocalInput = (at: Instant | number, zone: string = DEFAULT_ZONE): string => format(zoned(at, zone), "yyyy-MM-dd'T'HH:mm");

/** A date-and-time typed in the school's zone ("2026-09-08T14:05", to the end of that minute) as an instant, or null when malformed. */
export const fromLocalInput = (text: string, zone: string = DEFAULT_ZONE): Instant | null => {
  const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})$/.exec(text.trim());
  if (m === null) return null;
  const [y, mo, d, h, mi] = m.slice(1).map(Number) as [number, number, number, number, number];
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59) return null;
  return new Date(new TZDate(y, mo - 1, d, h, mi, 59, 999, zone).getTime()).toISOString();
};
