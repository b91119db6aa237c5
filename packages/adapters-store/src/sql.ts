/**
 * The SQL shared by the PGlite and PostgreSQL stores: one schema (default `contactable`)
 * holding `events`, `subject_keys`, `checkpoints` and the position allocator.
 *
 * Gap-free reading. A reader following `position > last` would skip an event whose
 * transaction commits after a later one. Two parts stop that:
 * 1. Appends take their positions through `take_positions`, which assigns the
 *    transaction id and the positions under one short advisory lock, so among
 *    appends a higher position always has a higher transaction id. The lock is
 *    released before the insert finishes, so writers still commit in parallel.
 * 2. Readers only return rows whose `transaction_id < pg_snapshot_xmin(pg_current_snapshot())`:
 *    every transaction below that horizon has ended, and any transaction still running
 *    (or not yet started) has a higher id, hence (by 1) only higher positions.
 * So a position is readable only once every append that could hold a lower one has
 * committed or rolled back. (Emmett reads by `(transaction_id, position)` instead;
 * our port promises strictly increasing positions, hence the allocator.)
 */

/** What the SQL stores need from a database connection (pg Pool or PGlite). */
export interface SqlDriver {
  /** Runs one statement; without params it may be a utility statement (VACUUM, CHECKPOINT). */
  readonly query: <R = Record<string, unknown>>(text: string, params?: ReadonlyArray<unknown>) => Promise<ReadonlyArray<R>>;
  /** Runs one parameterised query and returns its rows as arrays, in column order (cheaper for big reads). */
  readonly queryArrays: (text: string, params: ReadonlyArray<unknown>) => Promise<ReadonlyArray<ReadonlyArray<unknown>>>;
  /** Runs several parameterless statements in one transaction (schema set-up). */
  readonly script: (text: string) => Promise<void>;
  /**
   * Runs `f` in one transaction on one connection: committed when it resolves, rolled back when it
   * throws. Nothing else of this process runs in it (PGlite: every query joins the open transaction).
   */
  readonly transaction: <T>(f: (tx: SqlDriver) => Promise<T>) => Promise<T>;
}

/** The schema our tables live in unless told otherwise. */
export const DEFAULT_SCHEMA = 'contactable';

/** Checks a schema name (lower-case letters, digits, underscores) and returns it quoted for SQL. */
export const quoteSchema = (schema: string): string => {
  if (!/^[a-z_][a-z0-9_]{0,40}$/.test(schema)) {
    throw new Error(`schema name "${schema}" must be lower-case letters, digits and underscores`);
  }
  return `"${schema}"`;
};

/** The NOTIFY channel appends to a schema signal on. */
export const channelOf = (schema: string): string => `contactable_${schema}`;

// 32-bit FNV-1a, so each schema gets its own advisory lock.
const hash32 = (s: string): number => {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h | 0;
};
const LOCK_CLASS = 0x636f6e74; // "cont"

