/**
 * Where subject keys live: a table that can really delete (PGlite or PostgreSQL), each key stored
 * wrapped under a key-encryption key (KEK) held outside the database (kek.ts).
 *
 * - A copy of the table (a backup, a replica, a WAL segment, a statistics sample) holds only wrapped
 *   keys. `rewrap` (run by `compact`, so by every retention run that erased someone) wraps every
 *   remaining key under a fresh KEK and destroys the old one: a stale copy of an erased person's key
 *   is then wrapped under a KEK that exists nowhere.
 * - A store whose keys are wrapped under a KEK the source does not hold refuses to open, and an
 *   insert checks (in its own statement, under a row lock on the store's current KEK id) that it wraps
 *   under the current KEK: no process ever mints keys the others cannot unwrap, or orphans old data.
 * - Keys stored unwrapped by an older version are wrapped on open, in one transaction.
 */
import { newSubjectKey, type SubjectKey } from './crypto.js';
import { StoreError } from './errors.js';
import { isRotatable, type Kek, type KekSource } from './kek.js';
import { quoteSchema, type SqlDriver } from './sql.js';

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

/** One subject key in the clear (for a key export). */
export interface KeyEntry {
  readonly keyId: string;
  readonly subject: string;
  readonly key: Buffer;
}

/** What a re-wrap did. */
export interface RewrapOutcome {
  /** False when the KEK source cannot be rotated (a fixed key): stale copies stay wrapped under a KEK that still exists. */
  readonly rewrapped: boolean;
  /** The KEK every key is now wrapped under. */
  readonly kekId: string | null;
  /** Keys re-wrapped. */
  readonly keys: number;
  /** Old KEKs destroyed. */
  readonly retired: number;
  /** Why not, when `rewrapped` is false. */
  readonly note: string | null;
}

/** What a key import did. */
export interface RestoreOutcome {
  /** Keys put back. */
  readonly restored: number;
  /** Keys the store already held. */
  readonly alreadyHeld: number;
  /** Keys of people (or messages) erased since the export: never brought back. */
  readonly erased: number;
  /** Subjects that hold another key now: their older data stays unreadable. */
  readonly conflicts: number;
  /** In recovery: keys wrapped under a KEK that no longer exists and absent from the export, deleted (their data reads XXXX). */
  readonly unrecoverable: number;
}

/** Where a store's keys stand. */
export interface KeyStatus {
  readonly source: string;
  readonly rotatable: boolean;
  readonly kekId: string | null;
  readonly keys: number;
  /** Keys erased so far (ids kept, never the keys). */
  readonly forgotten: number;
  readonly lastRewrap: (RewrapOutcome & { readonly at: string }) | null;
  /** When `keys export` last ran against this store (null: never). */
  readonly lastExportAt: string | null;
}

/** The key store of a SQL store: the port, plus what retention, backups and checks need. */
export interface SqlKeyStore extends KeyStore {
  /** Where the KEK lives. */
  readonly source: KekSource;
  /** Re-wraps every key under a fresh KEK and destroys the old ones (when the source can rotate). */
  readonly rewrap: () => Promise<RewrapOutcome>;
  /** Every key held, unwrapped (erased keys are gone, so never among them). */
  readonly entries: () => Promise<ReadonlyArray<KeyEntry>>;
  /** Puts exported keys back, wrapped under the current KEK; never an erased key. */
  readonly restore: (entries: ReadonlyArray<KeyEntry>) => Promise<RestoreOutcome>;
  /** Records that the keys were exported now (retention then says when an export predates an erasure). */
  readonly markExported: () => Promise<void>;
  readonly status: () => Promise<KeyStatus>;
}

const toBuffer = (v: unknown): Buffer => (Buffer.isBuffer(v) ? v : Buffer.from(v as Uint8Array));

/** What a wrapped key is bound to: its id and subject (a wrapped key moved to another row does not open). */
export const subjectKeyAad = (keyId: string, subject: string): string => `contactable-subject-key\u0000${keyId}\u0000${subject}`;
const wrapAad = subjectKeyAad;

