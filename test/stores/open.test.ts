/** openStore: which URL opens what, and how a bad or unreachable store fails (fast, password masked). */
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { noStream } from '../../packages/core/src/index.js';
import { isStoreError, loadOptional, maskUrl, openStore, storeError, storeKind, systemClock, uuidV7Ids } from '../../packages/adapters-store/src/index.js';
import { plainEvent } from './fixtures.js';

const cleanup: Array<() => void | Promise<void>> = [];
afterAll(async () => {
  for (const c of cleanup.reverse()) await c();
});

/** A loopback port that accepts connections and never answers: an unreachable server, without leaving the machine. */
const silentServer = async (): Promise<number> => {
  const sockets: Socket[] = [];
  const server: Server = createServer((s) => void sockets.push(s));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  cleanup.push(() => {
    for (const s of sockets) s.destroy();
    return new Promise<void>((r) => server.close(() => r()));
  });
  const address = server.address();
  return typeof address === 'object' && address !== null ? address.port : 0;
};

/** A loopback port nobody listens on. */
const closedPort = async (): Promise<number> => {
  const server = createServer();
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const address = server.address();
  await new Promise<void>((r) => server.close(() => r()));
  return typeof address === 'object' && address !== null ? address.port : 0;
};

const failure = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected the store not to open');
};

describe('openStore', () => {
  it('tells the kinds of store apart', () => {
    expect(storeKind('memory:')).toBe('memory');
    expect(storeKind('./.contactable')).toBe('pglite');
    expect(storeKind('/var/lib/contactable')).toBe('pglite');
    expect(storeKind('C:\\contactable')).toBe('pglite');
    expect(storeKind('file:///var/lib/contactable')).toBe('pglite');
    expect(storeKind('postgres://u:p@db/contactable')).toBe('postgres');
    expect(storeKind('postgresql://db/contactable')).toBe('postgres');
    expect(storeKind('esdb://localhost:2113?tls=false')).toBe('eventstoredb');
    expect(storeKind('kurrentdb+discover://cluster:2113')).toBe('eventstoredb');
    expect(storeKind('mysql://db')).toBeNull();
    expect(storeKind('')).toBeNull();
  });

  it('masks passwords wherever a URL appears', () => {
    expect(maskUrl('postgres://user:s3cret@host:5432/db')).toBe('postgres://user:***@host:5432/db');
    expect(maskUrl('failed for postgresql://a:b%40c@h/d and esdb://admin:changeit@x:2113')).toBe('failed for postgresql://a:***@h/d and esdb://admin:***@x:2113');
    expect(maskUrl('postgres://host/db?user=u&password=s3cret')).toBe('postgres://host/db?user=u&password=***');
    expect(maskUrl('postgres://host/db')).toBe('postgres://host/db');
  });

  it('keeps values a driver quotes out of its errors', () => {
    const driver = Object.assign(new Error('invalid input syntax for type json: "Zephyrine Quillfeather"\nDETAIL: Token "Zephyrine" is invalid.'), { code: '22P02' });
    const e = storeError('postgres://app:hunter2@db/contactable', 'appending to contact-42', driver);
    expect(e.message).toBe('postgres://app:***@db/contactable: appending to contact-42 failed: invalid input syntax for type json: "..."');
    expect(e.code).toBe('22P02');
    expect(JSON.stringify(e)).not.toContain('Zephyrine');
  });

  it('opens memory: and an embedded folder', async () => {
    const memory = await openStore('memory:');
    expect((await memory.append('contact-x', [plainEvent('e1')], noStream))._tag).toBe('Right');
    await memory.close();
    const root = mkdtempSync(join(tmpdir(), 'contactable-open-'));
    cleanup.push(() => rmSync(root, { recursive: true, force: true }));
    const folder = join(root, 'store');
    const store = await openStore(folder);
    try {
      expect((await store.append('contact-x', [plainEvent('e1')], noStream))._tag).toBe('Right');
      // One process per folder: a second open is refused, not allowed to corrupt it.
      const second = await failure(openStore(folder));
      expect(isStoreError(second)).toBe(true);
      expect(second.message).toContain('already open');
    } finally {
      await store.close();
    }
    const again = await openStore(`file://${folder}`);
    expect(await again.readStream('contact-x')).toHaveLength(1);
    await again.close();
    const closed = await failure(again.readStream('contact-x'));
    expect(closed.message).toContain('closed');
  });

  it('refuses a URL it does not know, naming it with the password masked', async () => {
    const e = await failure(openStore('mysql://admin:hunter2@db/contactable'));
    expect(isStoreError(e)).toBe(true);
    expect(e.message).toContain('mysql://admin:***@db/contactable');
    expect(e.message).not.toContain('hunter2');
  });

  it('fails fast on an unreachable PostgreSQL, password masked', async () => {
    const refused = `postgres://contactable:hunter2@127.0.0.1:${await closedPort()}/contactable`;
    const silent = `postgres://contactable:hunter2@127.0.0.1:${await silentServer()}/contactable`;
    for (const url of [refused, silent]) {
      const started = Date.now();
      const e = await failure(openStore(url, { connectTimeoutMs: 1_000 }));
      expect(Date.now() - started).toBeLessThan(5_000);
      expect(isStoreError(e)).toBe(true);
      expect(e.message).toContain('postgres://contactable:***@127.0.0.1');
      expect(e.message).not.toContain('hunter2');
      expect(JSON.stringify(e)).not.toContain('hunter2');
    }
  });

  it('fails fast on an unreachable EventStoreDB, password masked', async () => {
    const url = `esdb://admin:hunter2@127.0.0.1:${await closedPort()}?tls=false`;
    const started = Date.now();
    const e = await failure(openStore(url, { connectTimeoutMs: 1_000, keys: join(tmpdir(), 'never-created') }));
    expect(Date.now() - started).toBeLessThan(8_000);
    expect(isStoreError(e)).toBe(true);
    expect(e.message).toContain('esdb://admin:***@127.0.0.1');
    expect(e.message).not.toContain('hunter2');
  });
});

describe('optional store packages', () => {
  it('a store whose package is not installed fails saying which package to install, password masked', async () => {
    const e = await failure(loadOptional('@contactable/no-such-store', 'esdb://admin:hunter2@db:2113', 'An esdb:// store'));
    expect(isStoreError(e)).toBe(true);
    expect(e.message).toContain('needs the package @contactable/no-such-store, which is not installed');
    expect(e.message).toContain('npm install @contactable/no-such-store');
    expect(e.message).toContain('esdb://admin:***@db:2113');
    expect(e.message).not.toContain('hunter2');
  });

  it('an installed one loads', async () => {
    const m = await loadOptional<{ readonly default: { readonly Pool: unknown } }>('pg', 'postgres://db/x', 'A postgres:// store');
    expect(m).toHaveProperty('default.Pool');
  });
});

describe('runtime ports', () => {
  it('uuidV7Ids gives time-ordered v7 uuids', () => {
    const ids = Array.from({ length: 50 }, () => uuidV7Ids.next());
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect([...ids].sort()).toEqual(ids);
    expect(new Set(ids).size).toBe(ids.length);
  });

  it('systemClock says now, in ISO 8601 UTC', () => {
    const now = systemClock.now();
    expect(now).toMatch(/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/);
    expect(Math.abs(Date.parse(now) - Date.now())).toBeLessThan(5_000);
  });
});
