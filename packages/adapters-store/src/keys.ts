/** Where subject keys live: a table that can really delete (PGlite or PostgreSQL), behind one small port. */
import { newSubjectKey, type SubjectKey } from './crypto.js';
import type { SqlDriver } from './sql.js';

/** The key store port the shredder uses. */
export interface KeyStore {
  /** The subject's key, made and stored first if it has none. */
  readonly current: (subject: string) => Promise<SubjectKey>;
  /** Several subjects' keys, each made and stored first if it has none, in one round trip where the store can (else `current` one by one). */
  readonly currentMany?: (subjects: ReadonlyArray<string>) => Promise<ReadonlyMap<string, SubjectKey>>;
  /** The keys that still exist among these ids, with their subjects (an id absent from the map was forgotten). */
  readonly find: (keyIds: ReadonlyArray<string>) => Promise<ReadonlyMap<string, { readonly key: Buffer; readonly subject: string }>>;
  /** Deletes every key of the subject. */
  readonly remove: (subject: string) => Promise<void>;
}

const toBuffer = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array));

/** A key store over the `subject_keys` table of a SQL schema (see sql.ts); `schema` is already quoted. */
export const sqlKeyStore = (sql: SqlDriver, schema: string): KeyStore => ({
  current: async (subject) => {
    // One round trip: insert unless the subject has a key, then return whichever key stands. A writer
    // racing us for the same new subject commits after our snapshot, so we may see nothing: ask again.
    for (let attempt = 0; attempt < 5; attempt++) {
      const fresh = newSubjectKey();
      const rows = await sql.query<{ key_id: string; key: unknown }>(
        `WITH ins AS (
           INSERT INTO ${schema}.subject_keys (key_id, subject, key) VALUES ($1, $2, $3)
           ON CONFLICT (subject) DO NOTHING RETURNING key_id, key)
         SELECT key_id, key FROM ins
         UNION ALL SELECT key_id, key FROM ${schema}.subject_keys WHERE subject = $2
         LIMIT 1`,
        [fresh.id, subject, fresh.key],
      );
      const row = rows[0];
      if (row !== undefined) return { id: row.key_id, key: toBuffer(row.key) };
    }
    throw new Error('no key could be made for a subject: the key table keeps changing');
  },
  currentMany: async (subjects) => {
    const out = new Map<string, SubjectKey>();
    // Sorted, so two writers making overlapping sets of keys take the unique index in the same order (no deadlock).
    let missing = [...new Set(subjects)].sort();
    // As in `current`: a subject another writer is creating may be invisible to our snapshot; ask again for those.
    for (let attempt = 0; attempt < 5 && missing.length > 0; attempt++) {
      const fresh = missing.map((subject) => ({ subject, ...newSubjectKey() }));
      const rows = await sql.query<{ subject: string; key_id: string; key: unknown }>(
        `WITH wanted AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(n int, key_id text, subject text, key text)),
         ins AS (
           INSERT INTO ${schema}.subject_keys (key_id, subject, key)
           SELECT key_id, subject, decode(key, 'hex') FROM wanted ORDER BY n
           ON CONFLICT (subject) DO NOTHING RETURNING subject, key_id, key)
         SELECT subject, key_id, key FROM ins
         UNION ALL SELECT k.subject, k.key_id, k.key FROM ${schema}.subject_keys k JOIN wanted ON wanted.subject = k.subject`,
        [JSON.stringify(fresh.map((f, n) => ({ n, key_id: f.id, subject: f.subject, key: f.key.toString('hex') })))],
      );
      for (const r of rows) out.set(r.subject, { id: r.key_id, key: toBuffer(r.key) });
      missing = missing.filter((s) => !out.has(s));
    }
    if (missing.length > 0) throw new Error('no key could be made for some subjects: the key table keeps changing');
    return out;
  },
  find: async (keyIds) => {
    if (keyIds.length === 0) return new Map();
    const rows = await sql.query<{ key_id: string; subject: string; key: unknown }>(
      `SELECT key_id, subject, key FROM ${schema}.subject_keys WHERE key_id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      [JSON.stringify(keyIds)],
    );
    return new Map(rows.map((r) => [r.key_id, { key: toBuffer(r.key), subject: r.subject }]));
  },
  remove: async (subject) => {
    await sql.query(`DELETE FROM ${schema}.subject_keys WHERE subject = $1`, [subject]);
  },
});

/** The subject of the secret read-model look-ups are hashed with (a key like a person's, never forgotten, sealing no event). */
export const LOOKUP_KEY_SUBJECT = 'read-models:lookups';
