/**
 * Retention (R-DEL-2, R-DEL-3): people deleted 14 or more days ago are anonymised. "Today" is the
 * clock's day in the school's zone, never a day passed in: the record of an anonymisation then always
 * stands 14 days after the deletion by the same clock (a run for a later day needs a simulated clock,
 * and its events say so). The store forgets
 * the person's key first (crypto-shredding), then the fact is recorded; a crash between the two is
 * finished by the next run, since forgetting twice is harmless and the decider records once.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { LocalDate } from '../clock.js';
import { DEFAULT_TIME_ZONE, localDayOf, type TimeZone } from '../zone.js';
import { contactDecider } from '../deciders/contact.js';
import { memberDecider } from '../deciders/member.js';
import { handleCommand, type CommandContext, type HandleError, type HandlerDeps } from '../handler.js';
import { contactStream, memberStream } from '../ids.js';
import { dueForAnonymisation } from '../policies/retention.js';

/** Someone deleted and not yet anonymised. */
export interface RetentionCandidate {
  readonly subject: 'member' | 'contact';
  readonly id: string;
  readonly deletedAt: string;
}

/** What a retention run did. */
export interface RetentionReport {
  /** The school day the run counted from (the clock's). */
  readonly today: LocalDate;
  readonly anonymised: ReadonlyArray<RetentionCandidate>;
  readonly notYetDue: number;
  readonly errors: ReadonlyArray<string>;
}

/** Anonymises every candidate due on the clock's day in the school's zone, then lets the store reclaim the erased space. */
export const runRetention = async (
  deps: HandlerDeps,
  candidates: ReadonlyArray<RetentionCandidate>,
  context: CommandContext,
  timeZone: TimeZone = DEFAULT_TIME_ZONE,
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
    const r: E.Either<HandleError, unknown> =
      c.subject === 'member'
        ? await handleCommand(deps, memberDecider, stream, { type: 'AnonymiseMember', memberId: c.id, today, timeZone }, context)
        : await handleCommand(deps, contactDecider, stream, { type: 'AnonymiseContact', contactId: c.id, today, timeZone }, context);
    if (E.isLeft(r)) errors.push(r.left.message);
    else anonymised.push(c);
  }
  if (anonymised.length > 0) await deps.store.compact();
  return { today, anonymised, notYetDue, errors };
};
