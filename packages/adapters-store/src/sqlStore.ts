/** The EventStore over SQL, shared by PGlite and PostgreSQL: same schema, same statements (see sql.ts). */
import * as E from 'fp-ts/lib/Either.js';
import {
  decodeEvent,
  versionMatches,
  type InlineReadModels,
  type ReadModelSource,
  type StoredEvent,
  type AppendResult,
  type CheckpointStore,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type RawEvent,
  type StreamAppend,
  type Subscription,
  type VersionConflict,
} from '@contactable/core';
import type { ChangeSignal } from './changes.js';
import { StoreError, errorCode, storeError } from './errors.js';
import { registerAdmin, type CompactionReport } from './admin.js';
import { LOOKUP_KEY_SUBJECT, type SqlKeyStore } from './keys.js';
import { makeShredder, type SealedRow } from './shredder.js';
import { readModelScript, sqlRows, tableOf } from './readModelTables.js';
import { quoteSchema, schemaScript, statements, type SqlDriver } from './sql.js';
import { followLog } from './subscription.js';
import { registerInspection, sqlInspection } from './inspection.js';

/** How a SQL store is wired to its database. */
export interface SqlStoreConfig {
  readonly sql: SqlDriver;
  /** The schema holding our tables (unquoted). */
  readonly schema: string;
  /** Which kind of database it is (reports and checks differ). */
  readonly kind: 'pglite' | 'postgres';
  /** The subject keys, opened over the same database (see keys.ts). */
  readonly keys: SqlKeyStore;
  /** The URL (masked in errors) or folder, to name the store in errors. */
  readonly label: string;
  /** Bumped by our appends; a multi-process store also bumps it on NOTIFY. */
  readonly changes: ChangeSignal;
  /** How long a follower waits for a signal before reading anyway, in ms. */
  readonly pollMs: number;
  /** How long an opened key stays cached, in ms (see ShredderOptions). */
  readonly keyCacheMs?: number;
  /** Called while any follower runs (to hold a LISTEN connection open); returns the matching release. */
  readonly watch?: () => () => void;
  /** Releases the database. */
  readonly close: () => Promise<void>;
  /** Sends the next page's query while a full page is opened (a pool, where a second connection can serve it). */
  readonly readAhead?: boolean;
  /** Decrypts big reads on a worker thread (see ShredderOptions.worker). */
  readonly decryptInWorker?: boolean;
  /** Read models kept beside the log, updated in each append's transaction (none: the log alone). */
  readonly readModels?: InlineReadModels | null;
  /** Given the way to drop every cached key (the opener calls it when another process may have forgotten some). */
  readonly onCaches?: (reset: () => void) => void;
}

/**
 * Rows of `statements().readStream` / `readAll`, read as arrays in their column order. Metadata comes
 * as text; the events of one command (or one import) share it, so each distinct text is parsed once
 * per page and its events share the (read-only) object.
 */
const eventsFromColumns = (rows: ReadonlyArray<ReadonlyArray<unknown>>): SealedRow[] => {
  const metadataOf = new Map<string, unknown>();
  const parse = (m: unknown): unknown => {
    if (typeof m !== 'string') return m;
    let parsed = metadataOf.get(m);
    if (parsed === undefined) metadataOf.set(m, (parsed = JSON.parse(m) as unknown));
    return parsed;
  };
  return rows.map((c) => ({
    id: c[3] as string,
    streamId: c[1] as string,
    version: Number(c[2]),
    position: Number(c[0]),
    type: c[4] as string,
    schemaVersion: Number(c[5]),
    data: c[6],
    metadata: parse(c[7]) as SealedRow['metadata'],
    personal: (c[8] as string | null) ?? null,
  }));
};

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

// Pages smaller than this are not read ahead (a reader after a few events is not paging the log).
const READ_AHEAD_MIN = 100;
// A page read ahead and not asked for within this long is dropped.
const READ_AHEAD_MS = 1_000;

