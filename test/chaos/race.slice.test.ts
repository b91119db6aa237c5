/**
 * The CI slice of the race suite (race.chaos.test.ts runs more rounds): three processes race for one
 * embedded store folder's lock, round after round, with holders killed by SIGKILL and (for the file
 * lock) dead holders' lock files put in the way. Never two holders at once (R-OPS-2: PGlite must never
 * have two writers), and never a folder nobody can take.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { raceLock } from './support/lockRace.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const folder = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'contactable-race-'));
  dirs.push(d);
  return d;
};

describe('one writer per embedded folder (slice)', () => {
  it('R-OPS-2 the kernel-held lock (Linux): 3 processes x 100 rounds, holders killed: never two holders', async () => {
    const r = await raceLock({ folder: folder(), strategy: 'socket', processes: 3, rounds: 100, killEvery: 50 });
    expect(r).toMatchObject({ doubleHolders: 0, noHolder: 0, unclearRefusals: 0, kills: 2 });
  });

  it('R-OPS-2 the lock file (other systems): 3 processes x 100 rounds over files left by dead holders: never two holders', async () => {
    const r = await raceLock({ folder: folder(), strategy: 'file', processes: 3, rounds: 100, staleEvery: 3, killEvery: 50 });
    expect(r).toMatchObject({ doubleHolders: 0, noHolder: 0, unclearRefusals: 0, kills: 2, staleSeeds: 33 });
  });
});
