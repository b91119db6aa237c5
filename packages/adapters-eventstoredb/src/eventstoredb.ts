/**
 * An EventStore over EventStoreDB / KurrentDB (`@kurrent/kurrentdb-client`, the maintained
 * successor of `@eventstore/db-client`): the only file that knows the client.
 *
 * - Positions are the commit positions of `$all`. Servers before 22.6 do not give
 *   positions on stream reads; there `readStream` reports -1 and appends report -1.
 * - Event ids are passed through, so the server drops a re-sent batch; a batch whose
 *   first id is already in the stream is reported as written, like every store.
 * - Personal data is sealed per subject (see shredder.ts) with keys kept OUTSIDE the
 *   log, in a PGlite folder or a PostgreSQL database (`keys`), with the checkpoints:
 *   deleted events stay readable in `$all` until a scavenge on every node, deleted
 *   keys do not wait for that.
 */
import type {
  AllStreamResolvedEvent,
  AppendStreamState,
  JSONType,
  KurrentDBClient,
  Position,
  ResolvedEvent,
} from '@kurrent/kurrentdb-client';
import * as E from 'fp-ts/lib/Either.js';
import type {
  AppendResult,
  CheckpointStore,
  EventStore,
  ExpectedVersion,
  NewEvent,
  RawEvent,
  SubscribeOptions,
  Subscription,
  VersionConflict,
} from '@contactable/core';
import {
  DEFAULT_SCHEMA,
  StoreError,
  defaultKekFile,
  kekSourceFrom,
  makeShredder,
  openPgliteDatabase,
  openPostgresDatabase,
  openSqlKeyStore,
  registerAdmin,
  rotateWal,
  statements,
  storeError,
  type KekSource,
  type OpenDatabase,
  type SealedRow,
} from '@contactable/adapters-store';

/** Options for the EventStoreDB store. */
export interface EventStoreDbOptions {
  /** Where subject keys and checkpoints live: a PGlite folder or a `postgres://` URL (default `./.contactable/keys`). */
  readonly keys?: string;
  /** The schema of the key database (default `contactable`). */
  readonly schema?: string;
  /** How long to wait for the server before failing, in ms (default 5000). */
  readonly connectTimeoutMs?: number;
  /** Where the key database's key-encryption key lives (see PgliteStoreOptions.kek and PostgresStoreOptions.kek). */
  readonly kek?: KekSource | string;
}

/** Where the EventStoreDB store keeps keys unless told otherwise. */
export const DEFAULT_KEYS_FOLDER = './.contactable/keys';

// What we add to each event's metadata: the schema version and the sealed personal data.
interface Envelope {
  readonly schemaVersion: number;
  readonly personal: string | null;
}
const ENVELOPE = 'contactable';