/** The DDL that creates (or brings up to date) a schema; safe to run again. */
export const schemaScript = (schema: string): string => {
  const s = quoteSchema(schema);
  const lock = `${LOCK_CLASS}, ${hash32(schema)}`;
  return `
SELECT pg_advisory_xact_lock(${LOCK_CLASS}, 0);
CREATE SCHEMA IF NOT EXISTS ${s};
CREATE SEQUENCE IF NOT EXISTS ${s}.position_seq;
CREATE TABLE IF NOT EXISTS ${s}.events (
  position bigint PRIMARY KEY,
  stream_id text NOT NULL,
  version integer NOT NULL,
  event_id text NOT NULL,
  type text NOT NULL,
  schema_version integer NOT NULL,
  data jsonb NOT NULL,
  metadata jsonb NOT NULL,
  personal text,
  transaction_id xid8 NOT NULL,
  CONSTRAINT events_stream_version UNIQUE (stream_id, version),
  CONSTRAINT events_stream_event UNIQUE (stream_id, event_id)
);
CREATE TABLE IF NOT EXISTS ${s}.subject_keys (
  key_id text PRIMARY KEY,
  subject text NOT NULL UNIQUE,
  key bytea NOT NULL,
  created_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${s}.checkpoints (
  name text PRIMARY KEY,
  position bigint NOT NULL,
  updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE IF NOT EXISTS ${s}.store_info (name text PRIMARY KEY, value text NOT NULL);
INSERT INTO ${s}.store_info VALUES ('schema_version', '1') ON CONFLICT (name) DO NOTHING;
-- Names this store, so a key file made for another one is refused rather than used.
INSERT INTO ${s}.store_info VALUES ('store_id', md5(random()::text || clock_timestamp()::text)) ON CONFLICT (name) DO NOTHING;
-- Which key-encryption key wraps each key (null: stored unwrapped by an older version, wrapped on open).
ALTER TABLE ${s}.subject_keys ADD COLUMN IF NOT EXISTS kek_id text;
-- Keys deleted by forget (ids and subjects only): a key import never brings an erased key back.
CREATE TABLE IF NOT EXISTS ${s}.forgotten_keys (
  key_id text PRIMARY KEY,
  subject text NOT NULL,
  forgotten_at timestamptz NOT NULL DEFAULT now()
);
-- ANALYZE copies sample values into pg_statistic, out of reach of any DELETE or VACUUM of ours:
-- gather no samples of key or personal columns (data and metadata held plain reasons before 16).
DO $stats$
DECLARE c record;
BEGIN
  FOR c IN
    SELECT a.attrelid::regclass AS rel, a.attname
    FROM pg_attribute a
    WHERE ((a.attrelid = '${s}.subject_keys'::regclass AND a.attname = 'key')
        OR (a.attrelid = '${s}.events'::regclass AND a.attname IN ('personal', 'data', 'metadata')))
      AND coalesce(a.attstattarget::int, -1) <> 0
  LOOP
    EXECUTE format('ALTER TABLE %s ALTER COLUMN %I SET STATISTICS 0', c.rel, c.attname);
  END LOOP;
END
$stats$;
CREATE OR REPLACE FUNCTION ${s}.take_positions(n integer, OUT xid xid8, OUT first bigint)
LANGUAGE plpgsql AS $fn$
BEGIN
  -- A session lock, released before the caller's insert commits; the inner block makes sure
  -- it is released even if something fails while it is held.
  PERFORM pg_advisory_lock(${lock});
  BEGIN
    xid := pg_current_xact_id();
    first := nextval('${s}.position_seq');
    IF n > 1 THEN PERFORM setval('${s}.position_seq', first + n - 1); END IF;
  EXCEPTION WHEN OTHERS OR query_canceled THEN
    PERFORM pg_advisory_unlock(${lock});
    RAISE;
  END;
  PERFORM pg_advisory_unlock(${lock});
  -- Followers LISTEN on this channel; PostgreSQL delivers it when (and only if) the append commits.
  PERFORM pg_notify('${channelOf(schema)}', '');
END
$fn$;
`;
};

