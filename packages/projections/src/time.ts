/** Instants and dates as the projections show them: UTC calendar days, written for an office. */
import type { Instant, LocalDate } from '@contactable/core';

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'] as const;

/** Milliseconds since the epoch of an instant (stored instants may carry an offset, so never compare the strings). */
export const instantMs = (at: Instant): number => Date.parse(at);

/** The UTC calendar date of an instant. */
export const dayOf = (at: Instant): LocalDate =>
  // Instants the core writes are UTC ("...Z"): their date is their first ten characters.
  at.length >= 20 && at.charCodeAt(10) === 84 /* T */ && at.charCodeAt(at.length - 1) === 90 /* Z */ ? at.slice(0, 10) : new Date(instantMs(at)).toISOString().slice(0, 10);

/** A date `days` after (or before, when negative) another. */
export const addDays = (date: LocalDate, days: number): LocalDate =>
  new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

/** An instant's day as an office writes it: "3 May 2026". */
export const formatDay = (at: Instant): string => {
  const d = new Date(instantMs(at));
  return `${d.getUTCDate()} ${MONTHS[d.getUTCMonth()]} ${d.getUTCFullYear()}`;
};

/** Several instants as one phrase: "2, 5 and 9 May 2026" within a month, "30 Apr 2026 and 2 May 2026"
 * across months, and with times when some fall on the same day: "09:00, 11:00 and 13:00 on 8 Sep 2026". */
export const formatDays = (ats: ReadonlyArray<Instant>): string => {
  const days = ats.map(formatDay);
  const and = (parts: ReadonlyArray<string>): string => (parts.length <= 1 ? (parts[0] ?? '') : `${parts.slice(0, -1).join(', ')} and ${parts[parts.length - 1]}`);
  if (new Set(days).size < days.length) {
    const time = (at: Instant): string => new Date(instantMs(at)).toISOString().slice(11, 16);
    if (new Set(days).size === 1) return `${and(ats.map(time))} on ${days[0]}`;
    return and(ats.map((at, i) => `${days[i]} ${time(at)}`));
  }
  const sameMonth = days.every((d) => d.split(' ').slice(1).join(' ') === days[0]!.split(' ').slice(1).join(' '));
  return and(sameMonth ? days.map((d, i) => (i === days.length - 1 ? d : d.split(' ')[0]!)) : days);
};
