/** Runs limit trials in child processes (support/limit-trial.ts) and prints them against the targets. */
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

/** What one trial gave. */
export interface TrialResult {
  readonly name: string;
  readonly what: string;
  readonly refusedAs: string;
  readonly message: string;
  readonly ms: number;
  /** CPU time of the parse (user and system): what the wall clock would show on an idle machine. */
  readonly cpuMs: number;
  readonly peakRssMb: number;
}

/** The targets for any single input over a limit. */
export const TARGET = { ms: 5_000, peakRssMb: 300 } as const;

const SCRIPT = fileURLToPath(new URL('./limit-trial.ts', import.meta.url));
const BUILT = fileURLToPath(new URL('../../../packages/adapters-sims/dist/index.js', import.meta.url));
const KILL_AFTER_MS = 120_000;

/** Runs one trial in a child process. */
export const runTrial = (name: string): Promise<TrialResult> =>
  new Promise((resolve, reject) => {
    if (!existsSync(BUILT)) {
      reject(new Error(`the packages are not built (${BUILT}): run pnpm chaos, which builds first`));
      return;
    }
    execFile(process.execPath, ['--import', 'tsx', SCRIPT, name], { timeout: KILL_AFTER_MS, maxBuffer: 1 << 20 }, (error, stdout, stderr) => {
      if (error !== null) {
        reject(new Error(`trial ${name} failed (${error.killed ? `killed after ${KILL_AFTER_MS} ms` : `exit ${String(error.code)}`}): ${stderr.slice(0, 2000)}`));
        return;
      }
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as TrialResult);
    });
  });

/** True when a trial met both targets. */
export const metTargets = (r: TrialResult): boolean => r.ms < TARGET.ms && r.peakRssMb < TARGET.peakRssMb;

/** The trials as a table against the targets. */
export const trialTable = (results: ReadonlyArray<TrialResult>): string => {
  const head = ['input over a limit', 'refused as', 'ms', 'CPU ms', 'peak RSS MB', `targets (< ${TARGET.ms} ms, < ${TARGET.peakRssMb} MB)`];
  const rows = results.map((r) => [r.what, r.refusedAs, String(r.ms), String(r.cpuMs), String(r.peakRssMb), metTargets(r) ? 'met' : 'MISSED']);
  const widths = head.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const fmt = (r: ReadonlyArray<string>) => r.map((c, i) => (i >= 2 && i <= 4 ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ');
  const met = results.filter(metTargets).length;
  return [fmt(head), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(fmt), `targets met: ${met}/${results.length}`].join('\n');
};
