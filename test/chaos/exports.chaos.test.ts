/**
 * The fault suite for MIS exports (`pnpm chaos`): at least 1,000 mutated exports of each format
 * (truncated, lines dropped, duplicated or swapped, bytes dropped, duplicated or corrupted,
 * hostile text injected), each imported whole into a school's store or refused whole with an error
 * naming the file and place; then every kind of input over a limit, each in its own process, its
 * time and peak memory printed against the targets (under 5 s, under 300 MB).
 * FAULT_RUNS sets the exports per format (default 1,000); FAULT_SEED fixes fast-check's seed.
 */
import { loadavg } from 'node:os';
import { afterAll, describe, expect, it } from 'vitest';
import { formats, mutationRuns, tallyTable, type Tally } from './support/exports.js';
import { TRIALS } from './support/limit-trial.js';
import { metTargets, runTrial, trialTable, type TrialResult } from './support/trials.js';

const RUNS = Number(process.env['FAULT_RUNS'] ?? '1000');
const SEED = process.env['FAULT_SEED'] === undefined ? undefined : Number(process.env['FAULT_SEED']);

const tallies: Tally[] = [];
const trials: TrialResult[] = [];

afterAll(() => {
  const load = loadavg().map((l) => l.toFixed(1)).join(', ');
  const exports = tallies.reduce((n, t) => n + t.exports, 0);
  const failures = tallies.reduce((n, t) => n + t.failures.length, 0);
  console.log(
    [
      '',
      `Fault suite: mutated exports (${RUNS} per format${SEED === undefined ? '' : `, seed ${SEED}`})`,
      tallyTable(tallies),
      `targets: every export imported whole or refused whole, naming the place: ${exports - failures}/${exports}; crashes 0, hangs 0, half imports 0: ${failures === 0 ? 'met' : `MISSED (${failures})`}`,
      '',
      'Inputs over a limit, each in its own process (time of the parse; peak RSS of the process, Node and tsx included)',
      trialTable(trials),
      `(load average while measuring: ${load} on ${process.env['NUMBER_OF_PROCESSORS'] ?? 'this machine\'s'} cores; times are wall clock)`,
      '',
    ].join('\n'),
  );
});

describe('fault suite: mutated exports', () => {
  for (const format of formats) {
    it(`R-IMP-7 ${RUNS} mutated ${format.name} exports each import whole or are refused whole, naming the place`, async () => {
      const t = await mutationRuns(format, RUNS, SEED);
      tallies.push(t);
      expect(t.exports).toBe(RUNS);
      expect(t.failures).toEqual([]);
    });
  }
});

describe('fault suite: inputs over a limit', () => {
  for (const name of Object.keys(TRIALS)) {
    it(`${name} is refused, naming the limit`, async () => {
      const r = await runTrial(name);
      trials.push(r);
      expect(r.refusedAs).not.toBe('accepted');
      expect(r.message.length).toBeGreaterThan(0);
      if (!metTargets(r)) console.log(`${name}: ${r.ms} ms, ${r.peakRssMb} MB (targets: under 5,000 ms and 300 MB)`);
    });
  }
});
