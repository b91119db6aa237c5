import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { groupDecider, memberDecider, type MemberRecord } from '../src/index.js';
import { given, runCommands } from '../src/testing/index.js';
import { importMember, M } from './fixtures.js';

const types = (r: { events: ReadonlyArray<{ type: string }> }) => r.events.map((e) => e.type);
const link = { relationship: 'Mother', priority: 1, parentalResponsibility: true, prime: true, source: 'mis' as const } as never;

describe('leavers (R-IMP-7)', () => {
  it('R-IMP-7 a member no longer on roll is marked a leaver and nothing is deleted', () => {
    const r = runCommands(memberDecider, [importMember(), { type: 'SyncLinks', memberId: M, links: { c1: link } }, { type: 'MarkLeaver', memberId: M, leftOn: '2026-07-20' }]);
    expect(types(r)).toEqual(['MemberImported', 'ContactLinked', 'MarkedLeaver']);
    const m = r.state as MemberRecord;
    expect(m.status).toBe('active');
    expect(m.enrolment).toEqual({ status: 'leaver', leftOn: '2026-07-20' });
    expect(Object.keys(m.links)).toEqual(['c1']);
  });

  it('R-IMP-7 marking a leaver twice records once', () => {
    const r = runCommands(memberDecider, [importMember(), { type: 'MarkLeaver', memberId: M, leftOn: null }, { type: 'MarkLeaver', memberId: M, leftOn: null }]);
    expect(types(r)).toEqual(['MemberImported', 'MarkedLeaver']);
  });

  it('R-IMP-8 an unchanged import records nothing; a changed one records only the change', () => {
    const r = runCommands(memberDecider, [importMember(), importMember(), importMember({ name: { given: 'Kai', family: 'Parent' } })]);
    expect(types(r)).toEqual(['MemberImported', 'MemberDetailsChanged']);
    expect(r.events[1]!.data).toEqual({ memberId: M, name: { given: 'Kai', family: 'Parent' } });
  });

  it('R-IMP-8 links from the MIS are synced: added, changed and removed', () => {
    const r = runCommands(memberDecider, [
      importMember(),
      { type: 'SyncLinks', memberId: M, links: { c1: link, c2: link } },
      { type: 'SyncLinks', memberId: M, links: { c1: { ...(link as object), priority: 2 } as never } },
    ]);
    expect(types(r)).toEqual(['MemberImported', 'ContactLinked', 'ContactLinked', 'ContactUnlinked', 'LinkChanged']);
  });

  it('R-IMP-6 a stale pre-admission is flagged once and cleared on admission', () => {
    const pre = { status: 'pre-admission' as const, applicationStatus: 'accepted' as const, admissionDate: '2025-09-03' };
    const r = runCommands(memberDecider, [importMember({ enrolment: pre, stale: true }), importMember({ enrolment: pre, stale: true }), importMember()]);
    expect(types(r)).toEqual(['MemberImported', 'StalePreAdmissionFlagged', 'EnrolmentChanged', 'StalePreAdmissionCleared']);
  });
});

describe('deleting leavers and anonymising (R-DEL-1, R-DEL-2)', () => {
  const deleted = () =>
    runCommands(memberDecider, [
      importMember(),
      { type: 'SyncLinks', memberId: M, links: { c1: link, c2: link } },
      { type: 'MarkLeaver', memberId: M, leftOn: null },
      { type: 'QueueDeletion', memberId: M },
      { type: 'CompleteDeletion', memberId: M },
    ]);

  it('R-DEL-1 only a leaver can be chosen for deletion', () => {
    const { when } = given(memberDecider, [{ type: 'MemberImported', data: { memberId: M, source: { kind: 'mis', system: 'sims', externalId: 'S1' }, kind: 'student', name: { given: 'A', family: 'B' }, misReference: null, enrolment: { status: 'on-roll' } } }]);
    expect(when({ type: 'QueueDeletion', memberId: M })).toEqual(E.left(expect.objectContaining({ code: 'not-a-leaver' })));
  });

  it('R-DEL-1 deletion is queued, then removes the member and their links', () => {
    const r = deleted();
    expect(types(r).slice(4)).toEqual(['DeletionQueued', 'ContactUnlinked', 'ContactUnlinked', 'MemberDeleted']);
    expect((r.state as MemberRecord).links).toEqual({});
    expect(r.state.status).toBe('deleted');
  });

  it('R-DEL-1 deletion cannot complete without being queued', () => {
    const { state } = runCommands(memberDecider, [importMember(), { type: 'MarkLeaver', memberId: M, leftOn: null }]);
    expect(memberDecider.decide({ type: 'CompleteDeletion', memberId: M }, state)).toEqual(E.left(expect.objectContaining({ code: 'not-queued' })));
  });

  it('R-DEL-1 a deleted leaver still in the MIS export is not brought back', () => {
    const { state } = deleted();
    expect(memberDecider.decide(importMember({ enrolment: { status: 'leaver', leftOn: null } }), state)).toEqual(E.right([]));
  });

  it('R-DEL-2 anonymisation waits 14 days after deletion', () => {
    const { state } = deleted(); // deleted on 2026-09-01
    expect(memberDecider.decide({ type: 'AnonymiseMember', memberId: M, today: '2026-09-14' }, state)).toEqual(E.left(expect.objectContaining({ code: 'too-early' })));
    expect(memberDecider.decide({ type: 'AnonymiseMember', memberId: M, today: '2026-09-15' }, state)).toEqual(E.right([{ type: 'MemberAnonymised', data: { memberId: M } }]));
  });
});

