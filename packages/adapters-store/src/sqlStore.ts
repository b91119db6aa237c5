/** The EventStore over SQL, shared by PGlite and PostgreSQL: same schema, same statements (see sql.ts). */
import * as E from 'fp-ts/lib/Either.js';
import {
  versionMatches,
  type AppendResult,
  type CheckpointStore,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type RawEvent,
  type Subscription,
  type VersionConflict,
} from '@contactable/core';
import type { ChangeSignal } from './changes.js';
import { StoreError, errorCode, storeError } from './errors.js';
import { sqlKeyStore } from './keys.js';
import { makeShredder, sealingSubject, type SealedRow } from './shredder.js';
import { quoteSchema, schemaScript, statements, type SqlDriver } from './sql.js';
import { followLog } from './subscription.js';

/** How a SQL store is wired to its database. */
export interface SqlStoreConfig {
  readonly sql: SqlDriver;
  /** The schema holding our tables (unquoted). */
  readonly schema: string;
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
}

/** A row of `statements().readStream` / `readAll`, read as an array in their column order. */
const eventFromColumns = (c: ReadonlyArray<unknown>): SealedRow => ({
  id: c[3] as string,
  streamId: c[1] as string,
  version: Number(c[2]),
  position: Number(c[0]),
  type: c[4] as string,
  schemaVersion: Number(c[5]),
  data: c[6],
  metadata: c[7],
  personal: (c[8] as string | null) ?? null,
});

const num = (v: unknown): number | null => (v === null || v === undefined ? null : Number(v));

// Far more than any real contention needs; a loop this long means something else is wrong.
const MAX_APPEND_ATTEMPTS = 100;

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

/** Creates our tables in the schema if they are missing (safe to call from several processes at once). */
export const ensureSchema = async (sql: SqlDriver, schema: string): Promise<void> => {
  await sql.script(schemaScript(schema));
};

/** Builds the EventStore over a prepared schema. */
export const sqlStore = (config: SqlStoreConfig): EventStore => {
  const { sql, label, changes } = config;
  const q = statements(config.schema);
  const shredder = makeShredder(sqlKeyStore(sql, quoteSchema(config.schema)), { keyCacheMs: config.keyCacheMs });
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
      const expectedLast = expected.kind === 'any' ? null : expected.kind === 'no-stream' ? -1 : expected.version;
      for (let attempt = 1; attempt <= MAX_APPEND_ATTEMPTS; attempt++) {
        let insertedNothing = false;
        if (events.length > 0) {
          // The usual case in one round trip: the statement checks the version; a re-sent batch trips the id index.
          const { sealed, keyId } = await shredder.seal(streamId, events);
          const batch = events.map((e, i) => ({
            i,
            id: e.id,
            type: e.type,
            sv: e.schemaVersion,
            data: sealed[i]!.data,
            metadata: e.metadata,
            personal: sealed[i]!.personal,
          }));
          try {
            const rows = await sql.query<{ position: unknown; version: unknown }>(q.append, [
              streamId,
              expectedLast,
              events.length,
              JSON.stringify(batch),
              keyId,
            ]);
            if (rows.length > 0) {
              changes.bump();
              return E.right({
                nextVersion: Math.max(...rows.map((r) => Number(r.version))),
                positions: rows.map((r) => Number(r.position)).sort((a, b) => a - b),
              });
            }
            insertedNothing = true;
          } catch (e) {
            if (errorCode(e) !== '23505') throw e;
            // Another writer took the version (or the ids) first: look again below.
            if ((e as { constraint?: unknown }).constraint === 'events_stream_event') {
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
        if (insertedNothing) shredder.invalidate(sealingSubject(streamId));
      }
      throw new StoreError(label, `appending to ${streamId} failed: still contended after ${MAX_APPEND_ATTEMPTS} attempts`);
    });

  const readStream = (streamId: string, options?: { readonly fromVersion?: number }): Promise<ReadonlyArray<RawEvent>> =>
    guard(`reading ${streamId}`, async () => {
      const rows = await sql.queryArrays(q.readStream, [streamId, options?.fromVersion ?? 0]);
      return shredder.open(rows.map(eventFromColumns));
    });

  const readAll = (options?: { readonly after?: number; readonly limit?: number }): Promise<ReadonlyArray<RawEvent>> => {
    const after = options?.after ?? 0;
    return guard(`reading the log after position ${after}`, async () => {
      const rows = await sql.queryArrays(q.readAll, [after, options?.limit ?? null]);
      return shredder.open(rows.map(eventFromColumns));
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

  return {
    append,
    readStream,
    readAll,
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
    // Deleting a key leaves its bytes in the table's free space and in the WAL until both are rewritten.
    compact: () =>
      guard('compacting', async () => {
        await sql.query(q.vacuumKeys);
        await rotateWal(sql);
      }),
    checkpoints,
    close: async () => {
      if (closed) return;
      await Promise.all([...running].map((sub) => sub.stop()));
      closed = true;
      await config.close();
    },
  };
};
