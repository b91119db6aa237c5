/**
 * A Directory folded straight from the event store with the core's deciders: streams are read on
 * demand, and the address index catches up from the log position it last saw. Good for a CLI run
 * and tests; a service with many schools would use the projections' read models instead.
 *
 * Audiences: a group's contacts are reached directly; a group's members, and `prime-parents`,
 * reach each member's prime contacts; `parental-responsibility` reaches each member's contacts
 * with parental responsibility; `contacts` names contacts directly.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  contactDecider,
  contactStream,
  groupDecider,
  groupStream,
  loadStream,
  memberDecider,
  memberStream,
  parseStreamId,
  readAllEvents,
  type Audience,
  type Channel,
  type ContactState,
  type EventStore,
  type MemberState,
  type SkippedRecipient,
} from '@contactable/core';
import { normaliseAddress } from '../addresses.js';
import type { Candidate, Directory, DirectoryError, ResolvedAudience } from './port.js';

const directoryError = (message: string): DirectoryError => ({ _tag: 'DirectoryError', message });

/** A loaded stream's state; an undecodable event throws an error naming the stream and position (never its data). */
export const stateOf = async <S>(loading: Promise<E.Either<{ readonly message: string }, { readonly state: S }>>): Promise<S> => {
  const loaded = await loading;
  if (E.isLeft(loaded)) throw new Error(loaded.left.message);
  return loaded.right.state;
};

type Selector = 'prime' | 'parental-responsibility';

const memberContacts = (memberId: string, m: MemberState, select: Selector): { candidates: Candidate[]; unreachable: SkippedRecipient[] } => {
  if (m.status === 'absent') return { candidates: [], unreachable: [{ contactId: null, memberId, reasons: ['the member is not held by this school'] }] };
  if (m.status !== 'active') return { candidates: [], unreachable: [{ contactId: null, memberId, reasons: ['the member was deleted'] }] };
  // Excluded by the import settings (an exception, pre-admissions off): withdrawn from every audience at once.
  if (m.excluded != null) return { candidates: [], unreachable: [{ contactId: null, memberId, reasons: ['the member is not imported: excluded by the import settings'] }] };
  const ids = Object.entries(m.links)
    .filter(([, link]) => (select === 'prime' ? link.prime : link.parentalResponsibility))
    .sort(([a, la], [b, lb]) => la.priority - lb.priority || (a < b ? -1 : a > b ? 1 : 0))
    .map(([contactId]) => ({ contactId, memberId }));
  if (ids.length > 0) return { candidates: ids, unreachable: [] };
  return {
    candidates: [],
    unreachable: [{ contactId: null, memberId, reasons: [select === 'prime' ? 'the member has no prime parent' : 'the member has no contact with parental responsibility'] }],
  };
};

/** A Directory over an event store. */
export const storeDirectory = (store: EventStore): Directory => {
  const byAddress = { email: new Map<string, Set<string>>(), sms: new Map<string, Set<string>>() };
  const held = new Map<string, { email: string | null; sms: string | null }>();
  let position = 0;

  const index = (channel: Channel, address: string | null, contactId: string, add: boolean): void => {
    if (address === null) return;
    const map = byAddress[channel];
    const set = map.get(address) ?? new Set<string>();
    if (add) set.add(contactId);
    else set.delete(contactId);
    if (set.size === 0) map.delete(address);
    else map.set(address, set);
  };

  const reindex = async (contactId: string): Promise<void> => {
    const state = await stateOf(loadStream(store, contactDecider, contactStream(contactId)));
    const before = held.get(contactId);
    index('email', before?.email ?? null, contactId, false);
    index('sms', before?.sms ?? null, contactId, false);
    if (state.status !== 'active') {
      held.delete(contactId);
      return;
    }
    const now = {
      email: state.email === null ? null : normaliseAddress('email', state.email.value),
      sms: state.mobile === null ? null : normaliseAddress('sms', state.mobile.value),
    };
    held.set(contactId, now);
    index('email', now.email, contactId, true);
    index('sms', now.sms, contactId, true);
  };

  // Catch up: every contact stream written since the last look is folded again.
  const catchUp = async (): Promise<void> => {
    const touched = new Set<string>();
    for await (const e of readAllEvents(store, position)) {
      position = e.position;
      const parsed = parseStreamId(e.streamId);
      if (parsed?.category === 'contact') touched.add(parsed.id);
    }
    for (const id of touched) await reindex(id);
  };

  const member = (id: string): Promise<MemberState> => stateOf(loadStream(store, memberDecider, memberStream(id)));

  const fromMembers = async (memberIds: ReadonlyArray<string>, select: Selector): Promise<ResolvedAudience> => {
    const candidates: Candidate[] = [];
    const unreachable: SkippedRecipient[] = [];
    for (const id of memberIds) {
      const r = memberContacts(id, await member(id), select);
      candidates.push(...r.candidates);
      unreachable.push(...r.unreachable);
    }
    return { candidates, unreachable };
  };

  const resolveAudience = async (audience: Audience): Promise<ResolvedAudience | DirectoryError> => {
    switch (audience.kind) {
      case 'contacts':
        return { candidates: audience.contactIds.map((contactId) => ({ contactId, memberId: null })), unreachable: [] };
      case 'prime-parents':
        return fromMembers(audience.memberIds, 'prime');
      case 'parental-responsibility':
        return fromMembers(audience.memberIds, 'parental-responsibility');
      case 'group': {
        const g = await stateOf(loadStream(store, groupDecider, groupStream(audience.groupId)));
        if (g.status === 'absent') return directoryError(`Group ${audience.groupId} is not held by this school.`);
        if (g.status === 'deleted') return directoryError(`Group ${audience.groupId} was deleted.`);
        const refs = Object.values(g.members).sort((a, b) => (a.kind === b.kind ? (a.id < b.id ? -1 : 1) : a.kind < b.kind ? -1 : 1));
        const direct = refs.filter((r) => r.kind === 'contact').map((r) => ({ contactId: r.id, memberId: null }));
        const viaMembers = await fromMembers(refs.filter((r) => r.kind === 'member').map((r) => r.id), 'prime');
        return { candidates: [...direct, ...viaMembers.candidates], unreachable: viaMembers.unreachable };
      }
    }
  };

  return {
    resolveAudience,
    contactsByAddress: async (channel, address) => {
      await catchUp();
      return [...(byAddress[channel].get(normaliseAddress(channel, address)) ?? [])].sort();
    },
    contactState: (contactId): Promise<ContactState> => stateOf(loadStream(store, contactDecider, contactStream(contactId))),
  };
};
