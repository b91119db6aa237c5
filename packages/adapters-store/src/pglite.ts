/** The embedded default: an EventStore over PGlite (PostgreSQL in WebAssembly) in a folder on disk. */
import { existsSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { EventStore, InlineReadModels } from '@contactable/core';
import { contactableReadModels } from '@contactable/projections';
import { ChangeSignal } from './changes.js';
import { storeError } from './errors.js';
import { defaultKekFile, kekSourceFrom, type KekSource } from './kek.js';
import { openSqlKeyStore } from './keys.js';
import { folderTurns, type Holder, type TurnOptions, type Turns } from './turns.js';
import { DEFAULT_SCHEMA, type SqlDriver } from './sql.js';
import { bringUpReadModels, ensureSchema, sqlStore } from './sqlStore.js';

/** The folder the embedded store uses unless told otherwise. */
export const DEFAULT_FOLDER = './.contactable';

/** Options for the PGlite store. */
export interface PgliteStoreOptions {
  /** The schema holding our tables (default `contactable`). */
  readonly schema?: string;
  /**
   * Where the key-encryption key lives: a key file's path, or a source (a KMS); default the file
   * `<folder>.kek` beside the folder (made on first use), so a copy of the folder holds no KEK.
   */
  readonly kek?: KekSource | string;
  /** Opens a store whose keys are wrapped under a KEK destroyed since (a restored backup), only to import a key export: see `importKeys`. */
  readonly recoverKeys?: boolean;
  /** Read models kept beside the log (default contactable's; null: none, the log alone). */
  readonly readModels?: InlineReadModels | null;
  /** Told of progress when the read models are (re)built from the log on opening. */
  readonly onRebuild?: (position: number) => void;
  /** What this process does with the store, shown to others waiting for it ("import", "console"...). */
  readonly purpose?: string;
  /** Told once when another process holds the folder and this one waits for its turn. */
  readonly onWait?: (holder: Holder) => void;
  /** How long to wait for a turn, in ms (default 120000). */
  readonly waitMs?: number;
  /** Give the folder to a waiting process between operations (for long work: an import, the console). */
  readonly giveWay?: boolean;
  /** PostgreSQL settings for this process's database (e.g. a small `shared_buffers` for a short look). */
  readonly settings?: ReadonlyArray<string>;
}

/** An open database with our schema in it, and how to let it go. */
export interface OpenDatabase {
  readonly sql: SqlDriver;
  readonly close: () => Promise<void>;
}

/** What the drivers need of a PGlite transaction: our own type, so our declarations need none of PGlite's. */
export interface PgliteTransaction {
  readonly query: <R>(text: string, params?: unknown[], options?: { rowMode?: 'array' | 'object' }) => Promise<{ readonly rows: R[] }>;
  readonly exec: (text: string) => Promise<ReadonlyArray<{ readonly rows: unknown[] }>>;
}

/** What `pgliteDriver` needs of a PGlite instance (a PGlite is one). */
export interface PgliteConnection extends PgliteTransaction {
  readonly transaction: <T>(f: (tx: PgliteTransaction) => Promise<T>) => Promise<T>;
}

/** A SqlDriver inside a PGlite transaction. */
const transactionDriver = (tx: PgliteTransaction): SqlDriver => {
  const self: SqlDriver = {
    query: async <R>(text: string, params?: ReadonlyArray<unknown>): Promise<ReadonlyArray<R>> => {
      if (params !== undefined) return (await tx.query<R>(text, [...params])).rows;
      const results = await tx.exec(text);
      return (results[results.length - 1]?.rows ?? []) as R[];
    },
    queryArrays: async (text, params) => (await tx.query<unknown[]>(text, [...params], { rowMode: 'array' })).rows,
    script: async (text) => {
      await tx.exec(text);
    },
    transaction: (f) => f(self),
  };
  return self;
};

/**
 * A SqlDriver over one PGlite instance (single connection: PGlite queues calls itself). While a
 * transaction is open every query joins it: PGlite has one connection, so a query outside would wait
 * for the transaction to end, and the transaction (sealing keys, say) for it.
 */
export const pgliteDriver = (db: PgliteConnection): SqlDriver => {
  let active: SqlDriver | null = null;
  const self: SqlDriver = {
    transaction: async (f) => {
      if (active !== null) return f(active);
      return db.transaction(async (tx) => {
        const inside = transactionDriver(tx);
        active = inside;
        try {
          return await f(inside);
        } finally {
          active = null;
        }
      });
    },
    query: async <R>(text: string, params?: ReadonlyArray<unknown>): Promise<ReadonlyArray<R>> => {
      if (active !== null) return active.query<R>(text, params);
      if (params !== undefined) return (await db.query<R>(text, [...params])).rows;
      const results = await db.exec(text);
      return (results[results.length - 1]?.rows ?? []) as R[];
    },
    queryArrays: async (text, params) => (active !== null ? active.queryArrays(text, params) : (await db.query<unknown[]>(text, [...params], { rowMode: 'array' })).rows),
    script: async (text) => {
      if (active !== null) return active.script(text);
      await db.transaction(async (tx) => {
        await tx.exec(text);
      });
    },
  };
  return self;
};

const startDb = async (folder: string, settings: ReadonlyArray<string>): Promise<PGlite> => {
  const db = await PGlite.create(join(folder, 'pgdata'), settings.length === 0 ? {} : { postgresqlconf: [...settings] });
  try {
    // PGlite runs checkpoints in this very session, so this setting reaches them: WAL segments
    // behind a checkpoint are deleted rather than renamed for reuse with their old bytes in them.
    await db.exec('SET wal_recycle = off');
    return db;
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
};

// A store being created carries this marker until its schema is in place: a creation stopped part-way
// (killed during PostgreSQL's initdb, say) left a data folder that may not open, and nothing was ever
// stored in it, so the next open starts it again. A store without the marker is never removed.
const CREATING = 'creating';

/** Starts the folder's database with our schema in it, creating it (or starting again a creation stopped part-way) when needed. */
const startWithSchema = async (folder: string, settings: ReadonlyArray<string>, schema: string, readModels: InlineReadModels | null): Promise<PGlite> => {
  const marker = join(folder, CREATING);
  const data = join(folder, 'pgdata');
  if (existsSync(marker)) rmSync(data, { recursive: true, force: true });
  const fresh = !existsSync(data);
  if (fresh) writeFileSync(marker, `${process.pid}\n`);
  const db = await startDb(folder, settings);
  try {
    await ensureSchema(pgliteDriver(db), schema, readModels);
  } catch (e) {
    await db.close().catch(() => undefined);
    throw e;
  }
  if (fresh) rmSync(marker, { force: true });
  return db;
};

/** Opens (creating if needed) the PGlite database of a folder, in `<folder>/pgdata`, with our schema in it; holds the folder until closed. */
export const openPgliteDatabase = async (folder: string, schema: string = DEFAULT_SCHEMA, readModels: InlineReadModels | null = null, turn: TurnOptions = {}): Promise<OpenDatabase> => {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw storeError(folder, 'creating the store folder', e);
  }
  const turns = folderTurns(folder, turn);
  await turns.take();
  let db: PGlite | undefined;
  try {
    db = await startWithSchema(folder, [], schema, readModels);
    const sql = pgliteDriver(db);
    const opened = db;
    return {
      sql,
      close: async () => {
        try {
          await opened.close();
        } finally {
          await turns.release();
        }
      },
    };
  } catch (e) {
    await db?.close().catch(() => undefined);
    await turns.release();
    throw storeError(folder, 'opening the embedded store', e);
  }
};

/**
 * A driver over a folder's database that lets another process have its turn (turns.ts): between two
 * operations, never inside a transaction or while a query is in flight, it closes the database when
 * someone waits, and opens it again (after their turn) at the next operation.
 */
const turnTakingDriver = (folder: string, turns: Turns, first: PGlite, settings: ReadonlyArray<string>, giveWay: boolean, reopened: () => void): { sql: SqlDriver; close: () => Promise<void> } => {
  let db: PGlite | null = first;
  let driver: SqlDriver | null = pgliteDriver(first);
  let inFlight = 0;
  let inTransaction = 0;
  let turning: Promise<void> | null = null;
  const turn = async (): Promise<SqlDriver> => {
    while (turning !== null) await turning;
    if (inTransaction > 0 && driver !== null) return driver;
    if (db !== null && driver !== null && !(giveWay && inFlight === 0 && turns.wanted())) return driver;
    turning = (async () => {
      if (db !== null) {
        await db.close();
        db = null;
        driver = null;
        await turns.giveWay();
      }
      db = await startDb(folder, settings);
      driver = pgliteDriver(db);
      reopened();
    })();
    try {
      await turning;
    } finally {
      turning = null;
    }
    return driver!;
  };
  const counted = async <T>(f: (d: SqlDriver) => Promise<T>): Promise<T> => {
    const d = await turn();
    inFlight += 1;
    try {
      return await f(d);
    } finally {
      inFlight -= 1;
    }
  };
  return {
    sql: {
      query: (text, params) => counted((d) => d.query(text, params)),
      queryArrays: (text, params) => counted((d) => d.queryArrays(text, params)),
      script: (text) => counted((d) => d.script(text)),
      transaction: (f) =>
        counted(async (d) => {
          inTransaction += 1;
          try {
            return await d.transaction(f);
          } finally {
            inTransaction -= 1;
          }
        }),
    },
    close: async () => {
      while (turning !== null) await turning.catch(() => undefined);
      try {
        await db?.close();
      } finally {
        db = null;
        await turns.release();
      }
    },
  };
};

/**
 * Opens (creating if needed) the embedded store in a folder (default `./.contactable`). One process at a
 * time: a second one waits for its turn (saying so through `onWait`), and a process that holds the folder
 * for long (an import, the console) gives way between operations (`giveWay`).
 */
export const openPgliteStore = async (folder: string = DEFAULT_FOLDER, options: PgliteStoreOptions = {}): Promise<EventStore> => {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  // A store opened to recover its keys keeps no read models meanwhile (rebuilding them would need the keys).
  const readModels = options.recoverKeys === true ? null : options.readModels === undefined ? contactableReadModels : options.readModels;
  const settings = options.settings ?? [];
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw storeError(folder, 'creating the store folder', e);
  }
  const turns = folderTurns(folder, { ...(options.purpose !== undefined ? { purpose: options.purpose } : {}), ...(options.onWait !== undefined ? { onWait: options.onWait } : {}), ...(options.waitMs !== undefined ? { waitMs: options.waitMs } : {}) });
  await turns.take();
  let first: PGlite | undefined;
  try {
    first = await startWithSchema(folder, settings, schema, readModels);
  } catch (e) {
    await first?.close().catch(() => undefined);
    await turns.release();
    throw storeError(folder, 'opening the embedded store', e);
  }
  const changes = new ChangeSignal();
  let resetKeys: () => void = () => undefined;
  const { sql, close } = turnTakingDriver(folder, turns, first, settings, options.giveWay === true, () => {
    // Another process had the folder: what it appended is news to followers, and keys it forgot are gone.
    resetKeys();
    changes.bump();
  });
  let keys;
  try {
    keys = await openSqlKeyStore(sql, schema, kekSourceFrom(options.kek, process.env, defaultKekFile(folder))!, folder, { recover: options.recoverKeys === true });
  } catch (e) {
    await close().catch(() => undefined);
    throw storeError(folder, 'opening the embedded store', e);
  }
  const store = sqlStore({
    sql,
    schema,
    kind: 'pglite',
    keys,
    readModels,
    label: folder,
    // Our own appends, and a bump after another process's turn, are every change there is.
    changes,
    pollMs: 5_000,
    // Keys stay cached until another process has had a turn (it may have forgotten someone): then they are dropped.
    keyCacheMs: Number.POSITIVE_INFINITY,
    onCaches: (reset) => {
      resetKeys = reset;
    },
    // No read-ahead and no decrypting worker: PostgreSQL itself runs on this thread and dominates a
    // read (measured: neither made PGlite's readAll faster), and a page read ahead would only delay appends.
    close,
  });
  return bringUpReadModels(store, folder, options.onRebuild);
};
