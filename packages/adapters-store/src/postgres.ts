/**
 * An EventStore over PostgreSQL (`pg`, an optional peer loaded on demand). Appends are one statement each (its own
 * transaction); positions are gap-safe for readers (see sql.ts).
 *
 * Following the log: a follower catches up page by page, then sleeps until a
 * NOTIFY from an append (any process: the position allocator sends it, and
 * PostgreSQL delivers it on commit), or until a poll timeout. The poll is the safety net for what NOTIFY
 * cannot say: a rolled-back append that held the read horizon back, or a lost
 * LISTEN connection. One LISTEN connection per store, opened only while some
 * follower runs.
 */
import type pg from 'pg';
import { contactableReadModels } from '@contactable/projections';
import type { EventStore, InlineReadModels } from '@contactable/core';
import { ChangeSignal } from './changes.js';
import { StoreError, storeError } from './errors.js';
import { kekSourceFrom, type KekSource } from './kek.js';
import { openSqlKeyStore } from './keys.js';
import { loadOptional } from './optional.js';
import { DEFAULT_SCHEMA, channelOf, quoteSchema, type SqlDriver } from './sql.js';
import { bringUpReadModels, ensureSchema, sqlStore } from './sqlStore.js';

/** The PostgreSQL driver (an optional peer): loaded when a postgres:// store is opened, so an embedded-only install does without it. */
const loadPg = async (url: string): Promise<typeof pg> => (await loadOptional<{ readonly default: typeof pg }>('pg', url, 'A postgres:// store')).default;

/** Options for the PostgreSQL store. */
export interface PostgresStoreOptions {
  /** The schema holding our tables (default `contactable`). */
  readonly schema?: string;
  /** Connections in the pool (default 10). */
  readonly poolSize?: number;
  /** How long to wait for a connection before failing, in ms (default 5000). */
  readonly connectTimeoutMs?: number;
  /** How long a follower waits for a NOTIFY before reading anyway, in ms (default 1000). */
  readonly pollMs?: number;
  /** How long a key read from the key table stays cached, in ms (default 60000): another process's forget shows within it. */
  readonly keyCacheMs?: number;
  /**
   * Where the key-encryption key lives: a key file's path, or a source (a KMS); default
   * `CONTACTABLE_KEK_FILE` (a path; the file is made on first use), else `CONTACTABLE_KEK` (a fixed
   * key in base64, not rotatable). Every process using the database must read the same KEK.
   */
  readonly kek?: KekSource | string;
  /** Opens a store whose keys are wrapped under a KEK destroyed since (a restored backup), only to import a key export: see `importKeys`. */
  readonly recoverKeys?: boolean;
  /** Read models kept beside the log (default contactable's; null: none, the log alone). */
  readonly readModels?: InlineReadModels | null;
  /** Told of progress when the read models are (re)built from the log on opening. */
  readonly onRebuild?: (position: number) => void;
}

// Named statements are parsed and planned once per connection.
const statementNames = new Map<string, string>();
const nameOf = (text: string): string => {
  let name = statementNames.get(text);
  if (name === undefined) {
    name = `contactable_${statementNames.size}`;
    statementNames.set(text, name);
  }
  return name;
};

/** One query as `pg` takes it: a named statement is parsed and planned once per connection. */
export interface PgQuery {
  readonly name?: string;
  readonly text: string;
  readonly values?: unknown[];
  readonly rowMode?: 'array';
}

/** What the drivers need of a connection (a `pg` client): our own type, so our declarations need none of `pg`'s. */
export interface PgConnection {
  readonly query: (query: string | PgQuery) => Promise<{ readonly rows: unknown[] }>;
}

/** What `poolDriver` needs of a pool (a `pg` Pool is one). */
export interface PgPool extends PgConnection {
  readonly connect: () => Promise<PgConnection & { readonly release: (destroy?: boolean) => void; readonly on?: (event: 'error', listener: (e: Error) => void) => unknown; readonly off?: (event: 'error', listener: (e: Error) => void) => unknown }>;
}

// A checked-out client whose server goes away emits 'error' besides failing its query; the pool listens only
// to idle clients, so without a listener of ours the process would end on a stack trace instead of the
// query's own failure (which names the store and says what to do).
const checkOut = async (pool: PgPool): Promise<{ readonly client: PgConnection; readonly done: (destroy?: boolean) => void }> => {
  const client = await pool.connect();
  const quiet = (): void => undefined;
  client.on?.('error', quiet);
  return {
    client,
    done: (destroy) => {
      client.off?.('error', quiet);
      client.release(destroy);
    },
  };
};

/** A SqlDriver over one checked-out client, inside a transaction the caller began. */
const clientDriver = (client: PgConnection): SqlDriver => {
  const self: SqlDriver = {
    query: async <R>(text: string, params?: ReadonlyArray<unknown>): Promise<ReadonlyArray<R>> =>
      (params === undefined ? await client.query(text) : await client.query({ name: nameOf(text), text, values: [...params] })).rows as R[],
    queryArrays: async (text, params) => (await client.query({ name: nameOf(text), text, values: [...params], rowMode: 'array' })).rows as unknown[][],
    script: async (text) => {
      await client.query(text);
    },
    // Already in one: the nested work joins it.
    transaction: (f) => f(self),
  };
  return self;
};