/** The client's connection string for our URL: `esdb://` is the old name of `kurrentdb://` (the client warns on the old one). */
export const clientConnectionString = (url: string): string => url.replace(/^esdb(\+discover)?:\/\//i, 'kurrentdb$1://');

const streamStateOf = (expected: ExpectedVersion): AppendStreamState => {
  switch (expected.kind) {
    case 'any':
      return 'any';
    case 'no-stream':
      return 'no_stream';
    case 'exact':
      return BigInt(expected.version);
  }
};

const positionNumber = (p: Position | undefined): number => (p === undefined ? -1 : Number(p.commit));
const readPosition = (after: number): Position => ({ commit: BigInt(after), prepare: BigInt(after) });

type Recorded = NonNullable<ResolvedEvent['event']> | NonNullable<AllStreamResolvedEvent['event']>;

const toRow = (e: Recorded): SealedRow | null => {
  if (!e.isJson || e.type.startsWith('$') || e.streamId.startsWith('$')) return null;
  const { [ENVELOPE]: envelope, ...metadata } = (e.metadata ?? {}) as Record<string, unknown>;
  const env = (envelope ?? {}) as Partial<Envelope>;
  return {
    id: e.id,
    streamId: e.streamId,
    version: Number(e.revision),
    position: positionNumber(e.position),
    type: e.type,
    schemaVersion: typeof env.schemaVersion === 'number' ? env.schemaVersion : 1,
    data: e.data,
    metadata,
    personal: typeof env.personal === 'string' ? env.personal : null,
  };
};

/** Opens the store at an `esdb://` (or `kurrentdb://`) URL, with keys and checkpoints in `options.keys`. */
export const openEventStoreDbStore = async (url: string, options: EventStoreDbOptions = {}): Promise<EventStore> => {
  const esdb = await import('@kurrent/kurrentdb-client');
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const timeout = options.connectTimeoutMs ?? 5_000;
  let client: KurrentDBClient;
  try {
    client = esdb.KurrentDBClient.connectionString(clientConnectionString(url));
  } catch (e) {
    throw storeError(url, 'opening the EventStoreDB store', e);
  }
  try {
    // Fails fast when the server is not there (the client would otherwise retry quietly).
    for await (const _ of client.readAll({ direction: esdb.BACKWARDS, fromPosition: esdb.END, maxCount: 1, deadline: timeout })) break;
  } catch (e) {
    await client.dispose().catch(() => undefined);
    throw storeError(url, 'connecting to EventStoreDB', e);
  }
  const keysAt = options.keys ?? DEFAULT_KEYS_FOLDER;
  let side: OpenDatabase;
  try {
    side = /^postgres(ql)?:\/\//i.test(keysAt) ? await openPostgresDatabase(keysAt, { schema }) : await openPgliteDatabase(keysAt, schema);
  } catch (e) {
    await client.dispose().catch(() => undefined);
    throw e;
  }
  const q = statements(schema);
  const onPostgres = /^postgres(ql)?:\/\//i.test(keysAt);
  const source = kekSourceFrom(options.kek, process.env, onPostgres ? undefined : defaultKekFile(keysAt));
  let keys;
  try {
    if (source === null) throw new StoreError(keysAt, 'the key database needs a key-encryption key: set CONTACTABLE_KEK_FILE to a key file path');
    keys = await openSqlKeyStore(side.sql, schema, source, keysAt);
  } catch (e) {
    await client.dispose().catch(() => undefined);
    await side.close().catch(() => undefined);
    throw storeError(keysAt, 'opening the key database', e);
  }
  const shredder = makeShredder(keys);
  const label = url;

  const guard = async <T>(doing: string, f: () => Promise<T>): Promise<T> => {
    try {
      return await f();
    } catch (e) {
      throw storeError(label, doing, e);
    }
  };

  const isCommandError = (e: unknown, type: string): boolean =>
    e instanceof Error && esdb.isCommandError(e) && (e as { type?: unknown }).type === type;

  const readRows = async (streamId: string, fromVersion: number): Promise<SealedRow[]> => {
    const rows: SealedRow[] = [];
    try {
      for await (const resolved of client.readStream(streamId, { fromRevision: BigInt(fromVersion), direction: esdb.FORWARDS })) {
        const row = resolved.event === undefined ? null : toRow(resolved.event);
        if (row !== null) rows.push(row);
      }
    } catch (e) {
      if (isCommandError(e, esdb.ErrorType.STREAM_NOT_FOUND)) return [];
      throw e;
    }
    return rows;
  };

  const writtenFrom = (rows: ReadonlyArray<SealedRow>, firstId: string, count: number): AppendResult | null => {
    const at = rows.findIndex((r) => r.id === firstId);
    if (at < 0) return null;
    const batch = rows.slice(at, at + count);
    return { nextVersion: batch[batch.length - 1]!.version, positions: batch.map((r) => r.position) };
  };

  const append = (streamId: string, events: ReadonlyArray<NewEvent>, expected: ExpectedVersion): Promise<E.Either<VersionConflict, AppendResult>> =>
    guard(`appending to ${streamId}`, async () => {
      if (events.length === 0) {
        const rows = await readRows(streamId, 0);
        const actual = rows.length === 0 ? -1 : rows[rows.length - 1]!.version;
        const ok = expected.kind === 'any' || (expected.kind === 'no-stream' ? actual === -1 : actual === expected.version);
        return ok ? E.right({ nextVersion: actual, positions: [] }) : E.left({ _tag: 'VersionConflict', streamId, expected, actual });
      }
      const { sealed } = await shredder.seal(streamId, events);
      const data = events.map((e, i) =>
        esdb.jsonEvent({
          id: e.id,
          type: e.type,
          data: sealed[i]!.data as JSONType,
          metadata: { ...sealed[i]!.metadata, [ENVELOPE]: { schemaVersion: e.schemaVersion, personal: sealed[i]!.personal } },
        }),
      );
      try {
        const result = await client.appendToStream(streamId, data, { streamState: streamStateOf(expected) });
        const next = Number(result.nextExpectedRevision);
        const rows = await readRows(streamId, next - events.length + 1);
        const written = writtenFrom(rows, events[0]!.id, events.length);
        // Servers before 22.6 give no positions on stream reads: report what the append said for the last event.
        const positions = written?.positions.map((p, i) => (p >= 0 ? p : i === events.length - 1 ? positionNumber(result.position) : -1));
        return E.right({ nextVersion: next, positions: positions ?? events.map(() => -1) });
      } catch (e) {
        if (!isCommandError(e, esdb.ErrorType.WRONG_EXPECTED_VERSION)) throw e;
        // A re-sent batch after a different expected version: report what was written the first time.
        const rows = await readRows(streamId, 0);
        const written = writtenFrom(rows, events[0]!.id, events.length);
        if (written !== null) return E.right(written);
        const actual = rows.length === 0 ? -1 : rows[rows.length - 1]!.version;
        return E.left({ _tag: 'VersionConflict', streamId, expected, actual });
      }
    });

  const readStream = (streamId: string, opts?: { readonly fromVersion?: number }): Promise<ReadonlyArray<RawEvent>> =>
    guard(`reading ${streamId}`, async () => shredder.open(await readRows(streamId, opts?.fromVersion ?? 0)));

  const readAll = (opts?: { readonly after?: number; readonly limit?: number }): Promise<ReadonlyArray<RawEvent>> => {
    const after = opts?.after ?? 0;
    const limit = opts?.limit ?? Number.MAX_SAFE_INTEGER;
    return guard(`reading the log after position ${after}`, async () => {
      const rows: SealedRow[] = [];
      if (limit <= 0) return [];
      const fromPosition = after <= 0 ? esdb.START : readPosition(after);
      for await (const resolved of client.readAll({ fromPosition, direction: esdb.FORWARDS, resolveLinkTos: false })) {
        const row = resolved.event === undefined ? null : toRow(resolved.event);
        if (row === null || row.position <= after) continue;
        const last = rows[rows.length - 1];
        if (last !== undefined && row.position <= last.position) {
          throw new StoreError(label, `$all gave position ${row.position} after ${last.position}; this server's positions are not per event`);
        }
        rows.push(row);
        if (rows.length >= limit) break;
      }
      return shredder.open(rows);
    });
  };

  const head = async (): Promise<number> => {
    for await (const resolved of client.readAll({ direction: esdb.BACKWARDS, fromPosition: esdb.END })) {
      const row = resolved.event === undefined ? null : toRow(resolved.event);
      if (row !== null) return row.position;
    }
    return 0;
  };

  const subscribe = (opts: SubscribeOptions): Subscription => {
    let markCaughtUp!: () => void;
    const caughtUp = new Promise<void>((r) => (markCaughtUp = r));
    const subscription = client.subscribeToAll({
      fromPosition: opts.after <= 0 ? esdb.START : readPosition(opts.after),
      resolveLinkTos: false,
      filter: esdb.excludeSystemEvents(),
    });
    subscription.on('caughtUp', () => markCaughtUp());
    let stopped = false;
    const run = async (): Promise<void> => {
      try {
        const target = await guard('reading the head of the log', head);
        if (opts.after >= target) markCaughtUp();
        for await (const resolved of subscription) {
          if (stopped) return;
          const row = resolved.event === undefined ? null : toRow(resolved.event);
          if (row === null || row.position <= opts.after) continue;
          const [event] = await guard('opening an event', () => shredder.open([row]));
          await opts.onEvent(event!);
          if (row.position >= target) markCaughtUp();
        }
      } finally {
        markCaughtUp();
      }
    };
    const done = run();
    done.catch(() => undefined);
    return {
      caughtUp,
      done,
      stop: async () => {
        stopped = true;
        await subscription.unsubscribe().catch(() => undefined);
        await done.catch(() => undefined);
      },
    };
  };

  const checkpoints: CheckpointStore = {
    load: (name) =>
      guard(`loading checkpoint ${name}`, async () => {
        const [row] = await side.sql.query<{ position: unknown }>(q.loadCheckpoint, [name]);
        return row === undefined ? null : Number(row.position);
      }),
    save: (name, position) =>
      guard(`saving checkpoint ${name}`, async () => {
        await side.sql.query(q.saveCheckpoint, [name, position]);
      }),
  };

  const store: EventStore = {
    append,
    // No `appendMany`: EventStoreDB has no transaction across streams, so an all-or-nothing append to
    // several streams cannot be promised; callers see it undefined and append stream by stream.
    readStream,
    readAll,
    subscribe,
    forget: (subject) => guard(`forgetting ${subject}`, () => shredder.forget(subject)),
    // The log holds only sealed data; what needs reclaiming is the key database.
    compact: () =>
      guard('compacting the key database', async () => {
        const rewrap = await keys.rewrap();
        await side.sql.query(q.vacuumKeys);
        await rotateWal(side.sql);
        admin.lastCompaction = { at: new Date().toISOString(), rewrap };
      }),
    checkpoints,
    close: async () => {
      await client.dispose().catch(() => undefined);
      await side.close();
    },
  };
  const admin = registerAdmin(store, { kind: 'eventstoredb', label, sql: side.sql, schema, keys, shredder });
  return store;
};
