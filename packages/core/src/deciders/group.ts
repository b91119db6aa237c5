/** A group's stream: created by hand or from the MIS, mixing MIS and address-book people (R-GRP-2, R-GRP-3). */
import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../decider.js';
import { domainError, type DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';
import type { GroupMemberRef, Source } from '../events/common.js';
import type { GroupEvent } from '../events/group.js';
import type { GroupId } from '../ids.js';

/** A group that exists (or existed). */
export interface GroupRecord {
  readonly status: 'active' | 'deleted';
  readonly groupId: GroupId;
  readonly name: string;
  readonly source: Source;
  readonly groupKind: string;
  readonly active: boolean;
  /** Members keyed `kind:id`. */
  readonly members: Readonly<Record<string, GroupMemberRef>>;
}

/** A group's state. */
export type GroupState = { readonly status: 'absent' } | GroupRecord;

/** The group commands. */
export type GroupCommand =
  | { readonly type: 'CreateGroup'; readonly groupId: GroupId; readonly name: string; readonly groupKind: string }
  | { readonly type: 'ImportGroup'; readonly groupId: GroupId; readonly source: Source & { kind: 'mis' }; readonly name: string; readonly groupKind: string; readonly active: boolean; readonly members: ReadonlyArray<GroupMemberRef> }
  | { readonly type: 'RenameGroup'; readonly groupId: GroupId; readonly name: string }
  | { readonly type: 'AddToGroup'; readonly groupId: GroupId; readonly members: ReadonlyArray<GroupMemberRef> }
  | { readonly type: 'RemoveFromGroup'; readonly groupId: GroupId; readonly members: ReadonlyArray<GroupMemberRef> }
  | { readonly type: 'DeleteGroup'; readonly groupId: GroupId };

/** The key of a group member. */
export const refKey = (r: GroupMemberRef): string => `${r.kind}:${r.id}`;
const byKey = (a: GroupMemberRef, b: GroupMemberRef): number => (refKey(a) < refKey(b) ? -1 : refKey(a) > refKey(b) ? 1 : 0);

/** Folds one event into a group's state. */
export const evolveGroup = (state: GroupState, event: Recorded<GroupEvent>): GroupState => {
  if (event.type === 'GroupCreated') {
    const d = event.data;
    return { status: 'active', groupId: d.groupId, name: d.name, source: d.source, groupKind: d.groupKind, active: d.active, members: {} };
  }
  if (state.status === 'absent') return state;
  switch (event.type) {
    case 'GroupChanged':
      return { ...state, ...(event.data.name !== undefined ? { name: event.data.name } : {}), ...(event.data.active !== undefined ? { active: event.data.active } : {}) };
    case 'GroupMembersChanged': {
      const members = { ...state.members };
      for (const r of event.data.removed) delete members[refKey(r)];
      for (const r of event.data.added) members[refKey(r)] = r;
      return { ...state, members };
    }
    case 'GroupDeleted':
      return { ...state, status: 'deleted' };
  }
};

const ok = (events: ReadonlyArray<GroupEvent>): E.Either<DomainError, ReadonlyArray<GroupEvent>> => E.right(events);

const requireActive = (state: GroupState, id: GroupId): E.Either<DomainError, GroupRecord> =>
  state.status === 'active' ? E.right(state) : E.left(domainError('not-found', `Group ${id} does not exist.`));

const membersDiff = (g: GroupRecord, added: ReadonlyArray<GroupMemberRef>, removed: ReadonlyArray<GroupMemberRef>): GroupEvent[] => {
  const toAdd = added.filter((r) => g.members[refKey(r)] === undefined).sort(byKey);
  const toRemove = removed.filter((r) => g.members[refKey(r)] !== undefined).sort(byKey);
  return toAdd.length + toRemove.length === 0 ? [] : [{ type: 'GroupMembersChanged', data: { groupId: g.groupId, added: toAdd, removed: toRemove } }];
};

/** Decides what a group command records. */
export const decideGroup = (cmd: GroupCommand, state: GroupState): E.Either<DomainError, ReadonlyArray<GroupEvent>> => {
  switch (cmd.type) {
    case 'CreateGroup':
      if (state.status !== 'absent') return E.left(domainError('already-exists', `Group ${cmd.groupId} already exists.`));
      return ok([{ type: 'GroupCreated', data: { groupId: cmd.groupId, name: cmd.name, source: { kind: 'address-book' }, groupKind: cmd.groupKind, active: true } }]);
    case 'ImportGroup': {
      const wanted = new Map(cmd.members.map((r) => [refKey(r), r]));
      if (state.status === 'absent') {
        const created: GroupEvent = { type: 'GroupCreated', data: { groupId: cmd.groupId, name: cmd.name, source: cmd.source, groupKind: cmd.groupKind, active: cmd.active } };
        const members = [...wanted.values()].sort(byKey);
        return ok(members.length === 0 ? [created] : [created, { type: 'GroupMembersChanged', data: { groupId: cmd.groupId, added: members, removed: [] } }]);
      }
      if (state.status === 'deleted') return ok([]);
      const events: GroupEvent[] = [];
      if (state.name !== cmd.name || state.active !== cmd.active) {
        events.push({ type: 'GroupChanged', data: { groupId: cmd.groupId, ...(state.name !== cmd.name ? { name: cmd.name } : {}), ...(state.active !== cmd.active ? { active: cmd.active } : {}) } });
      }
      // The MIS decides its members; people added by hand to an MIS group (address-book contacts) stay.
      const removed = Object.values(state.members).filter((r) => !wanted.has(refKey(r)) && r.kind === 'member');
      return ok([...events, ...membersDiff(state, [...wanted.values()], removed)]);
    }
    case 'RenameGroup':
      return E.map((g: GroupRecord): ReadonlyArray<GroupEvent> => (g.name === cmd.name ? [] : [{ type: 'GroupChanged', data: { groupId: g.groupId, name: cmd.name } }]))(
        requireActive(state, cmd.groupId),
      );
    case 'AddToGroup':
      return E.map((g: GroupRecord) => membersDiff(g, cmd.members, []))(requireActive(state, cmd.groupId));
    case 'RemoveFromGroup':
      return E.map((g: GroupRecord) => membersDiff(g, [], cmd.members))(requireActive(state, cmd.groupId));
    case 'DeleteGroup':
      if (state.status === 'deleted') return ok([]);
      return E.map((g: GroupRecord): ReadonlyArray<GroupEvent> => [{ type: 'GroupDeleted', data: { groupId: g.groupId } }])(requireActive(state, cmd.groupId));
  }
};

/** The group decider. */
export const groupDecider: Decider<GroupCommand, GroupEvent, GroupState> = {
  decide: decideGroup,
  evolve: evolveGroup,
  initialState: { status: 'absent' },
};
