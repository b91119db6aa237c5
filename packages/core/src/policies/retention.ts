/** Retention: deleted people are anonymised 14 days after deletion (R-DEL-2). */
import type { LocalDate } from '../clock.js';
import { dateOf, daysBetween } from '../clock.js';
import { ANONYMISE_AFTER_DAYS } from '../deciders/contact.js';

/** True when something deleted at `deletedAt` is due for anonymisation on `today`. */
export const dueForAnonymisation = (deletedAt: string | null, today: LocalDate): boolean =>
  deletedAt !== null && daysBetween(dateOf(deletedAt), today) >= ANONYMISE_AFTER_DAYS;
