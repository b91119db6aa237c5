/** Retention: deleted people are anonymised 14 days after deletion (R-DEL-2). */
import type { Instant, LocalDate } from '../clock.js';
import type { ContactId, MessageId } from '../ids.js';
import { dateOf, daysBetween } from '../clock.js';
import { ANONYMISE_AFTER_DAYS } from '../deciders/contact.js';

/** True when something deleted at `deletedAt` is due for anonymisation on `today`. */
export const dueForAnonymisation = (deletedAt: string | null, today: LocalDate): boolean =>
  deletedAt !== null && daysBetween(dateOf(deletedAt), today) >= ANONYMISE_AFTER_DAYS;

/** A message whose content is still held: when it was requested, its own rule (if any) and who it was sent to. */
export interface MessageRetentionCandidate {
  readonly messageId: MessageId;
  readonly requestedAt: Instant;
  /** Days to keep its content; null: the school's message retention. */
  readonly retentionDays: number | null;
  readonly recipients: ReadonlyArray<ContactId>;
}

/**
 * True when a message's content is due for erasure on `today`: its retention (its own, else the
 * school's) has run out, or every contact it was sent to has been anonymised (then nobody it was
 * about is left, and a body naming them must go with them).
 */
export const messageContentDue = (m: MessageRetentionCandidate, today: LocalDate, schoolDays: number, anonymisedContacts: ReadonlySet<ContactId>): boolean =>
  daysBetween(dateOf(m.requestedAt), today) >= (m.retentionDays ?? schoolDays) ||
  (m.recipients.length > 0 && m.recipients.every((c) => anonymisedContacts.has(c)));
