/**
 * Read models kept apart from the log (`--views`), for a store that keeps none (EventStoreDB; here the
 * in-memory store without read models stands in for it, over the same port): a PGlite folder follows the
 * log, and what it holds is the fold of the log (R-AUD-2, R-AUD-4).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contactDecider, contactStream, fixedClock, handleCommand, memberDecider, memberStream, memoryStore, sequentialIds } from '../../packages/core/src/index.js';
import { catchUpViews, compareRowsWithFold, rebuildFromStore, rowViews } from '../../packages/projections/src/index.js';
import { openPgliteStore } from '../../packages/adapters-store/src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'contactable-follow-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const SCHOOL = 'test-school';

describe('read models following another log (--views)', () => {
  it('R-AUD-2 R-AUD-4 a PGlite folder follows a log that keeps no read models, and holds its fold', async () => {
    const log = memoryStore({ readModels: null });
    expect(log.readModels).toBeUndefined();
    const deps = { store: log, clock: fixedClock('2026-09-01T08:00:00.000Z'), ids: sequentialIds('follow') };
    const ctx = { schoolId: SCHOOL, actor: { kind: 'person' as const, name: 'J. Smith' } };
    const add = async (n: number): Promise<void> => {
      const [m, c] = [`m${n}`, `c${n}`];
      await handleCommand(deps, contactDecider, contactStream(c), { type: 'AddContact', contactId: c, name: { given: 'Ann', family: `Parent${n}` }, email: { value: `ann${n}@example.org`, valid: true, location: 'Home' }, mobile: null }, ctx);
      await handleCommand(deps, memberDecider, memberStream(m), { type: 'AddMember', memberId: m, kind: 'student', name: { given: 'Ben', family: `Parent${n}` } }, ctx);
      await handleCommand(deps, memberDecider, memberStream(m), { type: 'LinkContact', memberId: m, contactId: c, link: { relationship: 'Mother', priority: 1 as never, parentalResponsibility: true, prime: true, source: 'address-book' } }, ctx);
    };
    for (let n = 0; n < 5; n++) await add(n);
    const kept = await openPgliteStore(join(dir, 'views'));
    try {
      const rows = kept.readModels!;
      expect(await catchUpViews(log, rows, 4)).toBe(15);
      expect(await compareRowsWithFold(rows, SCHOOL, await rebuildFromStore(log, { schoolId: SCHOOL }))).toEqual([]);
      await add(5);
      await handleCommand(deps, contactDecider, contactStream('c2'), { type: 'OptOut', contactId: 'c2', via: 'staff' }, ctx);
      const views = rowViews(rows, SCHOOL, async () => {
        await catchUpViews(log, rows);
      });
      expect((await views.linkedPeople('m2'))!.linkedPeople[0]!.optedOut).toBe(true);
      expect((await views.linkedPeople('m5'))!.linkedPeople).toHaveLength(1);
      expect(await views.position()).toBe(19);
      expect(await compareRowsWithFold(rows, SCHOOL, await rebuildFromStore(log, { schoolId: SCHOOL }))).toEqual([]);
    } finally {
      await kept.close();
    }
  });
});
