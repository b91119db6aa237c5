import { describe, expect, it } from 'vitest';
import { fixedClock, handleCommand, memoryStore, sequentialIds, staffDecider, staffStream, type StaffCommand } from '@contactable/core';
import { catchUp, createProjection, projectionViews, restoreProjection, serialiseProjection } from '../src/index.js';

const ctx = { schoolId: 'default', actor: { kind: 'person' as const, name: 'Head Teacher' } };

describe('staff accounts in the views', () => {
  it('R-AUD-1 lists active accounts by name without a password hash, finds one by id or email, and drops a removed one', async () => {
    const store = memoryStore();
    const deps = { store, clock: fixedClock('2026-09-07T08:00:00.000Z'), ids: sequentialIds('views') };
    const run = (id: string, cmd: StaffCommand) => handleCommand(deps, staffDecider, staffStream(id), cmd, ctx);
    await run('z', { type: 'AddStaff', staffId: 'z', email: 'zoe@school.example', name: 'Zoe Adams', role: 'office', passwordHash: 'h1' });
    await run('a', { type: 'AddStaff', staffId: 'a', email: 'Amy@School.example', name: 'Amy Brown', role: 'admin', passwordHash: 'h2' });
    await run('c', { type: 'AddStaff', staffId: 'c', email: 'cal@school.example', name: 'Cal Jones', role: 'compliance', passwordHash: 'h3' });
    // Another school's account is not this school's.
    await handleCommand(deps, staffDecider, staffStream('o'), { type: 'AddStaff', staffId: 'o', email: 'o@other.example', name: 'Other', role: 'admin', passwordHash: 'h4' }, { ...ctx, schoolId: 'other' });
    const p = createProjection({ schoolId: 'default' });
    const views = projectionViews(p, async () => {
      await catchUp(store, p);
    });
    expect((await views.staff()).map((a) => a.name)).toEqual(['Amy Brown', 'Cal Jones', 'Zoe Adams']);
    expect(JSON.stringify(await views.staff())).not.toContain('h2');
    expect(await views.staffAccount('AMY@school.example')).toMatchObject({ staffId: 'a', role: 'admin' });
    expect(await views.staffAccount('z')).toMatchObject({ email: 'zoe@school.example' });
    await run('z', { type: 'ChangeStaffRole', staffId: 'z', role: 'admin' });
    await run('c', { type: 'RemoveStaff', staffId: 'c' });
    expect((await views.staff()).map((a) => [a.name, a.role])).toEqual([['Amy Brown', 'admin'], ['Zoe Adams', 'admin']]);
    expect(await views.staffAccount('cal@school.example')).toBeNull();
    // A snapshot keeps them.
    const again = projectionViews(restoreProjection(serialiseProjection(p)));
    expect((await again.staff()).map((a) => a.staffId)).toEqual(['a', 'z']);
  });
});

describe('staff accounts in the rows a store keeps', () => {
  it('R-AUD-1 R-DEL-3 the rows answer as the fold does, find an account by email, and lose a removed one', async () => {
    const { memoryRows } = await import('@contactable/core');
    const { applyToRows, compareRowsWithFold, project, rowViews } = await import('../src/index.js');
    const store = memoryStore();
    const deps = { store, clock: fixedClock('2026-09-07T08:00:00.000Z'), ids: sequentialIds('rows') };
    const run = (id: string, cmd: StaffCommand) => handleCommand(deps, staffDecider, staffStream(id), cmd, ctx);
    await run('z', { type: 'AddStaff', staffId: 'z', email: 'zoe@school.example', name: 'Zoe Adams', role: 'office', passwordHash: 'h1' });
    await run('a', { type: 'AddStaff', staffId: 'a', email: 'amy@school.example', name: 'Amy Brown', role: 'admin', passwordHash: 'h2' });
    await run('z', { type: 'ChangeStaffRole', staffId: 'z', role: 'compliance' });
    await run('a', { type: 'RemoveStaff', staffId: 'a' });
    const { decodeEvent } = await import('@contactable/core');
    const events = (await store.readAll({ after: 0, limit: 100 })).flatMap((r) => { const d = decodeEvent(r); return d._tag === 'Right' ? [d.right] : []; });
    const rows = memoryRows();
    for (const e of events) await applyToRows([e], rows);
    const source = { ...rows, position: async () => events.length, upToDate: async () => true, rebuild: async () => events.length };
    const views = rowViews(source, 'default');
    expect(await views.staff()).toEqual(await projectionViews(project(events, { schoolId: 'default' })).staff());
    expect(await views.staffAccount('ZOE@school.example')).toMatchObject({ staffId: 'z', name: 'Zoe Adams', role: 'compliance' });
    expect(await views.staffAccount('amy@school.example')).toBeNull();
    expect(JSON.stringify(await rows.find('staff', 'default', {}))).not.toContain('h1');
    expect(await compareRowsWithFold(rows, 'default', project(events, { schoolId: 'default' }))).toEqual([]);
  });
});
