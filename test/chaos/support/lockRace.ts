/**
 * Races several processes for one folder's lock, round after round: each round every worker is told
 * "take" at once, all answer, holders are told to let go (or one is killed with SIGKILL while holding, so
 * the next round races over what a dead holder left). A round with more than one holder is a double
 * holder; a round with none, while nobody alive held it, is a lock nobody could take.
 */
import { fork, spawnSync, type ChildProcess } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { LockStrategy } from '../../../packages/adapters-store/src/folderLock.js';

const WORKER = fileURLToPath(new URL('./lockWorker.ts', import.meta.url));

/** What a race came to. */
export interface RaceResult {
  readonly strategy: LockStrategy;
  readonly rounds: number;
  readonly processes: number;
  /** Rounds in which more than one process held the folder at once (must be 0). */
  readonly doubleHolders: number;
  /** Rounds in which nobody got the lock (must be 0: the last holder had let go or died). */
  readonly noHolder: number;
  /** Holders killed with SIGKILL while holding. */
  readonly kills: number;
  /** Rounds started over a lock file naming a dead process, written by hand. */
  readonly staleSeeds: number;
  /** Refusals that did not say who holds the folder. */
  readonly unclearRefusals: number;
  /** A few of those refusals' messages. */
  readonly refusals: ReadonlyArray<string>;
  /** How long the rounds took. */
  readonly seconds: number;
}

interface Worker {
  readonly child: ChildProcess;
  readonly pid: number;
  next: (m: any) => void;
}

const spawnWorker = (): Promise<Worker> =>
  new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
    const w: Worker = { child, pid: child.pid!, next: () => undefined };
    child.once('error', reject);
    child.once('message', (m: any) => {
      if (m?.ready !== true) return reject(new Error('the lock worker did not start'));
      child.on('message', (x) => w.next(x));
      resolve(w);
    });
  });

const ask = (w: Worker, m: unknown, timeoutMs = 30_000): Promise<any> =>
  new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`lock worker ${w.pid} did not answer`)), timeoutMs);
    w.next = (x) => {
      clearTimeout(timer);
      resolve(x);
    };
    w.child.send(m as any);
  });

/** A pid that is certainly not running: a child that has already exited. */
export const deadPid = (): number => spawnSync(process.execPath, ['-e', '']).pid!;

/** Runs the race; `killEvery`: every n-th round the holder is killed instead of letting go; `staleEvery`: a dead pid's lock file is put in place first. */
export const raceLock = async (options: {
  readonly folder: string;
  readonly strategy: LockStrategy;
  readonly processes?: number;
  readonly rounds: number;
  readonly killEvery?: number;
  readonly staleEvery?: number;
}): Promise<RaceResult> => {
  const n = options.processes ?? 3;
  const workers: Worker[] = await Promise.all(Array.from({ length: n }, spawnWorker));
  // Spares, so a killed holder is replaced without waiting for a new process to start.
  let spare: Promise<Worker> | null = options.killEvery === undefined ? null : spawnWorker();
  let doubleHolders = 0;
  let noHolder = 0;
  let kills = 0;
  let staleSeeds = 0;
  let unclearRefusals = 0;
  const dead = options.staleEvery === undefined ? 0 : deadPid();
  const refusals: string[] = [];
  const started = Date.now();
  try {
    for (let round = 1; round <= options.rounds; round++) {
      if (options.staleEvery !== undefined && round % options.staleEvery === 0 && options.strategy === 'file') {
        writeFileSync(join(options.folder, 'lock'), `${JSON.stringify({ pid: dead, host: null, since: null, strategy: 'file', nonce: 'seed' })}\n`);
        staleSeeds += 1;
      }
      const answers = await Promise.all(workers.map((w) => ask(w, { op: 'take', round, folder: options.folder, strategy: options.strategy })));
      const holders = answers.filter((a) => a.got === true);
      if (holders.length > 1) doubleHolders += 1;
      if (holders.length === 0) noHolder += 1;
      for (const a of answers) {
        if (a.got === true || /in use by (process \d+|another process)/.test(String(a.error))) continue;
        unclearRefusals += 1;
        refusals.push(String(a.error));
      }
      const kill = options.killEvery !== undefined && round % options.killEvery === 0 && holders.length === 1;
      for (const [i, w] of workers.entries()) {
        if (!holders.some((h) => h.pid === w.pid)) continue;
        if (kill) {
          w.child.kill('SIGKILL');
          await new Promise((r) => (w.child.exitCode !== null || w.child.signalCode !== null ? r(null) : w.child.once('exit', r)));
          kills += 1;
          workers[i] = await spare!;
          spare = spawnWorker();
        } else {
          await ask(w, { op: 'release', round });
        }
      }
    }
  } finally {
    const all = [...workers, ...(spare === null ? [] : [await spare])];
    await Promise.all(
      all.map(
        (w) =>
          new Promise((r) => {
            w.child.once('exit', r);
            w.child.send({ op: 'exit' });
            setTimeout(() => w.child.kill('SIGKILL'), 5_000).unref();
          }),
      ),
    );
  }
  return { strategy: options.strategy, rounds: options.rounds, processes: n, doubleHolders, noHolder, kills, staleSeeds, unclearRefusals, refusals: [...new Set(refusals)].slice(0, 5), seconds: (Date.now() - started) / 1000 };
};
