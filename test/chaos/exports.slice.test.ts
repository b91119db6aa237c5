/**
 * The CI slice of the fault suite (`pnpm chaos` runs the whole of it): a few mutated exports of
 * each format on a fixed seed, each imported whole or refused whole naming the place, and one
 * hostile file over a limit refused in a child process, its time and peak memory printed.
 */
import { describe, expect, it } from 'vitest';
import { formats, mutationRuns, tallyTable, type Tally } from './support/exports.js';
import { runTrial, trialTable } from './support/trials.js';

const SEED = 20260914;
const RUNS = 20;

describe('fault suite (slice)', () => {
  const tallies: Tally[] = [];
  for (const format of formats) {
    it(`R-IMP-7 ${RUNS} mutated ${format.name} exports each import whole or are refused whole, naming the place`, async () => {
      const t = await mutationRuns(format, RUNS, SEED);
      tallies.push(t);
      expect(t.exports).toBe(RUNS);
      expect(t.failures).toEqual([]);
      if (tallies.length === formats.length) console.log(`\n${tallyTable(tallies)}\n`);
    });
  }

  it('a CTF with a 200 MB text node is refused at the text limit, in a child process that reports its time and memory', async () => {
    const r = await runTrial('ctf-text-node-200MB');
    console.log(`\n${trialTable([r])}\n`);
    expect(r.refusedAs).toBe('over-limit maxTextLength');
  });
});
