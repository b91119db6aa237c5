/** Retention: deleted people are anonymised 14 days after deletion (R-DEL-2), counted in the school's days. */
import type { Instant, LocalDate } from '../clock.js';
import type { ContactId, MessageId } from '../ids.js';
import { DEFAULT_TIME_ZONE, addLocalDays, localDayOf, localDaysBetween, type TimeZone } from '../zone.js';

/** Days from deletion to anonymisation (R-DEL-2). */
export const ANONYMISE_AFTER_DAYS = 14;

/** True when something deleted at `deletedAt` is due for anonymisation on `today` (the school's day, in its zone). */
export const dueForAnonymisation = (deletedAt: string | null, today: LocalDate, zone: TimeZone = DEFAULT_TIME_ZONE): boolean =>
  deletedAt !== null && localDaysBetween(localDayOf(deletedAt, zone), today) >= ANONYMISE_AFTER_DAYS;

/** The first school day on which something deleted at `deletedAt` is due for anonymisation. */
export const anonymisationDueOn = (deletedAt: string, zone: TimeZone = DEFAULT_TIME_ZONE): LocalDate => addLocalDays(localDayOf(deletedAt, zone), ANONYMISE_AFTER_DAYS);

/** A message whose content is still held: when it was requested, its own rule (if any) and who it was sent to. */
export interface MessageRetentionCandidate {
  readonly messageId: MessageId;
  readonly requestedAt: Instant;
  /** Days to keep its content; null: the school's message retention. */
  readonly retentionDays: number | null;
  readonly recipients: ReadonlyArray<ContactId>;
}

/**
 * True when a message's content is due for erasure on `today` (the school's day, in its zone): its
 * retention (its own, else the school's) has run out, or every contact it was sent to has been
 * anonymised (then nobody it was about is left, and a body naming them must go with them).
 */
export const messageContentDue = (
  m: MessageRetentionCandidate,
  today: LocalDate,
  schoolDays: number,
  anonymisedContacts: ReadonlySet<ContactId>,
  zone: TimeZone = DEFAULT_TIME_ZONE,
): boolean =>
  localDaysBetween(localDayOf(m.requestedAt, zone), today) >= (m.retentionDays ?? schoolDays) ||
  (m.recipients.length > 0 && m.recipients.every((c) => anonymisedContacts.has(c)));
