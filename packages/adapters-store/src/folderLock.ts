/**
 * One process at a time per embedded store folder: two PGlite instances writing one folder would
 * corrupt it, so the lock must be exclusive even when processes start at the same instant, and must
 * not outlive a process killed with -9.
 *
 * Two ways to hold it, each taken by one atomic step:
 * - `socket` (Linux, the default there): listening on an abstract Unix socket named after the folder's
 *   device and inode. The kernel lets one socket bind a name, and releases it when the process dies,
 *   however it dies: nothing to clean up, no pid to trust. Abstract names belong to a network
 *   namespace, so two containers sharing the folder do not see each other's lock (use PostgreSQL there).
 * - `file` (elsewhere): `<folder>/lock` made by hard-linking a complete file (link() is an exclusive
 *   create, and the holder's pid is in it from the first instant). A lock whose process is gone is
 *   broken only by whoever holds `<folder>/lock.break`, after checking again under it, so two processes
 *   cleaning up after a crash cannot both take the folder. Left behind is a window only if a process dies
 *   while breaking a stale lock and two others then race: far narrower than a crash during a write.
 *
 * Either way `<folder>/lock` names the holder (pid, host, since), for messages and `contactable doctor`.
 */
import { randomBytes, createHash } from 'node:crypto';
import { existsSync, linkSync, readFileSync, renameSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createConnection, createServer, type Server } from 'node:net';
import { hostname } from 'node:os';
import { join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoreError } from './errors.js';

/** How the lock is held. */
export type LockStrategy = 'socket' | 'file';

/** Options for taking a folder's lock. */
export interface FolderLockOptions {
  /** Default: `socket` on Linux, `file` elsewhere. */
  readonly strategy?: LockStrategy;
  /** What the holder does with the store ("import", "console"...), for others' waiting message. */
  readonly purpose?: string;
}

/** Who holds (or held) a folder, as its lock file says. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string | null;
  readonly since: string | null;
  readonly strategy: LockStrategy | null;
  /** Tells two takings of the lock by one pid apart. */
  readonly nonce: string | null;
  /** What the holder does with the store, when it said. */
  readonly purpose: string | null;
}

/** What a look at a folder's lock, without taking it, finds. */
export type LockStatus =
  | { readonly state: 'free' }
  | { readonly state: 'held'; readonly holder: LockHolder | null }
  /** A lock file left by a process that is gone (killed, crashed): cleared at the next open. */
  | { readonly state: 'stale'; readonly holder: LockHolder };

/** The strategy used when none is given. */
export const defaultLockStrategy = (): LockStrategy => (process.platform === 'linux' ? 'socket' : 'file');

const heldHere = new Set<string>();

const alive = (pid: number): boolean => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === 'EPERM';
  }
};

const codeOf = (e: unknown): string | undefined => (e as { code?: string } | null)?.code;

/** Reads a lock file: JSON (this version) or a bare pid (earlier ones); null when absent or unreadable. */
export const readLockFile = (path: string): LockHolder | null => {
  let text: string;
  try {
    text = readFileSync(path, 'utf8').trim();
  } catch {
    return null;
  }
  if (/^\d+$/.test(text)) return { pid: Number(text), host: null, since: null, strategy: null, nonce: null, purpose: null };
  try {
    const o = JSON.parse(text) as Record<string, unknown>;
    if (typeof o.pid !== 'number' || !Number.isInteger(o.pid) || o.pid <= 0) return null;
    return {
      pid: o.pid,
      host: typeof o.host === 'string' ? o.host : null,
      since: typeof o.since === 'string' ? o.since : null,
      strategy: o.strategy === 'socket' || o.strategy === 'file' ? o.strategy : null,
      nonce: typeof o.nonce === 'string' ? o.nonce : null,
      purpose: typeof o.purpose === 'string' ? o.purpose : null,
    };
  } catch {
    return null;
  }
};

const me = (strategy: LockStrategy, purpose: string | null): LockHolder => ({ pid: process.pid, host: hostname(), since: new Date().toISOString(), strategy, nonce: randomBytes(8).toString('hex'), purpose });
const text = (h: LockHolder): string => `${JSON.stringify(h)}\n`;
const same = (a: LockHolder | null, b: LockHolder): boolean => a !== null && a.pid === b.pid && a.nonce === b.nonce;

const inUse = (folder: string, holder: LockHolder | null): StoreError =>
  new StoreError(folder, `this folder is in use by ${holder === null ? 'another process' : `process ${holder.pid}${holder.since !== null ? ` (since ${holder.since})` : ''}`}; stop it or use another folder`);

/** The abstract socket name of a folder: its device and inode, so every path to it (links, bind mounts) agrees. */
export const lockSocketName = (folder: string): string => {
  const st = statSync(folder);
  return `\0contactable/lock/${createHash('sha256').update(`${st.dev}:${st.ino}`).digest('hex').slice(0, 40)}`;
};

// Asks the socket's holder who it is; null when nobody listens (or it does not answer in time).
const askHolder = (name: string, timeoutMs = 1_000): Promise<{ listening: boolean; holder: LockHolder | null }> =>
  new Promise((done) => {
    let buf = '';
    let connected = false;
    const socket = createConnection({ path: name });
    const finish = (): void => {
      socket.destroy();
      let holder: LockHolder | null = null;
      try {
        const o = JSON.parse(buf) as LockHolder;
        if (typeof o.pid === 'number') holder = o;
      } catch {
        holder = null;
      }
      done({ listening: connected, holder });
    };
    socket.setTimeout(timeoutMs, finish);
    socket.on('connect', () => (connected = true));
    socket.on('data', (d) => (buf += d.toString('utf8')));
    socket.on('end', finish);
    socket.on('error', finish);
  });

