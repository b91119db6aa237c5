/**
 * The CI slice of the kill suite (kill.chaos.test.ts runs 200+ trials): a few fixed-seed trials on
 * PostgreSQL, where the kill is aimed at a point in the work watched from outside. Kill -9 during an
 * import, a send and a retention run, then a re-run: no event lost or duplicated, every recipient
 * messaged once, views equal to a clean run's.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clean, rng, startKillLab, type KillLab, type Scenario } from './support/killLab.js';

let lab: KillLab;
beforeAll(async () => {
  lab = await startKillLab({ backends: ['postgres'], scenarios: ['import', 'send', 'retention'] });
}, 600_000);
afterAll(async () => {
  await lab?.close();
});

describe('kill -9 at random moments, then a re-run (slice)', () => {
  const cases: ReadonlyArray<[Scenario, string, number]> = [
    ['import', 'R-IMP-1 R-OPS-2 an import killed part-way and run again records each change exactly once', 11],
    ['send', 'R-CON-9 a send killed part-way and resumed reaches every recipient once (in-doubt ones resent on decision, same Message-ID)', 12],
    ['retention', 'R-DEL-2 R-DEL-3 a retention run killed part-way and run again anonymises each person exactly once', 13],
  ];
  for (const [scenario, title, seed] of cases) {
    it(title, async () => {
      const r = await lab.trial(scenario, 'postgres', rng(seed));
      expect({ ...r, killedAtMs: 0 }).toMatchObject({ lost: 0, duplicated: 0, gaps: 0, double: 0, missed: 0, stray: 0, viewsEqual: true, errors: [] });
      expect(clean(r)).toBe(true);
    }, 300_000);
  }
});