// 32-bit FNV-1a: each schema's key rotation gets its own advisory lock.
const hash32 = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
};
const LOCK_CLASS = 0x6b656b73; // "keks"

// Rows per UPDATE of a re-wrap (one JSON parameter each).
const CHUNK = 5_000;

const ERASED_TYPES = ['MemberAnonymised', 'ContactAnonymised', 'MessageContentErased'];

/**
 * Opens the key store of a schema: checks that the KEK source holds every KEK the stored keys are
 * wrapped under (refusing to open otherwise: nothing is made, nothing is lost), makes the source's
 * first KEK for a store that has none, and wraps keys an older version stored unwrapped.
 */
export const openSqlKeyStore = async (
  sql: SqlDriver,
  schema: string,
  source: KekSource,
  label: string,
  options: {
    /**
     * Recovery (a database restored from a backup taken before a rotation, whose KEK was destroyed):
     * open anyway, so `restore` can put the keys of an export back; nothing else should use it.
     */
    readonly recover?: boolean;
  } = {},
): Promise<SqlKeyStore> => {
  const recover = options.recover === true;
  const s = quoteSchema(schema);
  const lock = `SELECT pg_advisory_xact_lock(${LOCK_CLASS}, ${hash32(schema)})`;
  const refuse = (message: string): StoreError => new StoreError(label, `${message}; nothing was changed`);

  const [info] = await sql.query<{ store_id: string | null; current: string | null; legacy: unknown; referenced: unknown }>(
    `SELECT (SELECT value FROM ${s}.store_info WHERE name = 'store_id') AS store_id,
            (SELECT value FROM ${s}.store_info WHERE name = 'kek_id') AS current,
            (SELECT count(*) FROM ${s}.subject_keys WHERE kek_id IS NULL) AS legacy,
            (SELECT coalesce(jsonb_agg(DISTINCT kek_id), '[]'::jsonb) FROM ${s}.subject_keys WHERE kek_id IS NOT NULL) AS referenced`,
  );
  const storeId = info?.store_id ?? '';
  const ring = new Map<string, Kek>();

  const refresh = async (): Promise<void> => {
    let set;
    try {
      set = await source.load();
    } catch (e) {
      throw refuse(`the key-encryption key cannot be read: ${(e as Error).message}`);
    }
    if (set.storeId !== null && set.storeId !== storeId) {
      throw refuse(`${source.label} belongs to another store: give this store its own key file`);
    }
    ring.clear();
    for (const k of set.keks) ring.set(k.id, k);
  };

  await refresh();
  const referenced = [...new Set([...(parseIds(info?.referenced)), ...(info?.current === null || info?.current === undefined ? [] : [info.current])])];
  const missing = referenced.filter((id) => !ring.has(id));
  if (missing.length > 0 && !recover) {
    throw refuse(
      ring.size === 0
        ? `its keys are wrapped under key-encryption key ${missing.join(', ')}, and ${source.label} holds none (missing?): restore that file, or give its path with --kek-file or CONTACTABLE_KEK_FILE`
        : `its keys are wrapped under key-encryption key ${missing.join(', ')}, which ${source.label} does not hold (another store's key?): give this store its own key file`,
    );
  }
  if (ring.size === 0) {
    if (source.create === undefined) throw refuse(`${source.label} holds no key-encryption key`);
    try {
      const made = await source.create(storeId);
      ring.set(made.id, made);
      await refresh();
    } catch (e) {
      if (e instanceof StoreError) throw e;
      throw refuse(`the key-encryption key could not be made: ${(e as Error).message}`);
    }
  }

  // The KEK new keys are wrapped under: the store's current one, else the newest the source holds.
  let wrapping: string = info?.current !== null && info?.current !== undefined && ring.has(info.current) ? info.current : [...ring.keys()].pop()!;
  if (recover && info?.current !== wrapping) {
    await sql.query(`INSERT INTO ${s}.store_info VALUES ('kek_id', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [wrapping]);
  }

  const kekOf = async (id: string): Promise<Kek> => {
    let kek = ring.get(id);
    if (kek === undefined) {
      // Another process rotated the KEK: its source (a shared file, a KMS) has the new one.
      await refresh();
      kek = ring.get(id);
    }
    if (kek === undefined) throw refuse(`a key is wrapped under key-encryption key ${id}, which ${source.label} does not hold`);
    return kek;
  };

  const unwrapRow = async (row: { key_id: string; subject: string; key: unknown; kek_id: string | null }): Promise<Buffer> => {
    const bytes = toBuffer(row.key);
    // Stored by an older version (wrapped on open; another old process may still be writing).
    if (row.kek_id === null) return bytes;
    const key = (await kekOf(row.kek_id)).unwrap(bytes, wrapAad(row.key_id, row.subject));
    if (key === null) throw refuse(`the key ${row.key_id} does not unwrap under key-encryption key ${row.kek_id} (damaged, or another store's key file)`);
    return key;
  };

  /**
   * After an insert found the store's current KEK is not ours (or not set): record ours when none is,
   * or adopt the current one when our source has it (another process rotated); refuse otherwise.
   */
  const settle = async (current: string | null): Promise<void> => {
    if (current === null) {
      await sql.query(`INSERT INTO ${s}.store_info VALUES ('kek_id', $1) ON CONFLICT (name) DO NOTHING`, [wrapping]);
      return;
    }
    await kekOf(current);
    wrapping = current;
  };

  const wrapFresh = (fresh: SubjectKey, subject: string): Buffer => ring.get(wrapping)!.wrap(fresh.key, wrapAad(fresh.id, subject));

  const current: KeyStore['current'] = async (subject) => {
    // One round trip: insert unless the subject has a key (and only under the store's current KEK,
    // row-locked so a rotation cannot slip between), then return whichever key stands. A writer
    // racing us for the same new subject commits after our snapshot, so we may see nothing: ask again.
    for (let attempt = 0; attempt < 8; attempt++) {
      const fresh = newSubjectKey();
      const rows = await sql.query<{ key_id: string | null; subject: string | null; key: unknown; kek_id: string | null; current: string | null }>(
        `WITH k AS MATERIALIZED (SELECT value FROM ${s}.store_info WHERE name = 'kek_id' FOR SHARE),
         ins AS (
           INSERT INTO ${s}.subject_keys (key_id, subject, key, kek_id)
           SELECT $1, $2, $3, $4 WHERE (SELECT value FROM k) = $4
           ON CONFLICT (subject) DO NOTHING RETURNING key_id, subject, key, kek_id)
         SELECT key_id, subject, key, kek_id, (SELECT value FROM k) AS current FROM ins
         UNION ALL SELECT key_id, subject, key, kek_id, (SELECT value FROM k) FROM ${s}.subject_keys WHERE subject = $2
         UNION ALL SELECT NULL, NULL, NULL, NULL, (SELECT value FROM k)
         LIMIT 1`,
        [fresh.id, subject, wrapFresh(fresh, subject), wrapping],
      );
      const row = rows[0];
      if (row !== undefined && row.key_id !== null) {
        return { id: row.key_id, key: row.key_id === fresh.id ? fresh.key : await unwrapRow({ ...row, key_id: row.key_id, subject }) };
      }
      if (row?.current !== wrapping) await settle(row?.current ?? null);
    }
    throw new StoreError(label, 'no key could be made for a subject: the key table keeps changing');
  };

  const currentMany: NonNullable<KeyStore['currentMany']> = async (subjects) => {
    const out = new Map<string, SubjectKey>();
    // Sorted, so two writers making overlapping sets of keys take the unique index in the same order (no deadlock).
    let missingSubjects = [...new Set(subjects)].sort();
    for (let attempt = 0; attempt < 8 && missingSubjects.length > 0; attempt++) {
      const fresh = missingSubjects.map((subject) => ({ subject, ...newSubjectKey() }));
      const made = new Map(fresh.map((f) => [f.id, f.key]));
      const rows = await sql.query<{ subject: string | null; key_id: string | null; key: unknown; kek_id: string | null; current: string | null }>(
        `WITH k AS MATERIALIZED (SELECT value FROM ${s}.store_info WHERE name = 'kek_id' FOR SHARE),
         wanted AS (SELECT * FROM jsonb_to_recordset($1::jsonb) AS w(n int, key_id text, subject text, key text)),
         ins AS (
           INSERT INTO ${s}.subject_keys (key_id, subject, key, kek_id)
           SELECT key_id, subject, decode(key, 'hex'), $2 FROM wanted WHERE (SELECT value FROM k) = $2 ORDER BY n
           ON CONFLICT (subject) DO NOTHING RETURNING subject, key_id, key, kek_id)
         SELECT subject, key_id, key, kek_id, (SELECT value FROM k) AS current FROM ins
         UNION ALL SELECT h.subject, h.key_id, h.key, h.kek_id, (SELECT value FROM k) FROM ${s}.subject_keys h JOIN wanted ON wanted.subject = h.subject
         UNION ALL SELECT NULL, NULL, NULL, NULL, (SELECT value FROM k)`,
        [JSON.stringify(fresh.map((f, n) => ({ n, key_id: f.id, subject: f.subject, key: wrapFresh(f, f.subject).toString('hex') }))), wrapping],
      );
      let currentSeen: string | null = null;
      for (const r of rows) {
        currentSeen = r.current;
        if (r.key_id === null || r.subject === null) continue;
        out.set(r.subject, { id: r.key_id, key: made.get(r.key_id) ?? (await unwrapRow({ ...r, key_id: r.key_id, subject: r.subject })) });
      }
      missingSubjects = missingSubjects.filter((x) => !out.has(x));
      if (missingSubjects.length > 0 && currentSeen !== wrapping) await settle(currentSeen);
    }
    if (missingSubjects.length > 0) throw new StoreError(label, 'no key could be made for some subjects: the key table keeps changing');
    return out;
  };

  const find: KeyStore['find'] = async (keyIds) => {
    if (keyIds.length === 0) return new Map();
    const rows = await sql.query<{ key_id: string; subject: string; key: unknown; kek_id: string | null }>(
      `SELECT key_id, subject, key, kek_id FROM ${s}.subject_keys WHERE key_id IN (SELECT jsonb_array_elements_text($1::jsonb))`,
      [JSON.stringify(keyIds)],
    );
    const out = new Map<string, { key: Buffer; subject: string }>();
    for (const r of rows) out.set(r.key_id, { key: await unwrapRow(r), subject: r.subject });
    return out;
  };

  const remove: KeyStore['remove'] = async (subject) => {
    // The tombstone (ids only) keeps a later key import from bringing the key back.
    await sql.query(
      `WITH gone AS (DELETE FROM ${s}.subject_keys WHERE subject = $1 RETURNING key_id, subject)
       INSERT INTO ${s}.forgotten_keys (key_id, subject) SELECT key_id, subject FROM gone ON CONFLICT (key_id) DO NOTHING`,
      [subject],
    );
  };

  /** Wraps every row in `rows` under `kek` and writes it back, in chunks, on the transaction `tx`. */
  const rewrite = async (
    tx: Pick<SqlDriver, 'query'>,
    rows: ReadonlyArray<{ key_id: string; subject: string; key: unknown; kek_id: string | null }>,
    kek: Kek,
  ): Promise<void> => {
    for (let i = 0; i < rows.length; i += CHUNK) {
      const chunk: Array<{ key_id: string; key: string }> = [];
      for (const r of rows.slice(i, i + CHUNK)) {
        const raw = await unwrapRow(r);
        chunk.push({ key_id: r.key_id, key: kek.wrap(raw, wrapAad(r.key_id, r.subject)).toString('hex') });
      }
      await tx.query(
        `UPDATE ${s}.subject_keys k SET key = decode(w.key, 'hex'), kek_id = $2
         FROM jsonb_to_recordset($1::jsonb) AS w(key_id text, key text) WHERE k.key_id = w.key_id`,
        [JSON.stringify(chunk), kek.id],
      );
    }
  };

  const setCurrent = (tx: Pick<SqlDriver, 'query'>, id: string) =>
    tx.query(`INSERT INTO ${s}.store_info VALUES ('kek_id', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [id]);

  /**
   * Destroys every KEK of the source that wraps no stored key and is not the current one: the old
   * KEK after a re-wrap, or one staged by a rotation that crashed. Under the rotation lock, so no
   * other rotation is between staging and committing, and no key file change is lost.
   */
  const retireUnused = async (): Promise<number> => {
    if (source.retire === undefined) return 0;
    return sql.transaction(async (tx) => {
      await tx.query(lock);
      await refresh();
      const [row] = await tx.query<{ current: string | null; referenced: unknown }>(
        `SELECT (SELECT value FROM ${s}.store_info WHERE name = 'kek_id') AS current,
                (SELECT coalesce(jsonb_agg(DISTINCT kek_id), '[]'::jsonb) FROM ${s}.subject_keys WHERE kek_id IS NOT NULL) AS referenced`,
      );
      const keep = new Set([...parseIds(row?.referenced), ...(row?.current === null || row?.current === undefined ? [] : [row.current])]);
      // A store that never recorded a KEK keeps the one it will use.
      if (keep.size === 0) keep.add(wrapping);
      const drop = [...ring.keys()].filter((id) => !keep.has(id));
      if (drop.length === 0) return 0;
      await source.retire!(drop);
      for (const id of drop) ring.delete(id);
      return drop.length;
    });
  };

  let lastRewrap: (RewrapOutcome & { at: string }) | null = null;

  const rewrap: SqlKeyStore['rewrap'] = async () => {
    const count = async (): Promise<number> => Number((await sql.query<{ n: unknown }>(`SELECT count(*) AS n FROM ${s}.subject_keys`))[0]?.n ?? 0);
    if (!isRotatable(source)) {
      const outcome: RewrapOutcome = {
        rewrapped: false,
        kekId: wrapping,
        keys: await count(),
        retired: 0,
        note: `${source.label} is a fixed key: contactable cannot rotate it, so copies of erased people's keys in backups, replicas or old WAL stay wrapped under a key that still exists; use a key file or a KMS`,
      };
      lastRewrap = { ...outcome, at: new Date().toISOString() };
      return outcome;
    }
    let staged: Kek | null = null;
    let keys = 0;
    try {
      await sql.transaction(async (tx) => {
        await tx.query(lock);
        await refresh();
        // Row-locked: an insert wrapping under the old KEK waits, then sees the new one and retries.
        await tx.query(`SELECT value FROM ${s}.store_info WHERE name = 'kek_id' FOR UPDATE`);
        staged = await source.stage!();
        ring.set(staged.id, staged);
        await setCurrent(tx, staged.id);
        const rows = await tx.query<{ key_id: string; subject: string; key: unknown; kek_id: string | null }>(
          `SELECT key_id, subject, key, kek_id FROM ${s}.subject_keys ORDER BY key_id`,
        );
        await rewrite(tx, rows, staged);
        keys = rows.length;
      });
    } catch (e) {
      // The staged KEK wraps nothing committed: destroy it with any other unused one, then report.
      await retireUnused().catch(() => undefined);
      throw e;
    }
    wrapping = (staged as Kek | null)!.id;
    let retired = 0;
    let note: string | null = null;
    try {
      retired = await retireUnused();
    } catch (e) {
      note = `the old key-encryption key could not be destroyed yet (${(e as Error).message}); the next retention run tries again`;
    }
    const outcome: RewrapOutcome = { rewrapped: true, kekId: wrapping, keys, retired, note };
    lastRewrap = { ...outcome, at: new Date().toISOString() };
    await sql.query(`INSERT INTO ${s}.store_info VALUES ('last_rewrap', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [JSON.stringify(lastRewrap)]);
    return outcome;
  };

  const entries: SqlKeyStore['entries'] = async () => {
    const rows = await sql.query<{ key_id: string; subject: string; key: unknown; kek_id: string | null }>(
      `SELECT key_id, subject, key, kek_id FROM ${s}.subject_keys ORDER BY subject`,
    );
    const out: KeyEntry[] = [];
    for (const r of rows) out.push({ keyId: r.key_id, subject: r.subject, key: await unwrapRow(r) });
    return out;
  };

  const restore: SqlKeyStore['restore'] = async (wanted) => {
    let restored = 0;
    let alreadyHeld = 0;
    let erased = 0;
    let conflicts = 0;
    for (let i = 0; i < wanted.length; i += CHUNK) {
      const chunk = wanted.slice(i, i + CHUNK);
      const json = JSON.stringify(chunk.map((e) => ({ key_id: e.keyId, subject: e.subject })));
      // An erased key stays erased: its tombstone, or the erasure event in the log, says so.
      const state = await sql.query<{ key_id: string; held: unknown; held_kek: string | null; other: unknown; gone: unknown }>(
        `SELECT w.key_id,
           EXISTS (SELECT 1 FROM ${s}.subject_keys h WHERE h.key_id = w.key_id) AS held,
           (SELECT h.kek_id FROM ${s}.subject_keys h WHERE h.key_id = w.key_id) AS held_kek,
           EXISTS (SELECT 1 FROM ${s}.subject_keys h WHERE h.subject = w.subject AND h.key_id <> w.key_id) AS other,
           (EXISTS (SELECT 1 FROM ${s}.forgotten_keys f WHERE f.key_id = w.key_id)
             OR EXISTS (SELECT 1 FROM ${s}.events e WHERE e.stream_id = w.subject AND e.type IN (SELECT jsonb_array_elements_text($2::jsonb)))) AS gone
         FROM jsonb_to_recordset($1::jsonb) AS w(key_id text, subject text)`,
        [json, JSON.stringify(ERASED_TYPES)],
      );
      const stateOf = new Map(state.map((r) => [r.key_id, r]));
      const fresh: KeyEntry[] = [];
      const replace: KeyEntry[] = [];
      for (const e of chunk) {
        const st = stateOf.get(e.keyId);
        if (st?.gone === true) erased++;
        else if (st?.held === true && recover && st.held_kek !== null && !ring.has(st.held_kek)) replace.push(e);
        else if (st?.held === true) alreadyHeld++;
        else if (st?.other === true) conflicts++;
        else fresh.push(e);
      }
      // Recovery: the row is there, wrapped under a KEK destroyed since; the export's copy takes its place.
      for (let attempt = 0; attempt < 8 && replace.length > 0; attempt++) {
        const rows = await sql.query<{ updated: unknown; current: string | null }>(
          `WITH k AS MATERIALIZED (SELECT value FROM ${s}.store_info WHERE name = 'kek_id' FOR SHARE),
           up AS (
             UPDATE ${s}.subject_keys h SET key = decode(w.key, 'hex'), kek_id = $2
             FROM jsonb_to_recordset($1::jsonb) AS w(key_id text, subject text, key text)
             WHERE h.key_id = w.key_id AND h.subject = w.subject AND (SELECT value FROM k) = $2 RETURNING 1)
           SELECT (SELECT count(*) FROM up) AS updated, (SELECT value FROM k) AS current`,
          [JSON.stringify(replace.map((e) => ({ key_id: e.keyId, subject: e.subject, key: ring.get(wrapping)!.wrap(e.key, wrapAad(e.keyId, e.subject)).toString('hex') }))), wrapping],
        );
        if (rows[0]?.current === wrapping) {
          restored += Number(rows[0].updated);
          replace.length = 0;
        } else await settle(rows[0]?.current ?? null);
      }
      for (let attempt = 0; attempt < 8 && fresh.length > 0; attempt++) {
        const rows = await sql.query<{ inserted: unknown; current: string | null }>(
          `WITH k AS MATERIALIZED (SELECT value FROM ${s}.store_info WHERE name = 'kek_id' FOR SHARE),
           ins AS (
             INSERT INTO ${s}.subject_keys (key_id, subject, key, kek_id)
             SELECT w.key_id, w.subject, decode(w.key, 'hex'), $2 FROM jsonb_to_recordset($1::jsonb) AS w(key_id text, subject text, key text)
             WHERE (SELECT value FROM k) = $2
             ON CONFLICT DO NOTHING RETURNING 1)
           SELECT (SELECT count(*) FROM ins) AS inserted, (SELECT value FROM k) AS current`,
          [JSON.stringify(fresh.map((e) => ({ key_id: e.keyId, subject: e.subject, key: ring.get(wrapping)!.wrap(e.key, wrapAad(e.keyId, e.subject)).toString('hex') }))), wrapping],
        );
        const row = rows[0];
        if (row?.current === wrapping) {
          restored += Number(row.inserted);
          // A key made meanwhile for one of these subjects won: counted as a conflict.
          conflicts += fresh.length - Number(row.inserted);
          fresh.length = 0;
        } else await settle(row?.current ?? null);
      }
    }
    let unrecoverable = 0;
    if (recover) {
      // What is still wrapped under a destroyed KEK can never be opened again: drop it so the store opens.
      const [row] = await sql.query<{ n: unknown }>(
        `WITH gone AS (DELETE FROM ${s}.subject_keys WHERE kek_id IS NOT NULL AND kek_id NOT IN (SELECT jsonb_array_elements_text($1::jsonb)) RETURNING 1)
         SELECT count(*) AS n FROM gone`,
        [JSON.stringify([...ring.keys()])],
      );
      unrecoverable = Number(row?.n ?? 0);
    }
    return { restored, alreadyHeld, erased, conflicts, unrecoverable };
  };

  const markExported: SqlKeyStore['markExported'] = async () => {
    await sql.query(`INSERT INTO ${s}.store_info VALUES ('last_key_export_at', $1) ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value`, [new Date().toISOString()]);
  };

  const status: SqlKeyStore['status'] = async () => {
    const [row] = await sql.query<{ keys: unknown; forgotten: unknown; current: string | null; exported: string | null; rewrap: string | null }>(
      `SELECT (SELECT count(*) FROM ${s}.subject_keys) AS keys, (SELECT count(*) FROM ${s}.forgotten_keys) AS forgotten,
              (SELECT value FROM ${s}.store_info WHERE name = 'kek_id') AS current,
              (SELECT value FROM ${s}.store_info WHERE name = 'last_key_export_at') AS exported,
              (SELECT value FROM ${s}.store_info WHERE name = 'last_rewrap') AS rewrap`,
    );
    let stored: KeyStatus['lastRewrap'] = null;
    try {
      stored = row?.rewrap === null || row?.rewrap === undefined ? null : (JSON.parse(row.rewrap) as KeyStatus['lastRewrap']);
    } catch {
      // Not ours to fail on: the status just does not say.
    }
    return {
      source: source.label,
      rotatable: isRotatable(source),
      kekId: row?.current ?? null,
      keys: Number(row?.keys ?? 0),
      forgotten: Number(row?.forgotten ?? 0),
      lastRewrap: lastRewrap ?? stored,
      lastExportAt: row?.exported ?? null,
    };
  };

  // Keys an older version stored unwrapped: wrapped now, all in one transaction (a crash leaves them as they were).
  if (Number(info?.legacy ?? 0) > 0) {
    await sql.transaction(async (tx) => {
      await tx.query(lock);
      const [row] = await tx.query<{ value: string }>(`SELECT value FROM ${s}.store_info WHERE name = 'kek_id' FOR UPDATE`);
      if (row === undefined) await setCurrent(tx, wrapping);
      else wrapping = row.value;
      const rows = await tx.query<{ key_id: string; subject: string; key: unknown; kek_id: string | null }>(
        `SELECT key_id, subject, key, kek_id FROM ${s}.subject_keys WHERE kek_id IS NULL ORDER BY key_id`,
      );
      await rewrite(tx, rows, await kekOf(wrapping));
    });
  }

  return { source, current, currentMany, find, remove, rewrap, entries, restore, markExported, status };
};

const parseIds = (v: unknown): string[] => {
  const arr = typeof v === 'string' ? (JSON.parse(v) as unknown) : v;
  return Array.isArray(arr) ? arr.filter((x): x is string => typeof x === 'string') : [];
};

/** The subject of the secret read-model look-ups are hashed with (a key like a person's, never forgotten, sealing no event). */
export const LOOKUP_KEY_SUBJECT = 'read-models:lookups';