const writeInfo = (path: string, holder: LockHolder): void => {
  const tmp = `${path}.${holder.nonce}.tmp`;
  writeFileSync(tmp, text(holder));
  renameSync(tmp, path);
};

const removeIfOurs = (path: string, holder: LockHolder): void => {
  if (same(readLockFile(path), holder)) {
    try {
      unlinkSync(path);
    } catch {
      // Already gone: nothing to release.
    }
  }
};

const lockBySocket = async (folder: string, path: string, purpose: string | null): Promise<() => Promise<void>> => {
  const name = lockSocketName(folder);
  const holder = me('socket', purpose);
  const server: Server = createServer((c) => {
    c.on('error', () => undefined);
    c.end(JSON.stringify(holder));
  });
  const bound = await new Promise<true | Error>((done) => {
    server.once('error', (e) => done(e));
    // exclusive: under the cluster module a worker must bind for itself, not share its primary's handle.
    server.listen({ path: name, exclusive: true }, () => done(true));
  });
  if (bound !== true) {
    if (codeOf(bound) !== 'EADDRINUSE') throw new StoreError(folder, `could not take the folder lock (${codeOf(bound) ?? bound.message})`);
    const asked = await askHolder(name);
    throw inUse(folder, asked.holder ?? readLockFile(path));
  }
  // The lock must not keep the process alive on its own.
  server.unref();
  server.on('error', () => undefined);
  writeInfo(path, holder);
  return async () => {
    removeIfOurs(path, holder);
    await new Promise<void>((done) => server.close(() => done()));
  };
};

// Makes `path` exist with our content in one step, or says it already existed.
const linkNew = (path: string, holder: LockHolder): boolean => {
  const tmp = `${path}.${holder.nonce}.tmp`;
  writeFileSync(tmp, text(holder));
  try {
    linkSync(tmp, path);
    return true;
  } catch (e) {
    if (codeOf(e) !== 'EEXIST') throw e;
    return false;
  } finally {
    try {
      unlinkSync(tmp);
    } catch {
      // Nothing to tidy.
    }
  }
};

const ageMs = (path: string): number => {
  try {
    return Date.now() - statSync(path).mtimeMs;
  } catch {
    return 0;
  }
};

// A lock file whose holder is gone; an unreadable one (an earlier version that died between creating
// and writing it) counts once it is a few seconds old.
const isStale = (path: string, holder: LockHolder | null): boolean =>
  holder === null ? ageMs(path) > 5_000 : holder.host !== null && holder.host !== hostname() ? false : !alive(holder.pid);

const lockByFile = async (folder: string, path: string, purpose: string | null): Promise<() => Promise<void>> => {
  const breaker = `${path}.break`;
  const holder = me('file', purpose);
  for (let attempt = 0; attempt < 200; attempt++) {
    if (linkNew(path, holder)) {
      return async () => removeIfOurs(path, holder);
    }
    const current = readLockFile(path);
    if (current === null && !existsSync(path)) continue; // released meanwhile
    if (!isStale(path, current)) {
      if (current === null) {
        await sleep(5 + Math.random() * 20);
        continue;
      }
      throw inUse(folder, current);
    }
    // Stale: only the holder of the break lock may remove it, after looking again.
    if (!linkNew(breaker, holder)) {
      const other = readLockFile(breaker);
      if (other !== null && isStale(breaker, other)) {
        // A breaker that died mid-break: its file is removed only if it is still the one we read.
        if (same(readLockFile(breaker), other)) removeIfOurs(breaker, other);
      }
      await sleep(2 + Math.random() * 10);
      continue;
    }
    try {
      const again = readLockFile(path);
      if ((again === null && current === null) || (again !== null && current !== null && again.pid === current.pid && again.nonce === current.nonce && isStale(path, again))) {
        try {
          unlinkSync(path);
        } catch (e) {
          if (codeOf(e) !== 'ENOENT') throw e;
        }
      }
    } finally {
      removeIfOurs(breaker, holder);
    }
  }
  throw new StoreError(folder, 'could not take the folder lock: it kept changing hands; try again');
};

/**
 * Takes the folder's lock, or throws a StoreError naming the holder; resolves to the release.
 * The folder must exist.
 */
export const lockFolder = async (folder: string, options: FolderLockOptions = {}): Promise<() => Promise<void>> => {
  const path = join(resolve(folder), 'lock');
  if (heldHere.has(path)) throw new StoreError(folder, 'this folder is already open in this process; close the other store first');
  heldHere.add(path);
  try {
    const release = (options.strategy ?? defaultLockStrategy()) === 'socket' ? await lockBySocket(folder, path, options.purpose ?? null) : await lockByFile(folder, path, options.purpose ?? null);
    let released = false;
    return async () => {
      if (released) return;
      released = true;
      try {
        await release();
      } finally {
        heldHere.delete(path);
      }
    };
  } catch (e) {
    heldHere.delete(path);
    throw e;
  }
};

/** Looks at a folder's lock without taking it: free, held by a live process, or left by a dead one. */
export const lockStatus = async (folder: string, options: FolderLockOptions = {}): Promise<LockStatus> => {
  const path = join(resolve(folder), 'lock');
  const file = readLockFile(path);
  if ((options.strategy ?? defaultLockStrategy()) === 'socket') {
    let name: string;
    try {
      name = lockSocketName(folder);
    } catch {
      return { state: 'free' };
    }
    const asked = await askHolder(name);
    if (asked.listening) return { state: 'held', holder: asked.holder ?? file };
    return file === null ? { state: 'free' } : { state: 'stale', holder: file };
  }
  if (file === null) return { state: 'free' };
  return isStale(path, file) ? { state: 'stale', holder: file } : { state: 'held', holder: file };
};
