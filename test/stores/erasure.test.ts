/**
 * Erasure that holds everywhere (R-DEL-2, R-DEL-3, R-DEL-4, R-AUD-1), on the auditor's school
 * (erasureScenario.ts): a parent whose name, email and phone are also in free text (an opt-out
 * reason, a message body, a bounce text, a send failure, the deletion reason) is deleted and, 15
 * days later, erased by retention. Then:
 *
 * - no byte of the PGlite folder (WAL included) and its key file, of a `pg_dump`, or of the
 *   PostgreSQL server's whole data directory (after a forced ANALYZE and CHECKPOINT, WAL recycling
 *   left on as servers ship) holds any of his values, his keys, or the key-encryption key in use
 *   before the erasure; a plain canary is found, so the scans do read the bytes;
 * - the wrapped copies of his keys taken before the erasure (what a backup, a replica or an old WAL
 *   segment keeps) open under the KEK of that time, and under no KEK that still exists;
 * - no key the store holds opens his sealed data, while his erased key would (the data is there,
 *   only the key is gone);
 * - what happened stays readable: reason codes, types, times, actors; his free text reads XXXX;
 *   the other parent's free text and the broadcast message are untouched.
 */
import { randomUUID } from 'node:crypto';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contactStream, decodeEvent, ERASED, memberStream, messageStream, type EventStore, type StoredEvent } from '../../packages/core/src/index.js';
import {
  defaultKekFile,
  kekFromBytes,
  openPgliteStore,
  openPostgresStore,
  openStrings,
  storeAdmin,
  subjectKeyAad,
  type KeyEntry,
} from '../../packages/adapters-store/src/index.js';
import { postgresBinDir, startPostgres, type TestPostgres } from '../support/postgres.js';
import { eraseSchool, erasedValues, TEXTS, writeSchool, type School } from './erasureScenario.js';

type Needle = [string, Buffer];

/** Every way a key could sit in a file or a dump. */
const keyForms = (label: string, key: Buffer): Needle[] => [
  [`${label}:raw`, key],
  [`${label}:hex`, Buffer.from(key.toString('hex'))],
  [`${label}:base64`, Buffer.from(key.toString('base64').replace(/=+$/, ''))],
  [`${label}:base64url`, Buffer.from(key.toString('base64url'))],
];

/** Which needles occur in the given files and every file under the given folders. */
const scanPaths = (paths: ReadonlyArray<string>, needles: ReadonlyArray<Needle>): Set<string> => {
  const found = new Set<string>();
  const visit = (path: string): void => {
    const st = statSync(path);
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name));
    else if (st.isFile()) {
      const bytes = readFileSync(path);
      for (const [label, needle] of needles) if (bytes.includes(needle)) found.add(label);
    }
  };
  for (const p of paths) if (existsSync(p)) visit(p);
  return found;
};

const scanText = (text: string, needles: ReadonlyArray<Needle>): Set<string> => {
  const bytes = Buffer.from(text);
  return new Set(needles.filter(([, n]) => bytes.includes(n)).map(([label]) => label));
};

const plainNeedles = (): Needle[] => erasedValues().map((v) => [`plain:${v}`, Buffer.from(v)]);

/** The KEK bytes a key file holds. */
const keksIn = (file: string): Array<{ id: string; key: Buffer }> =>
  (JSON.parse(readFileSync(file, 'utf8')) as { keys: Array<{ id: string; key: string }> }).keys.map((k) => ({ id: k.id, key: Buffer.from(k.key, 'base64') }));

/** What the test keeps from before the erasure: the erased subjects' keys, their wrapped rows, and the KEK of that time. */
interface Before {
  readonly keys: ReadonlyArray<KeyEntry>;
  readonly wrapped: ReadonlyArray<{ readonly keyId: string; readonly subject: string; readonly bytes: Buffer; readonly kekId: string }>;
  readonly kek: { readonly id: string; readonly key: Buffer };
}