// Far more than any real contention needs; a loop this long means something else is wrong.
const MAX_APPEND_ATTEMPTS = 100;

// Unique violation: another writer took the version (or the ids) first.
const UNIQUE_VIOLATION = '23505';
// Two multi-stream appends waiting on each other's uncommitted rows: PostgreSQL cancels one; it looks again and retries.
const DEADLOCK = '40P01';

const expectedLastOf = (expected: ExpectedVersion): number | null =>
  expected.kind === 'any' ? null : expected.kind === 'no-stream' ? -1 : expected.version;

/**
 * Lets the WAL that still holds deleted key rows go: switch to a fresh segment and checkpoint, twice,
 * so every segment written before the deletion is behind the redo point and is removed (or, with
 * `wal_recycle = on`, renamed for reuse and overwritten later). Needs superuser or the
 * pg_checkpoint role and EXECUTE on pg_switch_wal; without them this step is skipped and the old
 * segments go at the server's own next checkpoints.
 */
export const rotateWal = async (sql: SqlDriver): Promise<void> => {
  for (let round = 0; round < 2; round++) {
    for (const statement of ['SELECT pg_switch_wal()', 'CHECKPOINT']) {
      try {
        await sql.query(statement);
      } catch (e) {
        if (errorCode(e) !== '42501') throw e;
      }
    }
  }
};

/** Creates our tables in the schema if they are missing (safe to call from several processes at once), read models' too. */
export const ensureSchema = async (sql: SqlDriver, schema: string, readModels?: InlineReadModels | null): Promise<void> => {
  await sql.script(schemaScript(schema));
  if (readModels !== undefined && readModels !== null) await sql.script(readModelScript(schema, readModels.tables));
  // Once per store: STATISTICS 0 keeps new samples away; later strays are caught by compact().
  const [done] = await sql.query<{ value: string }>(`SELECT value FROM ${quoteSchema(schema)}.store_info WHERE name = 'statistics_checked'`);
  if (done === undefined) {
    await scrubStatistics(sql, schema);
    await sql.query(`INSERT INTO ${quoteSchema(schema)}.store_info VALUES ('statistics_checked', 'true') ON CONFLICT (name) DO NOTHING`);
  }
};

/**
 * Drops statistics the server sampled from key and personal columns before they were set to
 * STATISTICS 0 (an older version: the samples could hold raw keys), then rewrites pg_statistic
 * so the bytes leave its files. Only a superuser can do the rewrite; otherwise the store notes it
 * and the erasure check asks for it.
 */
export const scrubStatistics = async (sql: SqlDriver, schema: string): Promise<void> => {
  const q = statements(schema);
  const sampled = await sql.query<{ col: string }>(q.sampledColumns);
  if (sampled.length === 0) return;
  for (const statement of q.dropKeyStatistics) await sql.query(statement);
  const [su] = await sql.query<{ v: string }>(`SELECT current_setting('is_superuser') AS v`);
  const s = quoteSchema(schema);
  if (su?.v === 'on') {
    await sql.query('VACUUM FULL pg_catalog.pg_statistic');
    await sql.query(`DELETE FROM ${s}.store_info WHERE name = 'statistics_scrub_pending'`);
  } else {
    await sql.query(`INSERT INTO ${s}.store_info VALUES ('statistics_scrub_pending', 'true') ON CONFLICT (name) DO NOTHING`);
  }
};

/**
 * Makes sure a store's read models were made by this version, rebuilding them from the log when not
 * (a new store, a store from before read models, an upgrade); closes the store if that fails.
 */
export const bringUpReadModels = async (store: EventStore, label: string, onRebuild?: (position: number) => void): Promise<EventStore> => {
  try {
    if (store.readModels !== undefined && !(await store.readModels.upToDate())) await store.readModels.rebuild(onRebuild);
    return store;
  } catch (e) {
    await store.close().catch(() => undefined);
    throw storeError(label, 'bringing the read models up to date', e);
  }
};

