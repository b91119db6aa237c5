/**
 * Retention (R-DEL-2, R-DEL-3): people deleted 14 or more days ago are anonymised. "Today" is the
 * clock's day in the school's zone, never a day passed in: the record of an anonymisation then always
 * stands 14 days after the deletion by the same clock (a run for a later day needs a simulated clock,
 * and its events say so). A message's content is erased once its retention (its own, else the
 * school's) has run out, or once everyone it was sent to is anonymised. The store forgets
 * the person's (or message's) key first (crypto-shredding), then the fact is recorded; a crash between the two is
 * finished by the next run, since forgetting twice is harmless and the decider records once.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { LocalDate } from '../clock.js';
import { DEFAULT_TIME_ZONE, localDayOf, type TimeZone } from '../zone.js';
import { contactDecider } from '../deciders/contact.js';
import { memberDecider } from '../deciders/member.js';
import { messageDecider } from '../deciders/message.js';
import { handleCommand, type CommandContext, type HandleError, type HandlerDeps } from '../handler.js';
import { contactStream, memberStream, messageStream, type ContactId, type MessageId } from '../ids.js';
import { dueForAnonymisation, messageContentDue, type MessageRetentionCandidate } from '../policies/retention.js';

/** Someone deleted and not yet anonymised. */
export interface RetentionCandidate {
  readonly subject: 'member' | 'contact';
  readonly id: string;
  readonly deletedAt: string;
  /**
   * Contacts joined into this one (the same person's earlier records, each sealed under its own
   * key): erased with it. Their streams record no event of their own; the merge already says where
   * they went.
   */
  readonly mergedContacts?: ReadonlyArray<ContactId>;
}

/** What a retention run did. */
export interface RetentionReport {
  /** The school day the run counted from (the clock's). */
  readonly today: LocalDate;
  readonly anonymised: ReadonlyArray<RetentionCandidate>;
  readonly notYetDue: number;
  /** Messages whose content (subject, body, provider texts) was erased. */
  readonly messagesErased: ReadonlyArray<MessageId>;
  readonly errors: ReadonlyArray<string>;
}

/** The messages a retention run looks at, and the rule that applies when a message set none. */
export interface MessageRetention {
  readonly candidates: ReadonlyArray<MessageRetentionCandidate>;
  /** The school's message retention in days. */
  readonly schoolDays: number;
  /** Contacts already anonymised before this run (those anonymised by it are added). */
  readonly anonymisedContacts: ReadonlySet<ContactId>;
}

/**
 * Anonymises every candidate due on the clock's day in the school's zone, erases the content of
 * messages due (by their retention rule, or because everyone they were sent to is anonymised),
 * then lets the store reclaim the erased space (and, in a durable store, re-wrap the remaining keys).
 */
export const runRetention = async (
  deps: HandlerDeps,
  candidates: ReadonlyArray<RetentionCandidate>,
  context: CommandContext,
  timeZone: TimeZone = DEFAULT_TIME_ZONE,
  messages?: MessageRetention,
): Promise<RetentionReport> => {
  const today = localDayOf(deps.clock.now(), timeZone);
  const anonymised: RetentionCandidate[] = [];
  const errors: string[] = [];
  let notYetDue = 0;
  for (const c of candidates) {
    if (!dueForAnonymisation(c.deletedAt, today, timeZone)) {
      notYetDue += 1;
      continue;
    }
    const stream = c.subject === 'member' ? memberStream(c.id) : contactStream(c.id);
    await deps.store.forget(stream);
    for (const merged of c.mergedContacts ?? []) await deps.store.forget(contactStream(merged));
    const r: E.Either<HandleError, unknown> =
      c.subject === 'member'
        ? await handleCommand(deps, memberDecider, stream, { type: 'AnonymiseMember', memberId: c.id, today, timeZone }, context)
        : await handleCommand(deps, contactDecider, stream, { type: 'AnonymiseContact', contactId: c.id, today, timeZone }, context);
    if (E.isLeft(r)) errors.push(r.left.message);
    else anonymised.push(c);
  }
  const messagesErased: MessageId[] = [];
  if (messages !== undefined) {
    const gone = new Set(messages.anonymisedContacts);
    for (const c of anonymised) if (c.subject === 'contact') for (const id of [c.id, ...(c.mergedContacts ?? [])]) gone.add(id);
    for (const m of messages.candidates) {
      if (!messageContentDue(m, today, messages.schoolDays, gone, timeZone)) continue;
      const stream = messageStream(m.messageId);
      await deps.store.forget(stream);
      const r = await handleCommand(deps, messageDecider, stream, { type: 'RecordMessageContentErased', messageId: m.messageId }, context);
      if (E.isLeft(r)) errors.push(r.left.message);
      else messagesErased.push(m.messageId);
    }
  }
  if (anonymised.length > 0 || messagesErased.length > 0) await deps.store.compact();
  return { today, anonymised, notYetDue, messagesErased, errors };
};