const erasedSubjects = (s: School): string[] => [contactStream(s.barnabus), memberStream(s.oswin), messageStream(s.personalMessage)];

const takeBefore = async (store: EventStore, school: School, kekFile: string): Promise<Before> => {
  const admin = storeAdmin(store)!;
  const subjects = erasedSubjects(school);
  const keys = (await admin.keys.entries()).filter((k) => subjects.includes(k.subject));
  expect(keys.map((k) => k.subject).sort()).toEqual([...subjects].sort());
  const rows = await admin.sql.query<{ key_id: string; subject: string; key: Uint8Array; kek_id: string }>(
    `SELECT key_id, subject, key, kek_id FROM contactable.subject_keys WHERE subject IN (SELECT jsonb_array_elements_text($1::jsonb))`,
    [JSON.stringify(subjects)],
  );
  const [kek] = keksIn(kekFile);
  expect(rows.every((r) => r.kek_id === kek!.id)).toBe(true);
  return { keys, wrapped: rows.map((r) => ({ keyId: r.key_id, subject: r.subject, bytes: Buffer.from(r.key), kekId: r.kek_id })), kek: kek! };
};

/** The wrapped copies open under the KEK they were made with, and under none the key file holds now. */
const expectWrappedCopiesUseless = (before: Before, kekFile: string): void => {
  const then = kekFromBytes(before.kek.id, before.kek.key);
  const now = keksIn(kekFile);
  expect(now.map((k) => k.id)).not.toContain(before.kek.id);
  for (const w of before.wrapped) {
    const raw = before.keys.find((k) => k.keyId === w.keyId)!.key;
    // The control: with the KEK of that time the copy is the key itself.
    expect(then.unwrap(w.bytes, subjectKeyAad(w.keyId, w.subject))?.equals(raw)).toBe(true);
    for (const k of now) expect(kekFromBytes(k.id, k.key).unwrap(w.bytes, subjectKeyAad(w.keyId, w.subject))).toBeNull();
  }
};

/** No key the store still holds opens the erased people's sealed data; their erased key would. */
const expectNoStoredKeyOpens = async (store: EventStore, school: School, before: Before): Promise<void> => {
  const admin = storeAdmin(store)!;
  const held = await admin.keys.entries();
  const blobs = await admin.sql.query<{ event_id: string; stream_id: string; personal: string }>(
    `SELECT event_id, stream_id, personal FROM contactable.events WHERE stream_id IN (SELECT jsonb_array_elements_text($1::jsonb)) AND personal IS NOT NULL`,
    [JSON.stringify(erasedSubjects(school))],
  );
  expect(blobs.length).toBeGreaterThan(5);
  for (const b of blobs) {
    const blob = b.personal.slice(1);
    const erased = before.keys.find((k) => k.subject === b.stream_id)!;
    expect(openStrings(erased.key, b.stream_id, b.event_id, blob)).not.toBeNull();
    for (const k of held) expect(openStrings(k.key, b.stream_id, b.event_id, blob)).toBeNull();
  }
  // The send failure about him sits in the broadcast's stream, sealed under his key: none opens it either.
  const [failure] = await admin.sql.query<{ event_id: string; personal: string }>(
    `SELECT event_id, personal FROM contactable.events WHERE stream_id = $1 AND type = 'MessageSendFailed'`,
    [messageStream(school.broadcast)],
  );
  const his = before.keys.find((k) => k.subject === contactStream(school.barnabus))!;
  expect(openStrings(his.key, contactStream(school.barnabus), failure!.event_id, failure!.personal.slice(1))).not.toBeNull();
  for (const k of held) expect(openStrings(k.key, contactStream(school.barnabus), failure!.event_id, failure!.personal.slice(1))).toBeNull();
};

const decoded = async (store: EventStore, streamId: string): Promise<StoredEvent[]> =>
  (await store.readStream(streamId)).map((raw) => {
    const d = decodeEvent(raw);
    if (d._tag === 'Left') throw new Error(d.left.message);
    return d.right;
  });

