/** Retention: deleted people are anonymised 14 days after deletion (R-DEL-2), counted in the school's days. */
import type { LocalDate } from '../clock.js';
import { DEFAULT_TIME_ZONE, addLocalDays, localDayOf, localDaysBetween, type TimeZone } from '../zone.js';

/** Days from deletion to anonymisation (R-DEL-2). */
export const ANONYMISE_AFTER_DAYS = 14;

/** True when something deleted at `deletedAt` is due for anonymisation on `today` (the school's day, in its zone). */
export const dueForAnonymisation = (deletedAt: string | null, today: LocalDate, zone: TimeZone = DEFAULT_TIME_ZONE): boolean =>
  deletedAt !== null && localDaysBetween(localDayOf(deletedAt, zone), today) >= ANONYMISE_AFTER_DAYS;

/** The first school day on which something deleted at `deletedAt` is due for anonymisation. */
export const anonymisationDueOn = (deletedAt: string, zone: TimeZone = DEFAULT_TIME_ZONE): LocalDate => addLocalDays(localDayOf(deletedAt, zone), ANONYMISE_AFTER_DAYS);
