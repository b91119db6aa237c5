/**
 * Read models kept as rows (the store's tables) are the in-memory fold, whatever the batching: for any
 * history, applying it to rows in batches of any size gives rows that agree with `project` entry by entry
 * (R-AUD-4), and every view answered from the rows is the in-memory view's answer (R-LNK-1, R-DSH-1..3,
 * R-DEL-1).
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { memoryRows, type StoredEvent } from '@contactable/core';
import { applyToRows, canonicalJson, compareRowsWithFold, project, projectionViews, rowViews, type Views } from '../src/index.js';
import { arbHistory, arbIssueFilter, CONTACTS, MEMBERS, SCHOOL } from './history.js';

const runs = { numRuns: Number(process.env.LAW_RUNS ?? 300) };
const TODAY = '2026-09-20';

/** Rows from a history applied in batches of the given sizes (cycling), as appends would. */
const rowsOf = async (events: ReadonlyArray<StoredEvent>, sizes: ReadonlyArray<number>) => {
  const rows = memoryRows();
  for (let i = 0, k = 0; i < events.length; k++) {
    const n = Math.max(1, sizes[k % sizes.length]!);
    await applyToRows(events.slice(i, i + n), rows);
    i += n;
  }
  return rows;
};

const source = (rows: ReturnType<typeof memoryRows>, head: number) => ({ ...rows, position: async () => head, upToDate: async () => true, rebuild: async () => head });

/** Every answer of the Views port, as one string. */
const answers = async (v: Views, filters: ReadonlyArray<object>): Promise<string> =>
  canonicalJson({
    members: await v.members(),
    onRoll: await v.members({ roll: 'on-roll' }),
    linked: await Promise.all(MEMBERS.map((m) => v.linkedPeople(m))),
    contacts: await Promise.all(CONTACTS.map((c) => v.contact(c))),
    dashboard: await v.dashboard(TODAY),
    issues: await v.dataIssues(),
    filtered: await Promise.all(filters.map((f) => v.dataIssues(f))),
    leavers: await v.leavers(TODAY),
    groups: await v.groups(),
    byEmail: await v.contactsHolding('email', 'ann.parent@example.org'),
    found: await Promise.all([...MEMBERS, ...CONTACTS].map((x) => v.findMembers(x))),
  });

describe('read models as rows', () => {
  it('R-AUD-4 rows applied in batches of any size agree with the in-memory fold, entry by entry', async () => {
    await fc.assert(
      fc.asyncProperty(arbHistory(), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 4 }), async (events, sizes) => {
        const rows = await rowsOf(events, sizes);
        const fold = project(events, { schoolId: SCHOOL });
        expect(await compareRowsWithFold(rows, SCHOOL, fold)).toEqual([]);
      }),
      runs,
    );
  });

  it('R-LNK-1 R-DSH-1 R-DSH-3 R-DEL-1 every view answered from the rows is the in-memory answer', async () => {
    await fc.assert(
      fc.asyncProperty(arbHistory(), fc.array(fc.integer({ min: 1, max: 9 }), { minLength: 1, maxLength: 3 }), fc.array(arbIssueFilter, { maxLength: 3 }), async (events, sizes, filters) => {
        const rows = await rowsOf(events, sizes);
        const fold = project(events, { schoolId: SCHOOL });
        const head = events[events.length - 1]?.position ?? 0;
        expect(await answers(rowViews(source(rows, head), SCHOOL), filters)).toBe(await answers(projectionViews(fold), filters));
      }),
      runs,
    );
  });

  it('R-AUD-4 a wrong row is found and named by table and key', async () => {
    await fc.assert(
      fc.asyncProperty(arbHistory(), async (events) => {
        const rows = await rowsOf(events, [5]);
        const fold = project(events, { schoolId: SCHOOL });
        const member = (await rows.find('member', SCHOOL, {}))[0];
        fc.pre(member !== undefined);
        await rows.put([{ table: 'member', schoolId: SCHOOL, key: member!.key, doc: member!.doc, columns: { ...member!.columns, flags: 99 }, lookups: [], subject: null, personal: member!.personal }]);
        expect(await compareRowsWithFold(rows, SCHOOL, fold)).toContain(`member ${member!.key}: dashboard flags differ`);
      }),
      { numRuns: 50 },
    );
  });
});
