/**
 * Staff decisions about who is one person (R-LNK-1, R-CON-2): join two contacts that are one person, or
 * split a contact that is two people for one member. Each spans streams and is written together where
 * the store allows (all or nothing), otherwise in an order that never leaves consent weaker than before.
 * The next sync respects both: a join is never undone by it, a split never joined back (import/identity.ts).
 */
import * as E from 'fp-ts/lib/Either.js';
import { absorbedFrom, contactDecider, type ContactRecord, type ContactState } from '../deciders/contact.js';
import { memberDecider, type MemberState } from '../deciders/member.js';
import { domainError, type DomainError } from '../errors.js';
import { handleAcross, type CommandContext, type HandleError, type HandlerDeps, type StreamDecision } from '../handler.js';
import { nameId } from '../idSource.js';
import { contactStream, memberStream, type ContactId, type MemberId } from '../ids.js';

/** What a join or a split wrote. */
export interface IdentityChange {
  /** The contact that holds the person (the one kept, or the one made by a split). */
  readonly contactId: ContactId;
  /** The other contact (the one joined away, or the one split from). */
  readonly otherContactId: ContactId;
  /** Members whose link moved. */
  readonly relinked: ReadonlyArray<MemberId>;
  /** The event types written, in order. */
  readonly recorded: ReadonlyArray<string>;
}

/** The id of the contact a split makes: the same for the same contact and member, so a re-run makes no second one. */
export const splitContactId = (contactId: ContactId, memberId: MemberId): ContactId => nameId(`split/${contactId}/${memberId}`);

const activeIn = (state: ContactState, id: ContactId, schoolId: string): E.Either<DomainError, ContactRecord> => {
  if (state.status === 'absent' || state.schoolId !== schoolId) return E.left(domainError('not-found', `Contact ${id} is not held by this school.`));
  if (state.status === 'merged') return E.left(domainError('merged', `Contact ${id} was already joined into contact ${state.mergedInto ?? '?'}.`));
  if (state.status !== 'active') return E.left(domainError('deleted', `Contact ${id} was deleted; it cannot be joined or split.`));
  return E.right(state);
};

const decideOn = <C, S>(decide: (c: C, s: S) => E.Either<DomainError, ReadonlyArray<{ type: string; data: unknown }>>, streamId: string, command: C, state: S): E.Either<DomainError, StreamDecision> =>
  E.map((events: ReadonlyArray<{ type: string; data: unknown }>) => ({ streamId, events }))(decide(command, state));

const all = (decisions: ReadonlyArray<E.Either<DomainError, StreamDecision>>): E.Either<DomainError, ReadonlyArray<StreamDecision>> => {
  const out: StreamDecision[] = [];
  for (const d of decisions) {
    if (E.isLeft(d)) return d;
    out.push(d.right);
  }
  return E.right(out);
};

const outcome = (contactId: ContactId, otherContactId: ContactId, stored: ReadonlyArray<{ readonly type: string; readonly streamId: string }>): IdentityChange => ({
  contactId,
  otherContactId,
  relinked: [...new Set(stored.filter((e) => e.streamId.startsWith('member-') && e.type === 'ContactUnlinked').map((e) => e.streamId.slice('member-'.length)))],
  recorded: stored.map((e) => e.type),
});

/**
 * Joins contact `absorbed` into contact `kept` (both of this school, both active): `kept` takes its export
 * records and the stricter consent of the two (an opt-out or a block on either stands, and the audit says
 * so), the members linked to `absorbed` (`memberIds`, from the views) are linked to `kept`, and `absorbed`
 * steps aside. Joining a contact with itself, with one of another school, or with an unknown id is refused
 * and records nothing.
 */
export const mergeContacts = async (
  deps: HandlerDeps,
  kept: ContactId,
  absorbed: ContactId,
  memberIds: ReadonlyArray<MemberId>,
  context: CommandContext,
): Promise<E.Either<HandleError, IdentityChange>> => {
  if (kept === absorbed) return E.left(domainError('invalid-command', 'A contact cannot be merged with itself: name two different contacts.'));
  const members = [...new Set(memberIds)].sort();
  const written = await handleAcross(
    deps,
    [
      { streamId: contactStream(kept), decider: contactDecider },
      { streamId: contactStream(absorbed), decider: contactDecider },
      ...members.map((m) => ({ streamId: memberStream(m), decider: memberDecider })),
    ],
    (states) => {
      const a = activeIn(states.get(contactStream(kept)) as ContactState, kept, context.schoolId);
      if (E.isLeft(a)) return a;
      const b = activeIn(states.get(contactStream(absorbed)) as ContactState, absorbed, context.schoolId);
      if (E.isLeft(b)) return b;
      return all([
        // The kept contact holds the stricter consent before anything else moves.
        decideOn(contactDecider.decide, contactStream(kept), { type: 'AbsorbContact', contactId: kept, from: absorbedFrom(b.right), because: 'staff-decision' }, a.right),
        ...members.map((m) => decideOn(memberDecider.decide, memberStream(m), { type: 'RelinkContact', memberId: m, from: absorbed, to: kept }, states.get(memberStream(m)) as MemberState)),
        decideOn(contactDecider.decide, contactStream(absorbed), { type: 'MergeInto', contactId: absorbed, into: kept, because: 'staff-decision' }, b.right),
      ]);
    },
    context,
  );
  return E.map((stored: ReadonlyArray<{ readonly type: string; readonly streamId: string }>) => outcome(kept, absorbed, stored))(written);
};

/**
 * Splits a contact for one member: for that member the contact is another person. A new contact starts
 * with the same details and the stricter consent (who asked to stop is not known to be the other), the
 * member's link moves to it, and the two are never joined again by a sync.
 */
export const splitContact = async (
  deps: HandlerDeps,
  contactId: ContactId,
  memberId: MemberId,
  context: CommandContext,
): Promise<E.Either<HandleError, IdentityChange>> => {
  const fresh = splitContactId(contactId, memberId);
  const written = await handleAcross(
    deps,
    [
      { streamId: contactStream(contactId), decider: contactDecider },
      { streamId: contactStream(fresh), decider: contactDecider },
      { streamId: memberStream(memberId), decider: memberDecider },
    ],
    (states) => {
      const a = activeIn(states.get(contactStream(contactId)) as ContactState, contactId, context.schoolId);
      if (E.isLeft(a)) return a;
      const m = states.get(memberStream(memberId)) as MemberState;
      const made = states.get(contactStream(fresh)) as ContactState;
      const splitAlready = made.status !== 'absent';
      if (m.status === 'absent' || (m.links[contactId] === undefined && !splitAlready)) {
        return E.left(domainError('not-found', `Member ${memberId} is not linked to contact ${contactId}: a split moves one member's link.`));
      }
      return all([
        decideOn(contactDecider.decide, contactStream(fresh), { type: 'CreateSplit', contactId: fresh, from: absorbedFrom(a.right), memberId }, made),
        decideOn(contactDecider.decide, contactStream(contactId), { type: 'SplitFor', contactId, newContactId: fresh, memberId }, a.right),
        decideOn(memberDecider.decide, memberStream(memberId), { type: 'RelinkContact', memberId, from: contactId, to: fresh }, m),
      ]);
    },
    context,
  );
  return E.map((stored: ReadonlyArray<{ readonly type: string; readonly streamId: string }>) => outcome(fresh, contactId, stored))(written);
};