/** The statements of one schema. */
export const statements = (schema: string) => {
  const s = quoteSchema(schema);
  // The order `eventsFromColumns` (sqlStore.ts) reads them in. Metadata comes as text: the events of one
  // command share it, so the reader parses each distinct text once per page.
  const columns = 'position, stream_id, version, event_id, type, schema_version, data, metadata::text, personal';
  return {
    /** The stream's last version, and the version holding an event id (the idempotency check), in one look. */
    streamState: `SELECT (SELECT max(version) FROM ${s}.events WHERE stream_id = $1) AS actual,
       (SELECT version FROM ${s}.events WHERE stream_id = $1 AND event_id = $2) AS dup`,
    /** The positions of events already written from a version on. */
    written: `SELECT version, position FROM ${s}.events WHERE stream_id = $1 AND version >= $2 ORDER BY version LIMIT $3`,
    /**
     * Appends a batch in one statement (its own transaction), when the stream's last version is $2
     * (null: any) and every sealing key of $5 (a JSON array of key ids) still exists; otherwise inserts nothing and the
     * caller looks at why. Positions and the transaction id come from the allocator, versions follow
     * the stream's last one, rows come from the JSON batch $4. A version taken meanwhile, or an id
     * already in the stream (a re-sent batch), raises a unique violation (23505).
     */
    append: `WITH state AS MATERIALIZED (
         SELECT coalesce((SELECT max(version) FROM ${s}.events WHERE stream_id = $1), -1) AS actual),
       alloc AS MATERIALIZED (
         SELECT p.xid, p.first, state.actual FROM state CROSS JOIN LATERAL ${s}.take_positions($3::int) AS p
         WHERE ($2::int IS NULL OR state.actual = $2::int)
           AND (SELECT count(*) FROM ${s}.subject_keys WHERE key_id IN (SELECT jsonb_array_elements_text($5::jsonb))) = jsonb_array_length($5::jsonb))
       INSERT INTO ${s}.events (position, stream_id, version, event_id, type, schema_version, data, metadata, personal, transaction_id)
       SELECT alloc.first + r.i, $1::text, alloc.actual + 1 + r.i, r.id, r.type, r.sv, r.data, r.metadata, r.personal, alloc.xid
       FROM alloc CROSS JOIN jsonb_to_recordset($4::jsonb) AS r(i int, id text, type text, sv int, data jsonb, metadata jsonb, personal text)
       RETURNING position, version`,
    /** `streamState` for several streams at once: $1 is a JSON array of {s, stream_id, first_id}. */
    streamStates: `SELECT h.s,
       (SELECT max(version) FROM ${s}.events WHERE stream_id = h.stream_id) AS actual,
       (SELECT version FROM ${s}.events WHERE stream_id = h.stream_id AND event_id = h.first_id) AS dup
       FROM jsonb_to_recordset($1::jsonb) AS h(s int, stream_id text, first_id text)`,
    /**
     * Appends to several streams in one statement (one transaction), all or nothing: when every stream
     * of $1 ({s, stream_id, expected}, expected null: any) is at its expected version and every key id
     * of $3 still exists, takes $4 positions at once from the allocator (so the gap-free rule holds as
     * for `append`) and inserts the rows of $2 ({s, v, p, ...}: stream s, its v-th event, the p-th
     * position of the call). Returns each stream's last version before the insert and the first
     * position, or no rows when a check failed. A version or id taken meanwhile raises 23505.
     */
    appendMany: `WITH b AS MATERIALIZED (
         SELECT h.s, h.stream_id, h.expected,
           coalesce((SELECT max(e.version) FROM ${s}.events e WHERE e.stream_id = h.stream_id), -1) AS actual
         FROM jsonb_to_recordset($1::jsonb) AS h(s int, stream_id text, expected int)),
       ok AS MATERIALIZED (
         SELECT NOT EXISTS (SELECT 1 FROM b WHERE b.expected IS NOT NULL AND b.actual <> b.expected)
           AND (SELECT count(*) FROM ${s}.subject_keys WHERE key_id IN (SELECT jsonb_array_elements_text($3::jsonb))) = jsonb_array_length($3::jsonb)
           AS go),
       alloc AS MATERIALIZED (
         SELECT p.xid, p.first FROM ok CROSS JOIN LATERAL ${s}.take_positions($4::int) AS p WHERE ok.go),
       ins AS (
         INSERT INTO ${s}.events (position, stream_id, version, event_id, type, schema_version, data, metadata, personal, transaction_id)
         SELECT alloc.first + r.p, b.stream_id, b.actual + 1 + r.v, r.id, r.type, r.sv, r.data, r.metadata, r.personal, alloc.xid
         FROM alloc
           CROSS JOIN jsonb_to_recordset($2::jsonb) AS r(s int, v int, p int, id text, type text, sv int, data jsonb, metadata jsonb, personal text)
           JOIN b ON b.s = r.s)
       SELECT b.s, b.actual, alloc.first FROM b CROSS JOIN alloc`,
    readStream: `SELECT ${columns} FROM ${s}.events WHERE stream_id = $1 AND version >= $2 ORDER BY version`,
    /** Readable events after a position: only those below the oldest running transaction (see the file comment). */
    readAll: `SELECT ${columns} FROM ${s}.events
       WHERE position > $1 AND transaction_id < (SELECT pg_snapshot_xmin(pg_current_snapshot()))
       ORDER BY position LIMIT $2`,
    head: `SELECT coalesce(max(position), 0) AS head FROM ${s}.events`,
    loadCheckpoint: `SELECT position FROM ${s}.checkpoints WHERE name = $1`,
    saveCheckpoint: `INSERT INTO ${s}.checkpoints (name, position) VALUES ($1, $2)
       ON CONFLICT (name) DO UPDATE SET position = EXCLUDED.position, updated_at = now()`,
    vacuumKeys: `VACUUM FULL ${s}.subject_keys`,
    /**
     * Drops the statistics PostgreSQL sampled from key and personal columns before they were set to
     * gather none (an older version): changing a column's type, even to the same type, deletes them.
     */
    dropKeyStatistics: [
      `ALTER TABLE ${s}.subject_keys ALTER COLUMN key TYPE bytea`,
      `ALTER TABLE ${s}.events ALTER COLUMN personal TYPE text, ALTER COLUMN data TYPE jsonb, ALTER COLUMN metadata TYPE jsonb`,
    ],
    /** Which of our key or personal columns still have sampled statistics (readable without superuser). */
    sampledColumns: `SELECT tablename || '.' || attname AS col FROM pg_stats
       WHERE schemaname = '${schema}' AND ((tablename = 'subject_keys' AND attname = 'key') OR (tablename = 'events' AND attname IN ('personal', 'data', 'metadata')))`,
  } as const;
};
