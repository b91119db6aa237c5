/** The group decider: groups by hand and from the MIS, mixing sources (R-GRP-2, R-GRP-3). */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { groupDecider, type GroupCommand, type GroupRecord, type GroupState } from '../src/index.js';
import { runCommands } from '../src/testing/index.js';

const G = 'g-1';
const member = (id: string) => ({ kind: 'member' as const, id });
const contact = (id: string) => ({ kind: 'contact' as const, id });
const mis = { kind: 'mis' as const, system: 'sims', externalId: 'G1' };
const importGroup = (over: Partial<Extract<GroupCommand, { type: 'ImportGroup' }>> = {}): GroupCommand => ({
  type: 'ImportGroup', groupId: G, source: mis, name: 'Year 7', groupKind: 'year', active: true, members: [member('m2'), member('m1')], ...over,
});
const stateOf = (...cmds: GroupCommand[]): GroupState => runCommands(groupDecider, cmds).state;
const decide = (state: GroupState, cmd: GroupCommand) => groupDecider.decide(cmd, state);
const events = (state: GroupState, cmd: GroupCommand) => {
  const r = decide(state, cmd);
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};
const members = (s: GroupState) => Object.keys((s as GroupRecord).members).sort();

describe('groups by hand (R-GRP-2)', () => {
  it('R-GRP-2 a group is created once, from the address book, active', () => {
    const create: GroupCommand = { type: 'CreateGroup', groupId: G, name: 'Governors', groupKind: 'custom' };
    expect(events({ status: 'absent' }, create)).toEqual([{ type: 'GroupCreated', data: { groupId: G, name: 'Governors', source: { kind: 'address-book' }, groupKind: 'custom', active: true } }]);
    expect(decide(stateOf(create), create)).toEqual(E.left(expect.objectContaining({ code: 'already-exists' })));
  });

  it('R-GRP-2 a rename records the new name only when it changes', () => {
    const s = stateOf({ type: 'CreateGroup', groupId: G, name: 'Governors', groupKind: 'custom' });
    expect(events(s, { type: 'RenameGroup', groupId: G, name: 'Governors' })).toEqual([]);
    const renamed = runCommands(groupDecider, [{ type: 'CreateGroup', groupId: G, name: 'Governors', groupKind: 'custom' }, { type: 'RenameGroup', groupId: G, name: 'Board' }]).state as GroupRecord;
    expect(renamed).toMatchObject({ name: 'Board', active: true, status: 'active' });
  });

  it('R-GRP-2 adding and removing people records only who changes, in a stable order, MIS and address-book people alike', () => {
    const s = stateOf({ type: 'CreateGroup', groupId: G, name: 'Governors', groupKind: 'custom' }, { type: 'AddToGroup', groupId: G, members: [contact('c1')] });
    expect(events(s, { type: 'AddToGroup', groupId: G, members: [member('m9'), contact('c1'), contact('c0')] })).toEqual([
      { type: 'GroupMembersChanged', data: { groupId: G, added: [contact('c0'), member('m9')], removed: [] } },
    ]);
    expect(events(s, { type: 'AddToGroup', groupId: G, members: [contact('c1')] })).toEqual([]);
    expect(events(s, { type: 'RemoveFromGroup', groupId: G, members: [member('nobody')] })).toEqual([]);
    const after = stateOf({ type: 'CreateGroup', groupId: G, name: 'Governors', groupKind: 'custom' }, { type: 'AddToGroup', groupId: G, members: [contact('c1'), member('m2')] }, { type: 'RemoveFromGroup', groupId: G, members: [contact('c1'), member('x')] });
    expect(members(after)).toEqual(['member:m2']);
  });

  it('R-GRP-2 a deleted group stays deleted; acting on a group that does not exist is refused', () => {
    const s = stateOf({ type: 'CreateGroup', groupId: G, name: 'Governors', groupKind: 'custom' }, { type: 'DeleteGroup', groupId: G });
    expect(s.status).toBe('deleted');
    expect(events(s, { type: 'DeleteGroup', groupId: G })).toEqual([]);
    for (const cmd of [{ type: 'RenameGroup', groupId: G, name: 'X' }, { type: 'AddToGroup', groupId: G, members: [] }, { type: 'RemoveFromGroup', groupId: G, members: [] }, { type: 'DeleteGroup', groupId: G }] as GroupCommand[]) {
      expect(decide({ status: 'absent' }, cmd)).toEqual(E.left(expect.objectContaining({ code: 'not-found', message: `Group ${G} does not exist.` })));
    }
    expect(decide(s, { type: 'RenameGroup', groupId: G, name: 'X' })).toEqual(E.left(expect.objectContaining({ code: 'not-found' })));
  });
});

describe('groups from the MIS (R-GRP-3)', () => {
  it('R-GRP-3 a first import creates the group with its members sorted; an empty one with none', () => {
    expect(events({ status: 'absent' }, importGroup())).toEqual([
      { type: 'GroupCreated', data: { groupId: G, name: 'Year 7', source: mis, groupKind: 'year', active: true } },
      { type: 'GroupMembersChanged', data: { groupId: G, added: [member('m1'), member('m2')], removed: [] } },
    ]);
    expect(events({ status: 'absent' }, importGroup({ members: [], active: false }))).toEqual([
      { type: 'GroupCreated', data: { groupId: G, name: 'Year 7', source: mis, groupKind: 'year', active: false } },
    ]);
  });

  it('R-GRP-3 a re-import records what changed: the name, the active flag, each on its own', () => {
    const s = stateOf(importGroup());
    expect(events(s, importGroup())).toEqual([]);
    expect(events(s, importGroup({ name: 'Year 8' }))).toEqual([{ type: 'GroupChanged', data: { groupId: G, name: 'Year 8' } }]);
    expect(events(s, importGroup({ active: false }))).toEqual([{ type: 'GroupChanged', data: { groupId: G, active: false } }]);
    const changed = stateOf(importGroup(), importGroup({ active: false })) as GroupRecord;
    expect(changed).toMatchObject({ name: 'Year 7', active: false });
    expect((stateOf(importGroup(), importGroup({ name: 'Year 8' })) as GroupRecord)).toMatchObject({ name: 'Year 8', active: true });
  });

  it('R-GRP-3 R-GRP-2 the MIS decides its members; people added by hand to an MIS group stay', () => {
    const s = stateOf(importGroup(), { type: 'AddToGroup', groupId: G, members: [contact('governor')] });
    expect(events(s, importGroup({ members: [member('m3'), member('m1')] }))).toEqual([
      { type: 'GroupMembersChanged', data: { groupId: G, added: [member('m3')], removed: [member('m2')] } },
    ]);
    expect(members(stateOf(importGroup(), { type: 'AddToGroup', groupId: G, members: [contact('governor')] }, importGroup({ members: [member('m3'), member('m1')] })))).toEqual(['contact:governor', 'member:m1', 'member:m3']);
  });

  it('R-GRP-3 an import leaves a deleted group deleted', () => {
    const s = stateOf(importGroup(), { type: 'DeleteGroup', groupId: G });
    expect(events(s, importGroup({ name: 'Year 8' }))).toEqual([]);
  });
});
