/**
 * School time: the school's days and clock times, in its time zone (Europe/London unless the
 * school says otherwise). Instants stay UTC in the log; everything an office counts by day or
 * reads as a time goes through here: the day an instant falls on, the instants a day starts and
 * ends at, day arithmetic, and labelled times ("8 Sep 2026, 09:31 BST"). Pure: date-fns and
 * @date-fns/tz over Node's own time-zone data.
 */
import { TZDate, tz } from '@date-fns/tz';
import { addDays as addDaysFns, differenceInCalendarDays, format, startOfDay } from 'date-fns';
import type { Instant, LocalDate } from './clock.js';

/** An IANA time zone name (e.g. Europe/London). */
export type TimeZone = string;

/** The zone of a school that has not chosen one. */
export const DEFAULT_TIME_ZONE: TimeZone = 'Europe/London';

const LOCAL_DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** True for a zone name Node's time-zone data knows (IANA names only, not offsets like +01:00). */
export const isTimeZone = (zone: string): boolean => {
  if (!/^[A-Za-z][A-Za-z0-9_+-]*(\/[A-Za-z0-9_+-]+)*$/.test(zone)) return false;
  try {
    new Intl.DateTimeFormat('en-GB', { timeZone: zone });
    return true;
  } catch {
    return false;
  }
};

/** True for a real calendar date written YYYY-MM-DD (no 30 February). */
export const isLocalDate = (s: string): boolean => {
  const m = LOCAL_DATE.exec(s);
  if (m === null) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  const back = new TZDate(y, mo - 1, d, 'UTC');
  return back.getFullYear() === y && back.getMonth() === mo - 1 && back.getDate() === d;
};

const parts = (day: LocalDate): [number, number, number] => {
  const m = LOCAL_DATE.exec(day);
  if (m === null) throw new RangeError(`not a date as YYYY-MM-DD: ${day}`);
  return [Number(m[1]), Number(m[2]) - 1, Number(m[3])];
};

const instantOf = (ms: number): Instant => new Date(ms).toISOString();

/** The school's calendar day an instant falls on (23:30 UTC on 1 July is 2 July in London). */
export const localDayOf = (at: Instant, zone: TimeZone = DEFAULT_TIME_ZONE): LocalDate => format(Date.parse(at), 'yyyy-MM-dd', { in: tz(zone) });

/** The instant a school day starts (local midnight; 23:00 UTC the day before in a London summer). */
export const startOfLocalDay = (day: LocalDate, zone: TimeZone = DEFAULT_TIME_ZONE): Instant => {
  const [y, m, d] = parts(day);
  return instantOf(startOfDay(new TZDate(y, m, d, zone)).getTime());
};

/** The last millisecond of a school day (the instant before the next day starts; days are 23 or 25 hours when the clocks change). */
export const endOfLocalDay = (day: LocalDate, zone: TimeZone = DEFAULT_TIME_ZONE): Instant =>
  instantOf(Date.parse(startOfLocalDay(addLocalDays(day, 1), zone)) - 1);

/** A calendar date `days` after (before, when negative) another. */
export const addLocalDays = (day: LocalDate, days: number): LocalDate => {
  const [y, m, d] = parts(day);
  return format(addDaysFns(new TZDate(y, m, d, 'UTC'), days), 'yyyy-MM-dd', { in: tz('UTC') });
};

/** Whole calendar days from one date to another (positive when `to` is later). */
export const localDaysBetween = (from: LocalDate, to: LocalDate): number => {
  const [fy, fm, fd] = parts(from);
  const [ty, tm, td] = parts(to);
  return differenceInCalendarDays(new TZDate(ty, tm, td, 'UTC'), new TZDate(fy, fm, fd, 'UTC'), { in: tz('UTC') });
};

// en-GB names the zones an English school knows: BST and GMT (en-US would say GMT+1).
const labelFormats = new Map<TimeZone, Intl.DateTimeFormat>();

/** The zone's short name at an instant: BST or GMT in London, CEST in Paris, GMT-4 where no short name exists. */
export const zoneLabel = (at: Instant, zone: TimeZone = DEFAULT_TIME_ZONE): string => {
  let f = labelFormats.get(zone);
  if (f === undefined) labelFormats.set(zone, (f = new Intl.DateTimeFormat('en-GB', { timeZone: zone, timeZoneName: 'short', hour: 'numeric' })));
  return f.formatToParts(Date.parse(at)).find((p) => p.type === 'timeZoneName')?.value ?? zone;
};

/** An instant's day as an office writes it: "8 Sep 2026". */
export const formatLocalDay = (at: Instant, zone: TimeZone = DEFAULT_TIME_ZONE): string => format(Date.parse(at), 'd MMM yyyy', { in: tz(zone) });

/** A calendar date as an office writes it: "8 Sep 2026". */
export const formatDate = (day: LocalDate): string => {
  const [y, m, d] = parts(day);
  return format(new TZDate(y, m, d, 'UTC'), 'd MMM yyyy', { in: tz('UTC') });
};

/** An instant's clock time in the zone, unlabelled: "09:31" (label it with zoneLabel when it stands alone). */
export const localClockTime = (at: Instant, zone: TimeZone = DEFAULT_TIME_ZONE): string => format(Date.parse(at), 'HH:mm', { in: tz(zone) });

/** An instant's clock time with its zone: "09:31 BST". */
export const formatLocalClock = (at: Instant, zone: TimeZone = DEFAULT_TIME_ZONE): string => `${localClockTime(at, zone)} ${zoneLabel(at, zone)}`;

/** An instant as an office reads it, labelled: "8 Sep 2026, 09:31 BST" (every screen and command writes times so). */
export const formatLocalTime = (at: Instant, zone: TimeZone = DEFAULT_TIME_ZONE): string => `${formatLocalDay(at, zone)}, ${formatLocalClock(at, zone)}`;