/** A SqlDriver over a pg Pool. */
export const poolDriver = (pool: PgPool): SqlDriver => ({
  transaction: async (f) => {
    const { client, done } = await checkOut(pool);
    try {
      await client.query('BEGIN');
      const out = await f(clientDriver(client));
      await client.query('COMMIT');
      done();
      return out;
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      done(true);
      throw e;
    }
  },
  query: async <R>(text: string, params?: ReadonlyArray<unknown>): Promise<ReadonlyArray<R>> => {
    if (params === undefined) return (await pool.query(text)).rows as R[];
    const result = await pool.query({ name: nameOf(text), text, values: [...params] });
    return result.rows as R[];
  },
  queryArrays: async (text, params) => (await pool.query({ name: nameOf(text), text, values: [...params], rowMode: 'array' })).rows as unknown[][],
  script: async (text) => {
    const { client, done } = await checkOut(pool);
    try {
      await client.query('BEGIN');
      await client.query(text);
      await client.query('COMMIT');
      done();
    } catch (e) {
      await client.query('ROLLBACK').catch(() => undefined);
      done(true);
      throw e;
    }
  },
});

/** An open pool with our schema in it. */
export interface OpenPostgres {
  readonly sql: SqlDriver;
  readonly close: () => Promise<void>;
}

/** Connects a pool to a `postgres://` URL and creates our schema if needed; fails fast with a StoreError naming the masked URL. */
export const openPostgresDatabase = async (
  url: string,
  options: Pick<PostgresStoreOptions, 'schema' | 'poolSize' | 'connectTimeoutMs' | 'readModels'> = {},
): Promise<OpenPostgres> => {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const driver = await loadPg(url);
  let pool: pg.Pool;
  try {
    quoteSchema(schema);
    pool = new driver.Pool({
      connectionString: url,
      max: options.poolSize ?? 10,
      connectionTimeoutMillis: options.connectTimeoutMs ?? 5_000,
      idleTimeoutMillis: 10_000,
      allowExitOnIdle: true,
    });
  } catch (e) {
    throw storeError(url, 'opening the PostgreSQL store', e);
  }
  // An idle connection that drops must not crash the process; the next query reconnects.
  pool.on('error', () => undefined);
  // pg's overloaded query() is more than PgPool asks for; the cast only forgets the overloads.
  const sql = poolDriver(pool as unknown as PgPool);
  try {
    await ensureSchema(sql, schema, options.readModels);
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw storeError(url, 'opening the PostgreSQL store', e);
  }
  return { sql, close: () => pool.end() };
};

/** Opens the store at a `postgres://` URL, creating its tables if needed; fails fast (a StoreError naming the masked URL). */
export const openPostgresStore = async (url: string, options: PostgresStoreOptions = {}): Promise<EventStore> => {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const connectTimeoutMs = options.connectTimeoutMs ?? 5_000;
  // A store opened to recover its keys keeps no read models meanwhile (rebuilding them would need the keys).
  const readModels = options.recoverKeys === true ? null : options.readModels === undefined ? contactableReadModels : options.readModels;
  const { sql, close } = await openPostgresDatabase(url, { ...options, readModels });
  let keys;
  try {
    const source = kekSourceFrom(options.kek, process.env);
    if (source === null) {
      throw new StoreError(
        url,
        'PostgreSQL keeps its key-encryption key outside the database: set CONTACTABLE_KEK_FILE to a key file path (made on first use; every process must read the same file) or give --kek-file',
      );
    }
    keys = await openSqlKeyStore(sql, schema, source, url, { recover: options.recoverKeys === true });
  } catch (e) {
    await close().catch(() => undefined);
    throw storeError(url, 'opening the PostgreSQL store', e);
  }
  const driver = await loadPg(url);

  const changes = new ChangeSignal();
  let watchers = 0;
  let listener: pg.Client | null = null;
  const startListening = (): void => {
    if (listener !== null) return;
    const client = new driver.Client({ connectionString: url, connectionTimeoutMillis: connectTimeoutMs });
    listener = client;
    const drop = (): void => {
      if (listener === client) listener = null;
      void client.end().catch(() => undefined);
      // Followers fall back to polling until the next one starts listening again.
      changes.bump();
    };
    client.on('notification', () => changes.bump());
    client.on('error', drop);
    client
      .connect()
      .then(() => client.query(`LISTEN "${channelOf(schema)}"`))
      // Anything committed between a follower's last read and LISTEN taking effect is picked up now.
      .then(() => changes.bump())
      .catch(drop);
  };
  const stopListening = (): void => {
    const client = listener;
    listener = null;
    void client?.end().catch(() => undefined);
  };

  const store = sqlStore({
    sql,
    schema,
    kind: 'postgres',
    keys,
    readModels,
    label: url,
    changes,
    pollMs: options.pollMs ?? 1_000,
    keyCacheMs: options.keyCacheMs ?? 60_000,
    // The pool has other connections: the next page is read while this one is opened.
    readAhead: (options.poolSize ?? 10) > 1,
    decryptInWorker: true,
    watch: () => {
      watchers += 1;
      if (watchers === 1) startListening();
      let released = false;
      return () => {
        if (released) return;
        released = true;
        watchers -= 1;
        if (watchers === 0) stopListening();
      };
    },
    close: async () => {
      stopListening();
      await close();
    },
  });
  return bringUpReadModels(store, url, options.onRebuild);
};
