/**
 * The chaos suite's targets: each suite records what it measured against what it must reach, and
 * `pnpm chaos` prints every record in one table at the end (globalSetup.ts). Run under the main test
 * config (the CI slices) there is nowhere to collect them, and each record is printed at once instead.
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { inject } from 'vitest';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Where `pnpm chaos` collects the targets (a folder), set by globalSetup.ts. */
    chaosResults: string;
  }
}

/** One measured target. */
export interface TargetRecord {
  readonly suite: string;
  /** What was measured, e.g. "kill-at-random trials (import, send, retention)". */
  readonly name: string;
  /** What it came to, e.g. "220 trials: 0 lost, 0 duplicated". */
  readonly measured: string;
  /** What it must reach, e.g. ">= 200 trials, 0 lost". */
  readonly target: string;
  readonly met: boolean;
}

/** Records a target for the closing table. */
export const recordTarget = (r: TargetRecord): void => {
  let dir: string | undefined;
  try {
    dir = inject('chaosResults');
  } catch {
    dir = undefined;
  }
  if (dir === undefined || dir === '') {
    console.log(`[chaos] ${r.suite}: ${r.name}: ${r.measured} (target ${r.target}) ${r.met ? 'MET' : 'NOT MET'}`);
    return;
  }
  appendFileSync(join(dir, 'targets.jsonl'), `${JSON.stringify(r)}\n`);
};
