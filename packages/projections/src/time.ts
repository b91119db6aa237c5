/**
 * Instants and dates as the projections show them: the school's days in its time zone (the core's
 * zone.ts), written for an office, times labelled with the zone ("09:00 BST").
 */
import { DEFAULT_TIME_ZONE, addLocalDays, formatLocalDay, localClockTime, localDayOf, zoneLabel, type Instant, type LocalDate, type TimeZone } from '@contactable/core';

/** Milliseconds since the epoch of an instant (stored instants may carry an offset, so never compare the strings). */
export const instantMs = (at: Instant): number => Date.parse(at);

/** The school's calendar day of an instant (Europe/London unless a zone is given). */
export const dayOf = (at: Instant, zone: TimeZone = DEFAULT_TIME_ZONE): LocalDate => localDayOf(at, zone);

/** A date `days` after (or before, when negative) another. */
export const addDays = (date: LocalDate, days: number): LocalDate => addLocalDays(date, days);

/** An instant's day as an office writes it, in the school's zone: "3 May 2026". */
export const formatDay = (at: Instant, zone: TimeZone = DEFAULT_TIME_ZONE): string => formatLocalDay(at, zone);

/** Several instants as one phrase: "2, 5 and 9 May 2026" within a month, "30 Apr 2026 and 2 May 2026"
 * across months, and with labelled times when some fall on the same day: "10:00, 12:00 and 14:00 BST on 8 Sep 2026". */
export const formatDays = (ats: ReadonlyArray<Instant>, zone: TimeZone = DEFAULT_TIME_ZONE): string => {
  const days = ats.map((at) => formatDay(at, zone));
  const and = (parts: ReadonlyArray<string>): string => (parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`);
  if (new Set(days).size < days.length) {
    const labels = ats.map((at) => zoneLabel(at, zone));
    const oneLabel = new Set(labels).size === 1;
    const time = (at: Instant, i: number): string => (oneLabel ? localClockTime(at, zone) : `${localClockTime(at, zone)} ${labels[i]}`);
    if (new Set(days).size === 1) return `${and(ats.map(time))}${oneLabel ? ` ${labels[0]}` : ''} on ${days[0]}`;
    return and(ats.map((at, i) => `${days[i]} ${localClockTime(at, zone)} ${labels[i]}`));
  }
  const sameMonth = days.every((d) => d.split(' ').slice(1).join(' ') === days[0]!.split(' ').slice(1).join(' '));
  return and(sameMonth ? days.map((d, i) => (i === days.length - 1 ? d : d.split(' ')[0]!)) : days);
};