describe('address book members and groups (R-GRP-1, R-GRP-2)', () => {
  it('R-GRP-1 an external member can be added, edited and deleted by hand', () => {
    const r = runCommands(memberDecider, [
      { type: 'AddMember', memberId: M, kind: 'external', name: { given: 'Gov', family: 'Ernor' } },
      { type: 'EditMember', memberId: M, name: { given: 'Lady', family: 'Ernor' } },
      { type: 'QueueDeletion', memberId: M },
      { type: 'CompleteDeletion', memberId: M },
    ]);
    expect(types(r)).toEqual(['MemberAdded', 'MemberDetailsChanged', 'DeletionQueued', 'MemberDeleted']);
  });

  it('R-GRP-1 an MIS member is edited at source', () => {
    const { state } = runCommands(memberDecider, [importMember()]);
    expect(memberDecider.decide({ type: 'EditMember', memberId: M, name: { given: 'X', family: 'Y' } }, state)).toEqual(E.left(expect.objectContaining({ code: 'edit-at-source' })));
  });

  it('R-GRP-2 a group mixes MIS and address-book people, and can be renamed and deleted', () => {
    const r = runCommands(groupDecider, [
      { type: 'CreateGroup', groupId: 'g1', name: 'Governors', groupKind: 'custom' },
      { type: 'AddToGroup', groupId: 'g1', members: [{ kind: 'member', id: 'staff-governor' }, { kind: 'contact', id: 'parent-governor' }, { kind: 'member', id: 'external-governor' }] },
      { type: 'AddToGroup', groupId: 'g1', members: [{ kind: 'member', id: 'staff-governor' }] },
      { type: 'RenameGroup', groupId: 'g1', name: 'Governing body' },
      { type: 'DeleteGroup', groupId: 'g1' },
    ]);
    expect(types(r)).toEqual(['GroupCreated', 'GroupMembersChanged', 'GroupChanged', 'GroupDeleted']);
  });

  it('R-GRP-3 an MIS group sync keeps people added by hand and drops members the MIS no longer lists', () => {
    const src = { kind: 'mis' as const, system: 'sims', externalId: '7A' };
    const r = runCommands(groupDecider, [
      { type: 'ImportGroup', groupId: 'g', source: src, name: '7A', groupKind: 'class', active: true, members: [{ kind: 'member', id: 'm1' }, { kind: 'member', id: 'm2' }] },
      { type: 'AddToGroup', groupId: 'g', members: [{ kind: 'contact', id: 'helper' }] },
      { type: 'ImportGroup', groupId: 'g', source: src, name: '7A', groupKind: 'class', active: true, members: [{ kind: 'member', id: 'm1' }] },
      { type: 'ImportGroup', groupId: 'g', source: src, name: '7A', groupKind: 'class', active: true, members: [{ kind: 'member', id: 'm1' }] },
    ]);
    expect(types(r)).toEqual(['GroupCreated', 'GroupMembersChanged', 'GroupMembersChanged', 'GroupMembersChanged']);
    expect(Object.keys((r.state as { members: object }).members).sort()).toEqual(['contact:helper', 'member:m1']);
  });
});

describe('settings on a store that reorders keys', () => {
  it('R-IMP-2 saving the same settings with keys in another order records nothing', async () => {
    const { schoolDecider, defaultImportSettings } = await import('../src/index.js');
    const reverse = (o: unknown): unknown => (o !== null && typeof o === 'object' && !Array.isArray(o) ? Object.fromEntries(Object.entries(o).reverse().map(([k, v]) => [k, reverse(v)])) : o);
    const reordered = reverse(defaultImportSettings) as typeof defaultImportSettings;
    expect(Object.keys(reordered)[0]).toBe('massChangeThreshold');
    const given = runCommands(schoolDecider, [{ type: 'ChangeImportSettings', settings: { ...defaultImportSettings, preAdmissions: true } }]);
    const again = schoolDecider.decide({ type: 'ChangeImportSettings', settings: { ...reordered, preAdmissions: true } }, given.state);
    expect(again).toEqual(E.right([]));
  });
});