/** What reads show after the erasure: XXXX for his free text, facts and codes kept, the rest untouched. */
const expectReads = async (store: EventStore, school: School): Promise<void> => {
  const his = await decoded(store, contactStream(school.barnabus));
  const optOut = his.find((e) => e.type === 'OptedOut')!;
  expect(optOut.metadata.reason).toBe(ERASED);
  expect(optOut.metadata.reasonCode).toBe('phoned-to-stop');
  expect(optOut.metadata.actor).toEqual({ kind: 'person', name: 'Office Manager' });
  const bounce = his.find((e) => e.type === 'DeliveryFailed')!;
  expect(bounce.data).toMatchObject({ detail: ERASED, address: ERASED, permanent: true, provider: 'sendgrid' });
  expect(bounce.metadata).toMatchObject({ reason: ERASED, reasonCode: 'bounce' });
  expect(his.map((e) => e.type)).toContain('ContactAnonymised');
  const deletion = (await decoded(store, memberStream(school.oswin))).find((e) => e.type === 'MemberDeleted')!;
  expect(deletion.metadata).toMatchObject({ reason: ERASED, reasonCode: 'deleting-leavers' });
  const personal = (await decoded(store, messageStream(school.personalMessage))).find((e) => e.type === 'MessageRequested')!;
  expect(personal.data).toMatchObject({ subject: ERASED, body: ERASED, channel: 'email' });
  const broadcast = await decoded(store, messageStream(school.broadcast));
  expect(broadcast.find((e) => e.type === 'MessageRequested')!.data).toMatchObject({ body: TEXTS.broadcast });
  expect(broadcast.find((e) => e.type === 'MessageSendFailed')!.data).toMatchObject({ error: ERASED, contactId: school.barnabus });
  const hers = await decoded(store, contactStream(school.philippa));
  expect(hers.find((e) => e.type === 'OptedOut')!.metadata.reason).toBe(TEXTS.keptReason);
};

const roots: string[] = [];
let server: TestPostgres | undefined;
afterAll(async () => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
  await server?.stop();
});

