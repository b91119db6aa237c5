/** Laws across formats: the same school from CTF and from SIMS CSV gives the same state. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { generateSchool, parseCtf, parseSimsCsv, textSource, writeCtf, writeSimsCsv } from '@contactable/adapters-sims';
import { defaultImportSettings } from '@contactable/core';
import { entityStates, harness, heldOf } from '../../core/test/import/fixtures.js';

const viaCtf = async (s: Parameters<typeof writeCtf>[0]) => {
  const r = await parseCtf(textSource('school.xml', writeCtf(s)));
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};
const viaCsv = async (s: Parameters<typeof writeCtf>[0]) => {
  const c = writeSimsCsv(s);
  const r = await parseSimsCsv({ students: textSource('s.csv', c.students), contacts: textSource('c.csv', c.contacts), staff: textSource('t.csv', c.staff), groups: textSource('g.csv', c.groups) });
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

describe('format laws', () => {
  it('the same generated school imported from CTF and from SIMS CSV gives the same state, day after day', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 5, max: 40 }), fc.boolean(), async (seed, pupils, preAdmissions) => {
        const settings = { ...defaultImportSettings, preAdmissions, contacts: { ...defaultImportSettings.contacts, parentalResponsibility: { import: true, prime: false } } };
        const a = harness();
        const b = harness();
        for (const day of [0, 1, 2]) {
          const { snapshot, today } = generateSchool({ seed, pupils, day });
          await a.run(await viaCtf(snapshot), settings, today);
          await b.run(await viaCsv(snapshot), settings, today);
        }
        expect(entityStates(await heldOf(a.store))).toBe(entityStates(await heldOf(b.store)));
      }),
      { numRuns: 15 },
    );
  });

  it('R-IMP-1 a generated school re-imported unchanged appends nothing; a later day appends about its churn', async () => {
    const h = harness();
    const day0 = generateSchool({ seed: 7, pupils: 300 });
    const first = await h.run(await viaCtf(day0.snapshot), defaultImportSettings, day0.today);
    expect(first.counts.membersAdded).toBeGreaterThan(250);
    expect((await h.run(await viaCsv(day0.snapshot), defaultImportSettings, day0.today)).recorded).toBe(false);
    const day1 = generateSchool({ seed: 7, pupils: 300, day: 1 });
    const next = await h.run(await viaCtf(day1.snapshot), defaultImportSettings, day1.today);
    expect(next.counts.leavers + next.counts.membersAdded).toBeGreaterThan(0);
    expect(next.counts.eventsAppended).toBeLessThan(first.counts.eventsAppended * 0.05);
  });

  it('R-CON-1 invalid details in a good file flow through as data issues, not parse errors', async () => {
    const h = harness();
    const { snapshot, today } = generateSchool({ seed: 'invalid', pupils: 400 });
    const r = await h.run(await viaCtf(snapshot), defaultImportSettings, today);
    expect(r.plan.issues.invalidEmails.length + r.plan.issues.invalidMobiles.length).toBeGreaterThan(0);
  });
});