/** Builds the EventStore over a prepared schema. */
export const sqlStore = (config: SqlStoreConfig): EventStore => {
  const { sql, label, changes } = config;
  const q = statements(config.schema);
  const keyStore = config.keys;
  const shredder = makeShredder(keyStore, { keyCacheMs: config.keyCacheMs, worker: config.decryptInWorker === true });
  config.onCaches?.(() => shredder.invalidateAll());
  const models = config.readModels ?? null;
  // Asked for by every row write with look-ups: read once per store, not once per look-up (a 20k-pupil
  // import made ~100k key queries). The key is never forgotten, but on PGlite its first read can make it
  // inside the transaction under way (one connection: every query joins it), and a rollback unmakes it.
  let lookupKeyOnce: Promise<Buffer> | null = null;
  const lookupKey = (): Promise<Buffer> => {
    if (lookupKeyOnce === null) {
      const once = keyStore.current(LOOKUP_KEY_SUBJECT).then((k) => k.key);
      lookupKeyOnce = once;
      once.catch(() => {
        if (lookupKeyOnce === once) lookupKeyOnce = null;
      });
    }
    return lookupKeyOnce;
  };
  /**
   * A transaction that drops the cached look-up key when it fails: before its rollback (so no other
   * transaction, queued behind it, can take the unmade key) and again if the commit itself fails.
   */
  // Keys made inside a transaction that then fails are rolled back with it (PGlite's one connection joins
  // the transaction): no cache may keep them, the look-up secret nor a person's sealing key.
  const forgetKeysMadeIn = (): void => {
    lookupKeyOnce = null;
    shredder.invalidateAll();
  };
  const transaction = async <R>(f: (tx: SqlDriver) => Promise<R>): Promise<R> => {
    try {
      return await sql.transaction(async (tx) => {
        try {
          return await f(tx);
        } catch (e) {
          forgetKeysMadeIn();
          throw e;
        }
      });
    } catch (e) {
      forgetKeysMadeIn();
      throw e;
    }
  };
  const rowsOver = (driver: SqlDriver) => sqlRows(driver, { schema: config.schema, tables: models?.tables ?? [], shredder, lookupKey });
  /**
   * Runs an append's statement and, when the store keeps read models, applies the appended events to
   * them in the same transaction: a view read after an append always sees it, and a crash leaves both or neither.
   */
  // A process keeping no read models still tells any rows in the schema that they are behind: the next
  // process that keeps them rebuilds (once per process, before its first append).
  let markedStale = false;
  const markStale = async (): Promise<void> => {
    if (markedStale) return;
    const state = `${quoteSchema(config.schema)}.rm_state`;
    await sql.query(`DO $$ BEGIN IF to_regclass('${state.replace(/'/g, "''")}') IS NOT NULL THEN UPDATE ${state} SET version = NULL; END IF; END $$`);
    markedStale = true;
  };
  const inline = async <R>(statement: (driver: SqlDriver) => Promise<R>, appended: (result: R) => ReadonlyArray<StoredEvent>): Promise<R> => {
    if (models === null) {
      await markStale();
      return statement(sql);
    }
    return transaction(async (tx) => {
      const result = await statement(tx);
      const events = appended(result);
      if (events.length > 0) await models.apply(events, rowsOver(tx));
      return result;
    });
  };
  const storedOf = (streamId: string, events: ReadonlyArray<NewEvent>, positions: ReadonlyArray<number>, firstVersion: number): StoredEvent[] =>
    events.map((e, i) => ({ id: e.id, streamId, version: firstVersion + i, position: positions[i]!, type: e.type, data: e.data, metadata: e.metadata }) as StoredEvent);
  let closed = false;
  const running = new Set<Subscription>();

  const guard = async <T>(doing: string, f: () => Promise<T>): Promise<T> => {
    if (closed) throw new StoreError(label, `${doing} failed: the store is closed`);
    try {
      return await f();
    } catch (e) {
      throw storeError(label, doing, e);
    }
  };

  const written = async (streamId: string, fromVersion: number, count: number): Promise<AppendResult> => {
    const rows = await sql.query<{ version: number; position: unknown }>(q.written, [streamId, fromVersion, count]);
    const last = rows[rows.length - 1];
    return { nextVersion: last === undefined ? fromVersion - 1 : Number(last.version), positions: rows.map((r) => Number(r.position)) };
  };

  const append = (
    streamId: string,
    events: ReadonlyArray<NewEvent>,
    expected: ExpectedVersion,
  ): Promise<E.Either<VersionConflict, AppendResult>> =>
    guard(`appending to ${streamId}`, async () => {
      const expectedLast = expectedLastOf(expected);
      let sealedSubjects: ReadonlyArray<string> = [];
      for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
        let insertedNothing = false;
        if (events.length > 0) {
          // The usual case in one round trip: the statement checks the version; a re-sent batch trips the id index.
          const { sealed, keyIds, subjects } = await shredder.seal(streamId, events);
          sealedSubjects = subjects;
          const batch = events.map((e, i) => ({
            i,
            id: e.id,
            type: e.type,
            sv: e.schemaVersion,
            data: sealed[i]!.data,
            metadata: sealed[i]!.metadata,
            personal: sealed[i]!.personal,
          }));
          try {
            const rows = await inline(
              (driver) => driver.query<{ position: unknown; version: unknown }>(q.append, [streamId, expectedLast, events.length, JSON.stringify(batch), JSON.stringify(keyIds)]),
              (inserted) => {
                if (inserted.length === 0) return [];
                const sorted = [...inserted].sort((a, b) => Number(a.position) - Number(b.position));
                return storedOf(streamId, events, sorted.map((r) => Number(r.position)), Number(sorted[0]!.version));
              },
            );
            if (rows.length > 0) {
              changes.bump();
              return E.right({
                nextVersion: Math.max(...rows.map((r) => Number(r.version))),
                positions: rows.map((r) => Number(r.position)).sort((a, b) => a - b),
              });
            }
            insertedNothing = true;
          } catch (e) {
            const code = errorCode(e);
            if (code !== UNIQUE_VIOLATION && code !== DEADLOCK) throw e;
            // Another writer took the version (or the ids) first: look again below.
            if (code === UNIQUE_VIOLATION && (e as { constraint?: unknown }).constraint === 'events_stream_event') {
              const [again] = await sql.query<{ dup: unknown }>(q.streamState, [streamId, events[0]!.id]);
              if (num(again?.dup) === null) {
                throw new StoreError(label, `appending to ${streamId} failed: an event id of the batch (not its first) is already in the stream`, '23505');
              }
            }
          }
        }
        // Nothing was written: say why, the way the in-memory store does (a re-sent batch first).
        const [state] = await sql.query<{ actual: unknown; dup: unknown }>(q.streamState, [streamId, events[0]?.id ?? null]);
        const actual = num(state?.actual) ?? -1;
        const dup = num(state?.dup);
        if (dup !== null) return E.right(await written(streamId, dup, events.length));
        if (!versionMatches(expected, actual)) return E.left({ _tag: 'VersionConflict', streamId, expected, actual });
        if (events.length === 0) return E.right({ nextVersion: actual, positions: [] });
        // The version matched and the ids are new: an `any` append lost a race (retry), or, when the
        // statement inserted nothing, the sealing key was forgotten by another process after we cached it.
        if (insertedNothing) for (const subject of sealedSubjects) shredder.invalidate(subject);
      }
      throw new StoreError(label, `appending to ${streamId} failed: still contended after ${MAX_APPEND_ATTEMPTS} attempts`);
    });

  const appendMany = (batches: ReadonlyArray<StreamAppend>): Promise<E.Either<VersionConflict, ReadonlyArray<AppendResult>>> =>
    guard(`appending to ${batches.length} streams`, async () => {
      const seen = new Set<string>();
      for (const b of batches) {
        if (seen.has(b.streamId)) throw new StoreError(label, `appending to ${b.streamId} failed: the stream appears more than once in one call`);
        seen.add(b.streamId);
      }
      const results: AppendResult[] = [];
      // Streams still to write (batch indexes); a re-sent batch leaves it with its first result.
      let pending = batches.map((_, i) => i);
      let sealedSubjects = new Set<string>();
      for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
        let insertedNothing = false;
        let idTaken = false;
        const writing = pending.filter((i) => batches[i]!.events.length > 0);
        if (writing.length > 0) {
          // The usual case in one statement: every check and every row together (see sql.ts).
          const sealed = await shredder.sealMany(writing.map((i) => batches[i]!));
          const rows: unknown[] = [];
          const keyIds = new Set<string>();
          const offsets = new Map<number, number>();
          let total = 0;
          sealedSubjects = new Set();
          writing.forEach((i, k) => {
            const { sealed: data, keyIds: used, subjects } = sealed[k]!;
            for (const id of used) keyIds.add(id);
            for (const subject of subjects) sealedSubjects.add(subject);
            offsets.set(i, total);
            batches[i]!.events.forEach((e, v) =>
              rows.push({ s: i, v, p: total + v, id: e.id, type: e.type, sv: e.schemaVersion, data: data[v]!.data, metadata: data[v]!.metadata, personal: data[v]!.personal }),
            );
            total += batches[i]!.events.length;
          });
          const heads = pending.map((i) => ({ s: i, stream_id: batches[i]!.streamId, expected: expectedLastOf(batches[i]!.expected) }));
          try {
            const out = await inline(
              (driver) => driver.query<{ s: unknown; actual: unknown; first: unknown }>(q.appendMany, [JSON.stringify(heads), JSON.stringify(rows), JSON.stringify([...keyIds]), total]),
              (landed) => {
                // In position order: the order of the batches, each stream's events in turn.
                const stored: StoredEvent[] = [];
                const byStream = new Map(landed.map((r) => [Number(r.s), r]));
                for (const i of writing) {
                  const r = byStream.get(i);
                  if (r === undefined) continue;
                  const n = batches[i]!.events.length;
                  const from = Number(r.first) + (offsets.get(i) ?? 0);
                  stored.push(...storedOf(batches[i]!.streamId, batches[i]!.events, Array.from({ length: n }, (_, v) => from + v), Number(r.actual) + 1));
                }
                return stored;
              },
            );
            if (out.length > 0) {
              changes.bump();
              for (const r of out) {
                const i = Number(r.s);
                const n = batches[i]!.events.length;
                const from = Number(r.first) + (offsets.get(i) ?? 0);
                results[i] = { nextVersion: Number(r.actual) + n, positions: Array.from({ length: n }, (_, v) => from + v) };
              }
              return E.right(results);
            }
            insertedNothing = true;
          } catch (e) {
            const code = errorCode(e);
            if (code !== UNIQUE_VIOLATION && code !== DEADLOCK) throw e;
            idTaken = code === UNIQUE_VIOLATION && (e as { constraint?: unknown }).constraint === 'events_stream_event';
          }
        }
        // Nothing was written: say why, stream by stream, the way `append` does (a re-sent batch first).
        const states = await sql.query<{ s: unknown; actual: unknown; dup: unknown }>(q.streamStates, [
          JSON.stringify(pending.map((i) => ({ s: i, stream_id: batches[i]!.streamId, first_id: batches[i]!.events[0]?.id ?? null }))),
        ]);
        const stateOf = new Map(states.map((r) => [Number(r.s), r]));
        const still: number[] = [];
        let resent = false;
        for (const i of pending) {
          const { streamId, events, expected } = batches[i]!;
          const state = stateOf.get(i);
          const actual = num(state?.actual) ?? -1;
          const dup = num(state?.dup);
          if (dup !== null) {
            results[i] = await written(streamId, dup, events.length);
            resent = true;
          } else if (!versionMatches(expected, actual)) {
            return E.left({ _tag: 'VersionConflict', streamId, expected, actual });
          } else {
            still.push(i);
          }
        }
        if (still.every((i) => batches[i]!.events.length === 0)) {
          // Nothing left to write: the empty batches' checks stand as they were just read.
          for (const i of still) results[i] = { nextVersion: num(stateOf.get(i)?.actual) ?? -1, positions: [] };
          return E.right(results);
        }
        if (idTaken && !resent) {
          throw new StoreError(label, `appending to ${batches.length} streams failed: an event id of a batch (not its first) is already in its stream`, UNIQUE_VIOLATION);
        }
        // Every check passed yet nothing went in: a sealing key was forgotten by another process after we cached it.
        if (insertedNothing && !resent) for (const subject of sealedSubjects) shredder.invalidate(subject);
        pending = still;
      }
      throw new StoreError(label, `appending to ${batches.length} streams failed: still contended after ${MAX_APPEND_ATTEMPTS} attempts`);
    });

  const readStream = (streamId: string, options?: { readonly fromVersion?: number }): Promise<ReadonlyArray<RawEvent>> =>
    guard(`reading ${streamId}`, async () => {
      const rows = await sql.queryArrays(q.readStream, [streamId, options?.fromVersion ?? 0]);
      return shredder.open(eventsFromColumns(rows));
    });

  /**
   * Read-ahead: after a full page, the next page's query is sent at once (on another connection), so
   * the server reads it while this page is opened. Only a full page is read ahead, and the rows of one
   * stay right: every position up to a full page's last was already below the read horizon, and
   * nothing can appear below it later (see sql.ts). Rows are taken still sealed, and opened when asked
   * for, so a forget in between is honoured; a guess older than READ_AHEAD_MS is dropped.
   */
  let ahead: { readonly after: number; readonly limit: number; readonly at: number; readonly rows: Promise<ReadonlyArray<ReadonlyArray<unknown>>> } | null = null;
  const pageQuery = (after: number, limit: number | null): Promise<ReadonlyArray<ReadonlyArray<unknown>>> => sql.queryArrays(q.readAll, [after, limit]);

  const readAll = (options?: { readonly after?: number; readonly limit?: number }): Promise<ReadonlyArray<RawEvent>> => {
    const after = options?.after ?? 0;
    const limit = options?.limit ?? null;
    return guard(`reading the log after position ${after}`, async () => {
      const guess = ahead;
      ahead = null;
      const fresh = guess !== null && guess.after === after && guess.limit === limit && Date.now() - guess.at < READ_AHEAD_MS;
      const rows = await (fresh ? guess.rows : pageQuery(after, limit));
      if (config.readAhead === true && limit !== null && limit >= READ_AHEAD_MIN && rows.length === limit && !closed) {
        const next = Number(rows[rows.length - 1]![0]);
        const query = pageQuery(next, limit);
        // Nobody may ask for it: its failure must not go unhandled (whoever does ask sees it).
        query.catch(() => undefined);
        ahead = { after: next, limit, at: Date.now(), rows: query };
      }
      return shredder.open(eventsFromColumns(rows));
    });
  };

  const checkpoints: CheckpointStore = {
    load: (name) =>
      guard(`loading checkpoint ${name}`, async () => {
        const [row] = await sql.query<{ position: unknown }>(q.loadCheckpoint, [name]);
        return num(row?.position);
      }),
    save: (name, position) =>
      guard(`saving checkpoint ${name}`, async () => {
        await sql.query(q.saveCheckpoint, [name, position]);
      }),
  };

  const head = async (): Promise<number> => num((await sql.query<{ head: unknown }>(q.head))[0]?.head) ?? 0;
  const readModels: ReadModelSource | undefined =
    models === null
      ? undefined
      : {
          ...rowsOver(sql),
          // Inline, the rows reflect every committed append; rows following another log, the position they reached.
          position: () =>
            guard('reading the position of the read models', async () => {
              const [row] = await sql.query<{ position: unknown }>(`SELECT position FROM ${quoteSchema(config.schema)}.rm_state WHERE name = $1`, [models.name]);
              return Math.max(await head(), num(row?.position) ?? 0);
            }),
          follow: (events, position) =>
            guard('applying events of another log to the read models', () =>
              transaction(async (tx) => {
                if (events.length > 0) await models.apply(events, rowsOver(tx));
                await tx.query(`INSERT INTO ${quoteSchema(config.schema)}.rm_state (name, version, position) VALUES ($1, $2, $3) ON CONFLICT (name) DO UPDATE SET position = greatest(${quoteSchema(config.schema)}.rm_state.position, EXCLUDED.position)`, [models.name, models.version, position]);
              }),
            ),
          upToDate: () =>
            guard('reading the read models\' version', async () => {
              const [row] = await sql.query<{ version: unknown }>(`SELECT version FROM ${quoteSchema(config.schema)}.rm_state WHERE name = $1`, [models.name]);
              return num(row?.version) === models.version;
            }),
          rebuild: (onProgress) =>
            guard('rebuilding the read models', async () => {
              const state = `${quoteSchema(config.schema)}.rm_state`;
              await transaction(async (tx) => {
                for (const t of models.tables) await tx.query(`DELETE FROM ${tableOf(config.schema, t)}`);
                await tx.query(`INSERT INTO ${state} (name, version, position) VALUES ($1, NULL, 0) ON CONFLICT (name) DO UPDATE SET version = NULL, position = 0`, [models.name]);
              });
              let after = 0;
              for (;;) {
                const page = await readAll({ after, limit: 5_000 });
                if (page.length === 0) break;
                const events: StoredEvent[] = [];
                // An event that no longer decodes is left out here as in every fold (replay reports it).
                for (const raw of page) {
                  const d = decodeEvent(raw);
                  if (d._tag === 'Right') events.push(d.right);
                }
                await transaction((tx) => models.apply(events, rowsOver(tx)));
                after = page[page.length - 1]!.position;
                onProgress?.(after);
              }
              await sql.query(`UPDATE ${state} SET version = $2, position = $3 WHERE name = $1`, [models.name, models.version, after]);
              return after;
            }),
        };

  const store: EventStore = {
    append,
    appendMany,
    readStream,
    readAll,
    ...(readModels === undefined ? {} : { readModels }),
    subscribe: (options) => {
      let release: (() => void) | undefined;
      const sub = followLog(
        {
          readPage: (after, limit) => readAll({ after, limit }),
          head: () => guard('reading the head of the log', async () => num((await sql.query<{ head: unknown }>(q.head))[0]?.head) ?? 0),
          changes,
          pollMs: config.pollMs,
          onStart: () => (release = config.watch?.()),
          onEnd: () => release?.(),
        },
        options,
      );
      running.add(sub);
      void sub.done.catch(() => undefined).then(() => running.delete(sub));
      return sub;
    },
    forget: (subject) => guard(`forgetting ${subject}`, () => shredder.forget(subject)),
    // Deleting a key leaves its bytes in the table's free space, in the WAL, in backups: re-wrap
    // under a fresh KEK (so every stale copy is useless), then rewrite the table and move the WAL on.
    compact: () =>
      guard('compacting', async () => {
        const rewrap = await config.keys.rewrap();
        await scrubStatistics(sql, config.schema);
        await sql.query(q.vacuumKeys);
        await rotateWal(sql);
        admin.lastCompaction = { at: new Date().toISOString(), rewrap } satisfies CompactionReport;
      }),
    checkpoints,
    close: async () => {
      if (closed) return;
      await Promise.all([...running].map((sub) => sub.stop()));
      closed = true;
      // A page read ahead may still be on its way: let it land before the connections go.
      await ahead?.rows.catch(() => undefined);
      ahead = null;
      await shredder.close();
      await config.close();
    },
  };
  const admin = registerAdmin(store, { kind: config.kind, label, sql, schema: config.schema, keys: config.keys, shredder });
  registerInspection(store, sqlInspection(sql, config.schema));
  return store;
};
