import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { carriesPersonal, handleCommand, leavesNoAdmin, memoryStore, sequentialIds, fixedClock, staffDecider, staffMay, staffStream, subjectOfStream, type StaffRecord } from '../src/index.js';
import { runCommands } from '../src/testing/index.js';

const add = { type: 'AddStaff' as const, staffId: 's1', email: ' Jo.Office@School.Example ', name: 'Jo Office', role: 'office' as const, passwordHash: 'scrypt$hash-1' };
const types = (r: { events: ReadonlyArray<{ type: string }> }) => r.events.map((e) => e.type);

describe('staff accounts', () => {
  it('R-AUD-1 an account is added with its email as the key, then changes only when something changes', () => {
    const r = runCommands(staffDecider, [
      add,
      { type: 'ChangeStaffRole', staffId: 's1', role: 'office' },
      { type: 'ChangeStaffRole', staffId: 's1', role: 'admin' },
      { type: 'ChangeStaffPassword', staffId: 's1', passwordHash: 'scrypt$hash-2' },
      { type: 'ChangeStaffPassword', staffId: 's1', passwordHash: 'scrypt$hash-2' },
      { type: 'RemoveStaff', staffId: 's1' },
      { type: 'RemoveStaff', staffId: 's1' },
    ]);
    expect(types(r)).toEqual(['StaffAdded', 'StaffRoleChanged', 'StaffPasswordChanged', 'StaffRemoved']);
    expect(r.events[0]!.data).toMatchObject({ email: 'jo.office@school.example', name: 'Jo Office' });
    expect((r.state as StaffRecord).status).toBe('removed');
  });

  it('refuses a second add, a bad email, a missing name or password, and changes to a removed account', () => {
    const once = runCommands(staffDecider, [add]);
    expect(staffDecider.decide(add, once.state)).toEqual(E.left(expect.objectContaining({ code: 'already-exists' })));
    const absent = staffDecider.initialState;
    expect(staffDecider.decide({ ...add, email: 'not an address' }, absent)).toEqual(E.left(expect.objectContaining({ code: 'invalid-detail' })));
    expect(staffDecider.decide({ ...add, name: '  ' }, absent)).toEqual(E.left(expect.objectContaining({ code: 'invalid-command' })));
    expect(staffDecider.decide({ ...add, passwordHash: '' }, absent)).toEqual(E.left(expect.objectContaining({ code: 'invalid-command' })));
    const removed = runCommands(staffDecider, [add, { type: 'RemoveStaff', staffId: 's1' }]).state;
    expect(staffDecider.decide({ type: 'ChangeStaffRole', staffId: 's1', role: 'admin' }, removed)).toEqual(E.left(expect.objectContaining({ code: 'not-found' })));
  });

  it('compliance reads only; office acts on contacts but not settings or staff; admin does all', () => {
    expect(['read', 'act-on-contacts', 'change-settings', 'manage-staff'].map((p) => staffMay('compliance', p as never))).toEqual([true, false, false, false]);
    expect(['read', 'act-on-contacts', 'change-settings', 'manage-staff'].map((p) => staffMay('office', p as never))).toEqual([true, true, false, false]);
    expect(['read', 'act-on-contacts', 'change-settings', 'manage-staff'].map((p) => staffMay('admin', p as never))).toEqual([true, true, true, true]);
  });

  it('never leaves a school that had an admin without one', () => {
    const accounts = [{ staffId: 'a', role: 'admin' as const }, { staffId: 'b', role: 'office' as const }];
    expect(leavesNoAdmin(accounts, { staffId: 'a', role: null })).toBe(true);
    expect(leavesNoAdmin(accounts, { staffId: 'a', role: 'office' })).toBe(true);
    expect(leavesNoAdmin(accounts, { staffId: 'b', role: null })).toBe(false);
    expect(leavesNoAdmin([...accounts, { staffId: 'c', role: 'admin' }], { staffId: 'a', role: null })).toBe(false);
    expect(leavesNoAdmin([{ staffId: 'b', role: 'office' }], { staffId: 'b', role: null })).toBe(false);
  });

  it('R-DEL-3 the email, name and hash are personal: sealed under the account, masked once its key is forgotten', async () => {
    expect(carriesPersonal('StaffAdded')).toBe(true);
    expect(carriesPersonal('StaffPasswordChanged')).toBe(true);
    expect(subjectOfStream(staffStream('s1'))).toBe('staff-s1');
    const store = memoryStore();
    const deps = { store, clock: fixedClock('2026-09-07T08:00:00.000Z'), ids: sequentialIds('staff') };
    const r = await handleCommand(deps, staffDecider, staffStream('s1'), add, { schoolId: 'default', actor: { kind: 'system', name: 'test' } });
    expect(E.isRight(r)).toBe(true);
    await store.forget(staffStream('s1'));
    const [stored] = await store.readStream(staffStream('s1'));
    expect(stored!.data).toEqual({ staffId: 's1', email: 'XXXX', name: 'XXXX', role: 'office', passwordHash: 'XXXX' });
  });
});

describe('the scheduled sync setting', () => {
  it('R-OPS-1 records where and when the sync runs, only on change, and refuses a time that is not HH:MM', async () => {
    const { schoolDecider } = await import('../src/index.js');
    const set = { type: 'ChangeSyncSchedule' as const, schedule: { exportPath: ' /srv/mis/export.xml ', at: '02:30' } };
    const r = runCommands(schoolDecider, [set, set, { type: 'ChangeSyncSchedule', schedule: { exportPath: '/srv/mis/export.xml', at: '' } }]);
    expect(r.events.map((e) => e.data)).toEqual([{ schedule: { exportPath: '/srv/mis/export.xml', at: '02:30' } }, { schedule: { exportPath: '/srv/mis/export.xml', at: null } }]);
    expect(schoolDecider.decide({ type: 'ChangeSyncSchedule', schedule: { exportPath: null, at: '25:00' } }, schoolDecider.initialState)).toEqual(E.left(expect.objectContaining({ code: 'invalid-command' })));
  });
});
