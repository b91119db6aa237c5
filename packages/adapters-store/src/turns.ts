/**
 * Taking turns at an embedded store's folder. PGlite is PostgreSQL in this process: two processes must
 * never have one folder open at once. So a second process (an opt-out during the nightly import, a look
 * while the console runs) leaves a note in the folder that it is waiting and waits; the holder, between
 * two operations (never inside a transaction), sees the note, closes the folder and lets it go; the
 * waiter takes it, does its work and closes; the holder then takes it back and carries on.
 */
import { readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError } from './errors.js';
import { lockFolder, readLockFile } from './folderLock.js';

const WAITING = 'waiting-';

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
};

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** Who holds a folder, as its lock file says: the process and what it does. */
export interface Holder {
  readonly pid: number;
  readonly purpose: string;
}

/** How a process takes its turn. */
export interface TurnOptions {
  /** What this process does with the store, for others' waiting message ("import", "console"...). */
  readonly purpose?: string;
  /** Told once when the folder is held by another process and this one starts waiting. */
  readonly onWait?: (holder: Holder) => void;
  /** How long to wait for a turn before giving up, in ms (default 120000). */
  readonly waitMs?: number;
}

/** One process's turns at a folder. */
export interface Turns {
  /** Takes the folder, waiting for the holder to let it go; throws a StoreError after the wait limit. */
  readonly take: () => Promise<void>;
  /** True when another live process is waiting for the folder. */
  readonly wanted: () => boolean;
  /** Lets the folder go and waits until those waiting have had their turn. */
  readonly giveWay: () => Promise<void>;
  /** Lets the folder go for good. */
  readonly release: () => Promise<void>;
}

/** The holder of a folder, or null when none is alive. */
export const folderHolder = (folder: string): Holder | null => {
  const held = readLockFile(join(resolve(folder), 'lock'));
  return held !== null && alive(held.pid) ? { pid: held.pid, purpose: held.purpose ?? 'another process' } : null;
};

const waiters = (folder: string): number[] => {
  try {
    return readdirSync(folder)
      .filter((f) => f.startsWith(WAITING))
      .map((f) => Number(f.slice(WAITING.length)))
      .filter((pid) => Number.isInteger(pid) && pid !== process.pid && alive(pid));
  } catch {
    return [];
  }
};

/** Turns at a folder for this process. */
export const folderTurns = (folder: string, options: TurnOptions = {}): Turns => {
  const purpose = options.purpose ?? 'contactable';
  const waitMs = options.waitMs ?? 120_000;
  const note = join(folder, `${WAITING}${process.pid}`);
  let release: (() => Promise<void>) | null = null;
  let told = false;
  // Checking the folder costs a directory read: at most every so often.
  let checkedAt = 0;
  let wantedLast = false;

  const take = async (): Promise<void> => {
    const until = Date.now() + waitMs;
    let waiting = false;
    try {
      for (;;) {
        try {
          release = await lockFolder(folder, { purpose });
          return;
        } catch (e) {
          if (!(e instanceof StoreError) || !/in use by/.test(e.message)) throw e;
          if (Date.now() > until) throw new StoreError(folder, `the store is still busy (${folderHolder(folder)?.purpose ?? 'another process'}) after ${Math.round(waitMs / 1000)} s; try again when it has finished`);
          if (!waiting) {
            writeFileSync(note, purpose);
            waiting = true;
          }
          const holder = folderHolder(folder);
          if (!told && holder !== null) {
            told = true;
            options.onWait?.(holder);
          }
          await sleep(50);
        }
      }
    } finally {
      if (waiting) rmSync(note, { force: true });
    }
  };

  return {
    take,
    wanted: () => {
      const now = Date.now();
      if (now - checkedAt < 100) return wantedLast;
      checkedAt = now;
      wantedLast = waiters(folder).length > 0;
      return wantedLast;
    },
    giveWay: async () => {
      const waiting = waiters(folder);
      await release?.();
      release = null;
      // Those waiting now go first: until their notes are gone (each removes its own once it has the
      // folder) and the folder is free again, this process does not take it back.
      const until = Date.now() + waitMs;
      while (Date.now() < until && waiters(folder).some((pid) => waiting.includes(pid))) await sleep(20);
      await take();
    },
    release: async () => {
      await release?.();
      release = null;
    },
  };
};
