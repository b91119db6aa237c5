/**
 * Erasure that really forgets (R-DEL-2..4): after forget + compact, no file of the PGlite
 * folder (WAL included) and no pg_dump of the PostgreSQL database holds the person's
 * personal data or their key, while a plain-text canary written on purpose is still
 * found (so the scan does read the bytes) and someone else still reads back.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ERASED, noStream, type EventStore } from '../../packages/core/src/index.js';
import { openPgliteDatabase, openPgliteStore, openPostgresDatabase, openPostgresStore } from '../../packages/adapters-store/src/index.js';
import { postgresBinDir, startPostgres, type TestPostgres } from '../support/postgres.js';
import { PERSON_A, PERSON_B } from './conformance.js';
import { contactHistory, importWarning, memberHistory } from './fixtures.js';

/** What must never be found in plain text: a person's name, email and mobile (as typed and as stored). */
const plainValues = (p: typeof PERSON_A): string[] => [p.given, p.family, p.email, p.mobile, `+44${p.mobile.replace(/\s/g, '').slice(1)}`];

/** Every way a key could sit in a file or a dump. */
const keyForms = (key: Buffer): Array<[string, Buffer]> => [
  ['raw', key],
  ['hex', Buffer.from(key.toString('hex'))],
  ['base64', Buffer.from(key.toString('base64').replace(/=+$/, ''))],
  ['base64url', Buffer.from(key.toString('base64url'))],
];

/** Which needles occur in any file under a folder (recursively). */
const scanFolder = (folder: string, needles: ReadonlyArray<[string, Buffer]>): Set<string> => {
  const found = new Set<string>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir)) {
      const path = join(dir, name);
      const st = statSync(path);
      if (st.isDirectory()) walk(path);
      else if (st.isFile()) {
        const bytes = readFileSync(path);
        for (const [label, needle] of needles) if (bytes.includes(needle)) found.add(label);
      }
    }
  };
  walk(folder);
  return found;
};

const scanText = (text: string, needles: ReadonlyArray<[string, Buffer]>): Set<string> => {
  const bytes = Buffer.from(text);
  return new Set(needles.filter(([, n]) => bytes.includes(n)).map(([label]) => label));
};

const asNeedles = (prefix: string, values: ReadonlyArray<string>): Array<[string, Buffer]> => values.map((v) => [`${prefix}:${v}`, Buffer.from(v)]);

/** Two contacts (A and B), a member linked to both, and an import warning holding the canary. */
const writeSchool = async (store: EventStore, canary: string) => {
  const [idA, idB, idM] = [randomUUID(), randomUUID(), randomUUID()];
  const a = contactHistory(idA, PERSON_A, 3);
  const b = contactHistory(idB, PERSON_B, 2);
  const m = memberHistory(idM, { given: 'Oswin', family: 'Larkspur' }, 'UPN-OL-77', [idA, idB]);
  const warning = importWarning(randomUUID(), `${canary}: a warning the office should read`);
  for (const s of [a, b, m, warning]) {
    const r = await store.append(s.streamId, s.events, noStream);
    expect(r._tag).toBe('Right');
  }
  return { a, b, m };
};

const folders: string[] = [];
let server: TestPostgres | undefined;
afterAll(async () => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
  await server?.stop();
});

describe('erasure that really forgets', () => {
  it('pglite: no file of the folder holds the forgotten person or their key', async () => {
    const root = mkdtempSync(join(tmpdir(), 'contactable-erasure-'));
    folders.push(root);
    const folder = join(root, 'store');
    const canary = `CANARY-${randomUUID()}`;
    const personal = [...asNeedles('A', plainValues(PERSON_A)), ...asNeedles('B', plainValues(PERSON_B))];

    let store = await openPgliteStore(folder);
    const { a, b } = await writeSchool(store, canary);
    await store.close();
    // Sealed at rest from the first write: no plain copy even before anyone is forgotten.
    expect(scanFolder(folder, [...personal, ['canary', Buffer.from(canary)]])).toEqual(new Set(['canary']));

    const db = await openPgliteDatabase(folder);
    const [row] = await db.sql.query<{ key: Uint8Array }>('SELECT key FROM contactable.subject_keys WHERE subject = $1', [a.streamId]);
    await db.close();
    const key = Buffer.from(row!.key);
    expect(key).toHaveLength(32);
    // The control: before forget the scan does find the key in the files.
    expect(scanFolder(folder, keyForms(key)).has('raw')).toBe(true);

    store = await openPgliteStore(folder);
    await store.forget(a.streamId);
    await store.compact();
    await store.close();
    expect(scanFolder(folder, [...personal, ...keyForms(key), ['canary', Buffer.from(canary)]])).toEqual(new Set(['canary']));

    store = await openPgliteStore(folder);
    try {
      expect((await store.readStream(b.streamId)).map((e) => e.data)).toEqual(b.events.map((e) => e.data));
      const readA = await store.readStream(a.streamId);
      expect((readA[0]!.data as { name: unknown }).name).toEqual({ given: ERASED, family: ERASED });
      expect(readA.map((e) => e.type)).toEqual(a.events.map((e) => e.type));
    } finally {
      await store.close();
    }
  });

  it.skipIf(postgresBinDir() === null)('postgres: no pg_dump (nor data file) holds the forgotten person or their key', async () => {
    // wal_recycle = off: a checkpoint deletes old WAL segments instead of renaming them, old bytes and all, for reuse.
    server = await startPostgres({ settings: { wal_recycle: 'off' } });
    const url = await server.newDatabase('erasure');
    const canary = `CANARY-${randomUUID()}`;
    const personal = [...asNeedles('A', plainValues(PERSON_A)), ...asNeedles('B', plainValues(PERSON_B))];
    const store = await openPostgresStore(url);
    try {
      const { a, b } = await writeSchool(store, canary);
      const before = await server.pgDump(url);
      expect(scanText(before, [...personal, ['canary', Buffer.from(canary)]])).toEqual(new Set(['canary']));

      const side = await openPostgresDatabase(url);
      const [row] = await side.sql.query<{ key: Buffer }>('SELECT key FROM contactable.subject_keys WHERE subject = $1', [a.streamId]);
      await side.close();
      const key = row!.key;
      expect(scanText(before, keyForms(key)).has('hex')).toBe(true);

      await store.forget(a.streamId);
      await store.compact();
      const after = await server.pgDump(url);
      expect(scanText(after, [...personal, ...keyForms(key), ['canary', Buffer.from(canary)]])).toEqual(new Set(['canary']));
      // With WAL recycling off, the cluster's own files no longer hold the key either.
      expect(scanFolder(server.dataDir, [...keyForms(key), ...personal.filter(([l]) => l.startsWith('A:')), ['canary', Buffer.from(canary)]])).toEqual(new Set(['canary']));

      expect((await store.readStream(b.streamId)).map((e) => e.data)).toEqual(b.events.map((e) => e.data));
      const readA = await store.readStream(a.streamId);
      expect((readA[0]!.data as { email: { value: string } }).email.value).toBe(ERASED);
    } finally {
      await store.close();
    }
  });
});
