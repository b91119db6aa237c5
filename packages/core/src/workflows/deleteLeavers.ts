/**
 * Deleting chosen leavers (R-DEL-1): each is queued, then removed with their links; a contact
 * left linked to no member is removed from the school. Re-running after a crash finishes the job:
 * every step is idempotent in its decider.
 */
import * as E from 'fp-ts/lib/Either.js';
import { contactDecider } from '../deciders/contact.js';
import { memberDecider } from '../deciders/member.js';
import type { DomainError } from '../errors.js';
import { handleCommand, type CommandContext, type HandleError, type HandlerDeps } from '../handler.js';
import { contactStream, memberStream, type ContactId, type MemberId } from '../ids.js';

/** What deleting one leaver did. */
export interface LeaverDeleted {
  readonly memberId: MemberId;
  /** Contacts unlinked from the member. */
  readonly unlinked: ReadonlyArray<ContactId>;
  /** Contacts removed from the school because no member is linked to them any more. */
  readonly contactsRemoved: ReadonlyArray<ContactId>;
}

/** Deletes one leaver; `otherMembersOf` says which other members still link a contact. */
export const deleteLeaver = async (
  deps: HandlerDeps,
  memberId: MemberId,
  context: CommandContext,
  otherMembersOf: (contactId: ContactId, deletedMember: MemberId) => Promise<ReadonlyArray<MemberId>>,
): Promise<E.Either<HandleError | DomainError, LeaverDeleted>> => {
  const stream = memberStream(memberId);
  const queued = await handleCommand(deps, memberDecider, stream, { type: 'QueueDeletion', memberId }, context);
  if (E.isLeft(queued)) return queued;
  const completed = await handleCommand(deps, memberDecider, stream, { type: 'CompleteDeletion', memberId }, context);
  if (E.isLeft(completed)) return completed;
  const unlinked = completed.right.appended.flatMap((e) => (e.type === 'ContactUnlinked' ? [e.data.contactId] : []));
  const contactsRemoved: ContactId[] = [];
  for (const contactId of unlinked) {
    const others = (await otherMembersOf(contactId, memberId)).filter((m) => m !== memberId);
    if (others.length > 0) continue;
    const removed = await handleCommand(deps, contactDecider, contactStream(contactId), { type: 'DeleteContact', contactId, cause: 'no-members-left' }, context);
    if (E.isLeft(removed)) {
      // A contact the school never held (a dangling MIS link) has nothing to remove.
      if (removed.left._tag === 'DomainError' && removed.left.code === 'not-found') continue;
      return removed;
    }
    contactsRemoved.push(contactId);
  }
  return E.right({ memberId, unlinked, contactsRemoved });
};
