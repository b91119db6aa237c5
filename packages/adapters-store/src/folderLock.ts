/** One process at a time per PGlite folder: two embedded databases writing one folder would corrupt it. */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { StoreError } from './errors.js';

const heldHere = new Set<string>();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
};

/** Takes the folder's lock file (taking over a stale one), or throws a StoreError naming the holder; returns the release. */
export const lockFolder = (folder: string, purpose = 'contactable'): (() => void) => {
  const path = join(resolve(folder), 'lock');
  if (heldHere.has(path)) throw new StoreError(folder, 'this folder is already open in this process; close the other store first');
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, `${process.pid}\n${purpose}`);
      closeSync(fd);
      heldHere.add(path);
      return () => {
        heldHere.delete(path);
        rmSync(path, { force: true });
      };
    } catch (e) {
      if ((e as { code?: string }).code !== 'EEXIST') throw e;
      const holder = Number(readFileSync(path, 'utf8').split('\n')[0]!.trim());
      if (Number.isInteger(holder) && holder > 0 && holder !== process.pid && alive(holder)) {
        throw new StoreError(folder, `this folder is in use by process ${holder}; stop it or use another folder`);
      }
      rmSync(path, { force: true });
    }
  }
  throw new StoreError(folder, 'could not take the folder lock');
};
