/** The store-backed Directory: audiences and the address index (an address shared by two contacts gives both). */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { handleCommand, memberDecider, memberStream, memoryStore, emailDetail } from '@contactable/core';
import { isDirectoryError, storeDirectory } from '@contactable/adapters-messaging';
import { SCHOOL, contactCommand, createGroup, importContact, importMember, link, makeDeps } from './support/world.js';

describe('store directory', () => {
  it('R-LNK-2: audiences reach prime contacts, contacts with parental responsibility, group contacts and group members', async () => {
    const deps = makeDeps(memoryStore());
    for (const id of ['c-1', 'c-2', 'c-3', 'c-4']) await importContact(deps, { id, email: `${id}@example.org` });
    await importMember(deps, 'm-1', { 'c-1': link(true, true, 1), 'c-2': link(false, true, 2), 'c-3': link(false, false, 3) });
    await importMember(deps, 'm-2', { 'c-3': link(false, false) });
    await createGroup(deps, 'g-1', [{ kind: 'member', id: 'm-1' }, { kind: 'contact', id: 'c-4' }]);
    const dir = storeDirectory(deps.store);
    expect(await dir.resolveAudience({ kind: 'prime-parents', memberIds: ['m-1', 'm-2', 'm-9'] })).toEqual({
      candidates: [{ contactId: 'c-1', memberId: 'm-1' }],
      unreachable: [
        { contactId: null, memberId: 'm-2', reasons: ['the member has no prime parent'] },
        { contactId: null, memberId: 'm-9', reasons: ['the member is not held by this school'] },
      ],
    });
    expect(await dir.resolveAudience({ kind: 'parental-responsibility', memberIds: ['m-1'] })).toEqual({
      candidates: [{ contactId: 'c-1', memberId: 'm-1' }, { contactId: 'c-2', memberId: 'm-1' }],
      unreachable: [],
    });
    expect(await dir.resolveAudience({ kind: 'group', groupId: 'g-1' })).toEqual({
      candidates: [{ contactId: 'c-4', memberId: null }, { contactId: 'c-1', memberId: 'm-1' }],
      unreachable: [],
    });
    expect(isDirectoryError(await dir.resolveAudience({ kind: 'group', groupId: 'g-9' }))).toBe(true);
  });

  it('R-IMP-2: a child excluded by the settings (an exception) is withdrawn from every audience at once: prime parents, parental responsibility, hand-made groups', async () => {
    const deps = makeDeps(memoryStore());
    for (const id of ['c-1', 'c-2']) await importContact(deps, { id, email: `${id}@example.org` });
    await importMember(deps, 'm-1', { 'c-1': link(true, true, 1) });
    await importMember(deps, 'm-2', { 'c-2': link(true, true, 1) });
    await createGroup(deps, 'g-1', [{ kind: 'member', id: 'm-1' }, { kind: 'member', id: 'm-2' }]);
    const excluded = await handleCommand(deps, memberDecider, memberStream('m-1'), { type: 'ExcludeMember', memberId: 'm-1', because: 'exception' }, { schoolId: SCHOOL, actor: { kind: 'import', runId: 'run-2' } });
    expect(E.isRight(excluded)).toBe(true);
    const dir = storeDirectory(deps.store);
    const withdrawn = { contactId: null, memberId: 'm-1', reasons: ['the member is not imported: excluded by the import settings'] };
    expect(await dir.resolveAudience({ kind: 'prime-parents', memberIds: ['m-1', 'm-2'] })).toEqual({ candidates: [{ contactId: 'c-2', memberId: 'm-2' }], unreachable: [withdrawn] });
    expect(await dir.resolveAudience({ kind: 'parental-responsibility', memberIds: ['m-1'] })).toEqual({ candidates: [], unreachable: [withdrawn] });
    expect(await dir.resolveAudience({ kind: 'group', groupId: 'g-1' })).toEqual({ candidates: [{ contactId: 'c-2', memberId: 'm-2' }], unreachable: [withdrawn] });
  });

  it('R-CON-3: the address index follows the log: shared addresses give every holder, changed ones move', async () => {
    const deps = makeDeps(memoryStore());
    await importContact(deps, { id: 'c-1', email: 'Family@Example.org', mobile: '07911 123456' });
    await importContact(deps, { id: 'c-2', email: 'family@example.org' });
    const dir = storeDirectory(deps.store);
    expect(await dir.contactsByAddress('email', ' FAMILY@example.org')).toEqual(['c-1', 'c-2']);
    expect(await dir.contactsByAddress('sms', '447911123456')).toEqual(['c-1']);
    expect(await dir.contactsByAddress('sms', '07911 123456')).toEqual(['c-1']);
    await contactCommand(deps, { type: 'EditContact', contactId: 'c-2', email: emailDetail('new@example.org', 'Home') });
    expect(await dir.contactsByAddress('email', 'family@example.org')).toEqual(['c-1']);
    expect(await dir.contactsByAddress('email', 'new@example.org')).toEqual(['c-2']);
  });
});