// Each case opens the embedded store several times (seconds each on a busy machine).
describe('erasure that holds everywhere (R-DEL-2, R-DEL-3, R-DEL-4, R-AUD-1)', { timeout: 300_000 }, () => {
  it('R-DEL-2 R-DEL-3 R-DEL-4 R-AUD-1 pglite: no file of the folder (WAL included) nor its key file holds the erased parent, his keys or the old KEK; reads show XXXX and the reason codes', async () => {
    const root = mkdtempSync(join(tmpdir(), 'contactable-erasure-'));
    roots.push(root);
    const folder = join(root, 'store');
    const kekFile = defaultKekFile(folder);
    const canary = `CANARY-${randomUUID()}`;
    const canaryNeedle: Needle = ['canary', Buffer.from(canary)];

    let store = await openPgliteStore(folder);
    let school: School;
    let before: Before;
    try {
      school = await writeSchool(store, canary);
      before = await takeBefore(store, school, kekFile);
    } finally {
      await store.close();
    }
    // Sealed at rest from the first write: no plain copy, no raw key, even before the erasure.
    const rawKeys = before.keys.flatMap((k) => keyForms(`key:${k.subject}`, k.key));
    expect(scanPaths([folder, kekFile], [...plainNeedles(), ...rawKeys, canaryNeedle])).toEqual(new Set(['canary']));
    // The controls: the wrapped keys are in the folder, the KEK in its file.
    expect(scanPaths([folder], before.wrapped.map((w) => [`wrapped:${w.subject}`, w.bytes] as Needle)).size).toBe(before.wrapped.length);
    expect(scanPaths([kekFile], keyForms('kek', before.kek.key)).has('kek:base64')).toBe(true);

    store = await openPgliteStore(folder);
    try {
      const report = await eraseSchool(store, school);
      expect(report.anonymised).toHaveLength(2);
      expect(report.messagesErased).toEqual([school.personalMessage]);
      expect(storeAdmin(store)!.lastCompaction?.rewrap).toMatchObject({ rewrapped: true, retired: 1 });
    } finally {
      await store.close();
    }
    expect(scanPaths([folder, kekFile], [...plainNeedles(), ...rawKeys, ...keyForms('old-kek', before.kek.key), canaryNeedle])).toEqual(new Set(['canary']));
    expectWrappedCopiesUseless(before, kekFile);

    store = await openPgliteStore(folder);
    try {
      await expectNoStoredKeyOpens(store, school, before);
      await expectReads(store, school);
    } finally {
      await store.close();
    }
  });

  describe.skipIf(postgresBinDir() === null)('on PostgreSQL', () => {
    it(
      'R-DEL-2 R-DEL-3 R-DEL-4 R-AUD-1 postgres: after a forced ANALYZE and CHECKPOINT neither the data directory nor a pg_dump holds him, his keys or the old KEK',
      async () => {
        // As servers ship: WAL recycling on, autovacuum on. Only the KEK re-wrap makes old copies useless.
        server = await startPostgres();
        const url = await server.newDatabase('erasure');
        const root = mkdtempSync(join(tmpdir(), 'contactable-erasure-pg-'));
        roots.push(root);
        const kekFile = join(root, 'school.kek');
        const canary = `CANARY-${randomUUID()}`;
        const canaryNeedle: Needle = ['canary', Buffer.from(canary)];
        const store = await openPostgresStore(url, { kek: kekFile });
        try {
          const school = await writeSchool(store, canary);
          const before = await takeBefore(store, school, kekFile);
          const admin = storeAdmin(store)!;
          const analyse = async (): Promise<void> => {
            await admin.sql.query('ANALYZE');
            await admin.sql.query('CHECKPOINT');
          };
          await analyse();
          // The server sampled nothing from key or personal columns (STATISTICS 0).
          const sampled = await admin.sql.query<{ attname: string }>(
            `SELECT attname FROM pg_stats WHERE schemaname = 'contactable' AND ((tablename = 'subject_keys' AND attname = 'key') OR (tablename = 'events' AND attname IN ('personal', 'data', 'metadata')))`,
          );
          expect(sampled).toEqual([]);
          // ...while it did sample the others (the ANALYZE really ran).
          const others = await admin.sql.query<{ attname: string }>(`SELECT attname FROM pg_stats WHERE schemaname = 'contactable' AND tablename = 'subject_keys'`);
          expect(others.map((r) => r.attname)).toContain('subject');

          const rawKeys = before.keys.flatMap((k) => keyForms(`key:${k.subject}`, k.key));
          const dumpBefore = await server.pgDump(url);
          expect(scanText(dumpBefore, [...plainNeedles(), ...rawKeys, canaryNeedle])).toEqual(new Set(['canary']));
          // The control: the dump holds the wrapped keys (as hex), as a backup would.
          for (const w of before.wrapped) expect(dumpBefore).toContain(w.bytes.toString('hex'));

          const report = await eraseSchool(store, school);
          expect(report.messagesErased).toEqual([school.personalMessage]);
          await analyse();
          expect(
            await admin.sql.query(`SELECT attname FROM pg_stats WHERE schemaname = 'contactable' AND tablename = 'subject_keys' AND attname = 'key'`),
          ).toEqual([]);

          const all: Needle[] = [...plainNeedles(), ...rawKeys, ...keyForms('old-kek', before.kek.key), canaryNeedle];
          expect(scanText(await server.pgDump(url), all)).toEqual(new Set(['canary']));
          expect(scanPaths([server.dataDir, kekFile], all)).toEqual(new Set(['canary']));
          // Old WAL segments (recycled, not deleted) may still hold the wrapped copies: they are useless.
          expectWrappedCopiesUseless(before, kekFile);
          await expectNoStoredKeyOpens(store, school, before);
          await expectReads(store, school);
        } finally {
          await store.close();
        }
      },
    );
  });
});
