/**
 * Keys wrapped under a key-encryption key held outside the database (R-DEL-3): a missing or wrong
 * key file is a clear refusal that makes and loses nothing; keys an older version stored unwrapped
 * are wrapped on open, all or nothing; a rotation that fails or crashes at any step loses nothing;
 * a fixed key works but says it cannot be rotated; several processes on one PostgreSQL database
 * follow each other's rotations through the shared key file.
 */
import { copyFileSync, existsSync, mkdtempSync, readFileSync, renameSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contactStream, ERASED, noStream, type EventStore } from '../../packages/core/src/index.js';
import {
  checkErasureSettings,
  defaultKekFile,
  envKekSource,
  fileKekSource,
  isStoreError,
  keyStatusOf,
  openPgliteDatabase,
  openPgliteStore,
  openPostgresDatabase,
  openPostgresStore,
  storeAdmin,
  type KekSource,
} from '../../packages/adapters-store/src/index.js';
import { postgresBinDir, startPostgres, type TestPostgres } from '../support/postgres.js';
import { PERSON_A, PERSON_B } from './conformance.js';
import { contactHistory } from './fixtures.js';

const roots: string[] = [];
let server: TestPostgres | undefined;
afterAll(async () => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  await server?.stop();
});

const freshFolder = (): string => {
  const root = mkdtempSync(join(tmpdir(), 'contactable-kek-'));
  roots.push(root);
  return join(root, 'store');
};

const failure = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
};

const kekIds = (file: string): string[] => (JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ id: string }> }).keys.map((k) => k.id);

const write = async (store: EventStore, id: string, person = PERSON_A) => {
  const c = contactHistory(id, person, 1);
  expect((await store.append(c.streamId, c.events, noStream))._tag).toBe('Right');
  return c;
};

const nameOf = async (store: EventStore, id: string): Promise<unknown> => ((await store.readStream(contactStream(id)))[0]!.data as { name: unknown }).name;

/** A key file source whose KEKs fail to wrap after `after` keys (a crash mid-way), or whose retire fails. */
const faulty = (file: string, faults: { readonly wrapAfter?: number; readonly retire?: boolean }): KekSource => {
  const inner = fileKekSource(file);
  let wrapped = 0;
  const arm = (k: Awaited<ReturnType<KekSource['load']>>['keks'][number]) => ({
    ...k,
    wrap: (key: Buffer, aad: string) => {
      if (faults.wrapAfter !== undefined && ++wrapped > faults.wrapAfter) throw new Error('the process died here');
      return k.wrap(key, aad);
    },
  });
  return {
    ...inner,
    load: async () => {
      const set = await inner.load();
      return { ...set, keks: set.keks.map(arm) };
    },
    create: async (storeId) => arm(await inner.create!(storeId)),
    stage: async () => arm(await inner.stage!()),
    retire: async (ids) => {
      if (faults.retire === true) throw new Error('the disk was full');
      await inner.retire!(ids);
    },
  };
};

// Each case opens the embedded store several times (seconds each on a busy machine).
describe('key-encryption keys (R-DEL-3)', { timeout: 300_000 }, () => {
  it('R-DEL-3 refuses to open without its key file, makes no new one, and opens again once the file is back', async () => {
    const folder = freshFolder();
    const kekFile = defaultKekFile(folder);
    let store = await openPgliteStore(folder);
    await write(store, 'c-1');
    await store.close();
    expect(existsSync(kekFile)).toBe(true);
    renameSync(kekFile, `${kekFile}.away`);
    const e = await failure(openPgliteStore(folder));
    expect(isStoreError(e)).toBe(true);
    expect(e.message).toContain('holds none');
    expect(e.message).toContain('nothing was changed');
    // No new KEK was minted over the old data.
    expect(existsSync(kekFile)).toBe(false);
    renameSync(`${kekFile}.away`, kekFile);
    store = await openPgliteStore(folder);
    try {
      expect(await nameOf(store, 'c-1')).toEqual({ given: PERSON_A.given, family: PERSON_A.family });
    } finally {
      await store.close();
    }
  });

  it("R-DEL-3 refuses another store's key file, and a stale copy of its own from before a rotation", async () => {
    const a = freshFolder();
    const b = freshFolder();
    const storeB = await openPgliteStore(b);
    await write(storeB, 'c-b');
    await storeB.close();
    let store = await openPgliteStore(a);
    await write(store, 'c-a');
    await store.close();
    const another = await failure(openPgliteStore(a, { kek: defaultKekFile(b) }));
    expect(another.message).toContain('belongs to another store');

    const stale = `${defaultKekFile(a)}.copy`;
    copyFileSync(defaultKekFile(a), stale);
    store = await openPgliteStore(a);
    await store.compact();
    await store.close();
    const old = await failure(openPgliteStore(a, { kek: stale }));
    expect(old.message).toContain('does not hold');
    store = await openPgliteStore(a);
    try {
      expect(await nameOf(store, 'c-a')).toEqual({ given: PERSON_A.given, family: PERSON_A.family });
    } finally {
      await store.close();
    }
  });

  it('R-DEL-3 wraps keys an older version stored unwrapped, on open, all or nothing', async () => {
    const folder = freshFolder();
    const kekFile = defaultKekFile(folder);
    let store = await openPgliteStore(folder);
    for (let i = 0; i < 5; i++) await write(store, `legacy-${i}`, { ...PERSON_B, email: `legacy${i}@example.org` });
    const raw = await storeAdmin(store)!.keys.entries();
    await store.close();
    // What an older version left: raw keys, no KEK recorded, no key file.
    const db = await openPgliteDatabase(folder);
    for (const k of raw) await db.sql.query('UPDATE contactable.subject_keys SET key = $1, kek_id = NULL WHERE key_id = $2', [k.key, k.keyId]);
    await db.sql.query(`DELETE FROM contactable.store_info WHERE name = 'kek_id'`);
    await db.close();
    rmSync(kekFile);

    // The process dies after wrapping two keys: the transaction leaves every key as it was.
    const crashed = await failure(openPgliteStore(folder, { kek: faulty(kekFile, { wrapAfter: 2 }) }));
    expect(crashed.message).toContain('the process died here');
    const check = await openPgliteDatabase(folder);
    const rows = await check.sql.query<{ key_id: string; key: Uint8Array; kek_id: string | null }>('SELECT key_id, key, kek_id FROM contactable.subject_keys');
    await check.close();
    // Five people's keys, and the read models' look-up key.
    expect(rows).toHaveLength(raw.length);
    expect(raw.filter((k) => k.subject.startsWith('contact-'))).toHaveLength(5);
    for (const r of rows) {
      expect(r.kek_id).toBeNull();
      expect(Buffer.from(r.key).equals(raw.find((k) => k.keyId === r.key_id)!.key)).toBe(true);
    }

    store = await openPgliteStore(folder);
    try {
      for (let i = 0; i < 5; i++) expect(await nameOf(store, `legacy-${i}`)).toEqual({ given: PERSON_B.given, family: PERSON_B.family });
      const after = await storeAdmin(store)!.sql.query<{ kek_id: string | null; key: Uint8Array }>('SELECT kek_id, key FROM contactable.subject_keys');
      expect(after.every((r) => r.kek_id === kekIds(kekFile)[0] && r.key.length === 60)).toBe(true);
    } finally {
      await store.close();
    }
  });

  it('R-DEL-3 a rotation that fails, or crashes before destroying the old KEK, loses nothing; the next one finishes', async () => {
    const folder = freshFolder();
    const kekFile = defaultKekFile(folder);
    let store = await openPgliteStore(folder);
    await write(store, 'r-1');
    await store.close();
    const [first] = kekIds(kekFile);

    // Dies while re-wrapping: the database keeps the old KEK, the staged one is destroyed.
    store = await openPgliteStore(folder, { kek: faulty(kekFile, { wrapAfter: 0 }) });
    try {
      expect((await failure(storeAdmin(store)!.keys.rewrap())).message).toContain('the process died here');
    } finally {
      await store.close();
    }
    expect(kekIds(kekFile)).toEqual([first]);

    // Re-wraps, then cannot destroy the old KEK: both stay, the store opens, the next run finishes.
    store = await openPgliteStore(folder, { kek: faulty(kekFile, { retire: true }) });
    try {
      const outcome = await storeAdmin(store)!.keys.rewrap();
      expect(outcome).toMatchObject({ rewrapped: true, retired: 0 });
      expect(outcome.note).toContain('could not be destroyed');
    } finally {
      await store.close();
    }
    expect(kekIds(kekFile)).toHaveLength(2);
    store = await openPgliteStore(folder);
    try {
      expect(await nameOf(store, 'r-1')).toEqual({ given: PERSON_A.given, family: PERSON_A.family });
      const outcome = await storeAdmin(store)!.keys.rewrap();
      expect(outcome).toMatchObject({ rewrapped: true, retired: 2 });
      expect(kekIds(kekFile)).toEqual([outcome.kekId]);
      expect(await nameOf(store, 'r-1')).toEqual({ given: PERSON_A.given, family: PERSON_A.family });
    } finally {
      await store.close();
    }
    // Another process (the next `contactable keys status`) reads when and how the last re-wrap went.
    store = await openPgliteStore(folder);
    try {
      expect((await keyStatusOf(store))?.lastRewrap).toMatchObject({ rewrapped: true, kekId: kekIds(kekFile)[0], retired: 2, at: expect.any(String) });
    } finally {
      await store.close();
    }
  });

  it('R-DEL-3 a fixed key from the environment wraps and unwraps, and retention says it cannot rotate it', async () => {
    const folder = freshFolder();
    const source = envKekSource('CONTACTABLE_KEK', Buffer.alloc(32, 7).toString('base64'));
    let store = await openPgliteStore(folder, { kek: source });
    await write(store, 'e-1');
    await store.forget(contactStream('e-1'));
    await store.compact();
    try {
      expect(storeAdmin(store)!.lastCompaction?.rewrap).toMatchObject({ rewrapped: false });
      const check = await checkErasureSettings(store);
      expect(check.findings.map((f) => f.subject)).toContain('key-encryption key');
    } finally {
      await store.close();
    }
    expect(existsSync(defaultKekFile(folder))).toBe(false);
    store = await openPgliteStore(folder, { kek: source });
    try {
      await write(store, 'e-2');
      expect(await nameOf(store, 'e-2')).toEqual({ given: PERSON_A.given, family: PERSON_A.family });
      expect(await nameOf(store, 'e-1')).toEqual({ given: ERASED, family: ERASED });
    } finally {
      await store.close();
    }
    expect((await failure(openPgliteStore(folder, { kek: envKekSource('CONTACTABLE_KEK', Buffer.alloc(32, 8).toString('base64')) }))).message).toContain('does not hold');
    expect(() => envKekSource('CONTACTABLE_KEK', 'short')).toThrow(/32 bytes/);
  });

  describe.skipIf(postgresBinDir() === null)('on PostgreSQL', () => {
    it(
      'R-DEL-3 postgres: another key file is refused; processes sharing one follow each other through a rotation',
      async () => {
        server ??= await startPostgres();
        const url = await server.newDatabase('kek_shared');
        const root = mkdtempSync(join(tmpdir(), 'contactable-kek-pg-'));
        roots.push(root);
        const shared = join(root, 'school.kek');
        const a = await openPostgresStore(url, { kek: shared, keyCacheMs: 0 });
        const b = await openPostgresStore(url, { kek: shared, keyCacheMs: 0 });
        try {
          await write(a, 'pg-1');
          expect((await failure(openPostgresStore(url, { kek: join(root, 'other.kek') }))).message).toContain('holds none');
          const missing = await failure(openPostgresStore(url, { kek: undefined }));
          expect(missing.message).toContain('CONTACTABLE_KEK_FILE');
          // Both read; A erases someone and rotates; B keeps reading and writing under the new KEK.
          await write(b, 'pg-2', PERSON_B);
          expect(await nameOf(b, 'pg-1')).toEqual({ given: PERSON_A.given, family: PERSON_A.family });
          const before = kekIds(shared);
          await a.forget(contactStream('pg-2'));
          await a.compact();
          expect(kekIds(shared)).toHaveLength(1);
          expect(kekIds(shared)).not.toEqual(before);
          await write(b, 'pg-3', PERSON_B);
          expect(await nameOf(a, 'pg-3')).toEqual({ given: PERSON_B.given, family: PERSON_B.family });
          expect(await nameOf(b, 'pg-1')).toEqual({ given: PERSON_A.given, family: PERSON_A.family });
          expect(await nameOf(b, 'pg-2')).toEqual({ given: ERASED, family: ERASED });
          const kek = await storeAdmin(a)!.sql.query<{ kek_id: string }>('SELECT DISTINCT kek_id FROM contactable.subject_keys');
          expect(kek.map((r) => r.kek_id)).toEqual(kekIds(shared));
        } finally {
          await a.close();
          await b.close();
        }
      },
    );

    it('R-DEL-3 postgres: statistics an older version let the server sample from key columns are dropped on open, and strays at the next clean-up', async () => {
      server ??= await startPostgres();
      const url = await server.newDatabase('kek_stats');
      const root = mkdtempSync(join(tmpdir(), 'contactable-kek-pg-'));
      roots.push(root);
      const kek = join(root, 'school.kek');
      let store = await openPostgresStore(url, { kek });
      for (let i = 0; i < 20; i++) await write(store, `s-${i}`, { ...PERSON_A, email: `s${i}@example.org` });
      await store.close();
      // An older version: no STATISTICS 0, and the server's ANALYZE sampled the key column.
      const side = await openPostgresDatabase(url);
      const sampled = `SELECT attname FROM pg_stats WHERE schemaname = 'contactable' AND tablename = 'subject_keys' AND attname = 'key'`;
      try {
        await side.sql.query('ALTER TABLE contactable.subject_keys ALTER COLUMN key SET STATISTICS -1');
        await side.sql.query(`DELETE FROM contactable.store_info WHERE name = 'statistics_checked'`);
        await side.sql.query('ANALYZE contactable.subject_keys');
        expect(await side.sql.query(sampled)).toHaveLength(1);
        store = await openPostgresStore(url, { kek });
        await store.close();
        expect(await side.sql.query(sampled)).toHaveLength(0);
        await side.sql.query('ANALYZE contactable.subject_keys');
        expect(await side.sql.query(sampled)).toHaveLength(0);
        // Someone resets it later: the erasure check names it, and the next clean-up drops the samples.
        await side.sql.query('ALTER TABLE contactable.subject_keys ALTER COLUMN key SET STATISTICS -1');
        await side.sql.query('ANALYZE contactable.subject_keys');
        store = await openPostgresStore(url, { kek });
        try {
          expect((await checkErasureSettings(store)).findings.map((f) => f.subject)).toContain('pg_statistic');
          await store.compact();
          expect(await side.sql.query(sampled)).toHaveLength(0);
          expect((await checkErasureSettings(store)).findings.map((f) => f.subject)).not.toContain('pg_statistic');
        } finally {
          await store.close();
        }
      } finally {
        await side.close();
      }
    });
  });
});
