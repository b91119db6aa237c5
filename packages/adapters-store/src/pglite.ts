/** The embedded default: an EventStore over PGlite (PostgreSQL in WebAssembly) in a folder on disk. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { PGlite } from '@electric-sql/pglite';
import type { EventStore } from '@contactable/core';
import { ChangeSignal } from './changes.js';
import { storeError } from './errors.js';
import { lockFolder } from './folderLock.js';
import { DEFAULT_SCHEMA, type SqlDriver } from './sql.js';
import { ensureSchema, sqlStore } from './sqlStore.js';

/** The folder the embedded store uses unless told otherwise. */
export const DEFAULT_FOLDER = './.contactable';

/** Options for the PGlite store. */
export interface PgliteStoreOptions {
  /** The schema holding our tables (default `contactable`). */
  readonly schema?: string;
}

/** An open database with our schema in it, and how to let it go. */
export interface OpenDatabase {
  readonly sql: SqlDriver;
  readonly close: () => Promise<void>;
}

/** A SqlDriver over one PGlite instance (single connection: PGlite queues calls itself). */
export const pgliteDriver = (db: PGlite): SqlDriver => ({
  query: async <R>(text: string, params?: ReadonlyArray<unknown>): Promise<ReadonlyArray<R>> => {
    if (params !== undefined) return (await db.query<R>(text, [...params])).rows;
    const results = await db.exec(text);
    return (results[results.length - 1]?.rows ?? []) as R[];
  },
  queryArrays: async (text, params) => (await db.query<unknown[]>(text, [...params], { rowMode: 'array' })).rows,
  script: async (text) => {
    await db.transaction(async (tx) => {
      await tx.exec(text);
    });
  },
});

/** Opens (creating if needed) the PGlite database of a folder, in `<folder>/pgdata`, with our schema in it. */
export const openPgliteDatabase = async (folder: string, schema: string = DEFAULT_SCHEMA): Promise<OpenDatabase> => {
  try {
    mkdirSync(folder, { recursive: true });
  } catch (e) {
    throw storeError(folder, 'creating the store folder', e);
  }
  const unlock = await lockFolder(folder);
  let db: PGlite | undefined;
  try {
    db = await PGlite.create(join(folder, 'pgdata'));
    // PGlite runs checkpoints in this very session, so this setting reaches them: WAL segments
    // behind a checkpoint are deleted rather than renamed for reuse with their old bytes in them.
    await db.exec('SET wal_recycle = off');
    const sql = pgliteDriver(db);
    await ensureSchema(sql, schema);
    const opened = db;
    return {
      sql,
      close: async () => {
        try {
          await opened.close();
        } finally {
          await unlock();
        }
      },
    };
  } catch (e) {
    await db?.close().catch(() => undefined);
    await unlock();
    throw storeError(folder, 'opening the embedded store', e);
  }
};

/** Opens (creating if needed) the embedded store in a folder (default `./.contactable`); one process at a time. */
export const openPgliteStore = async (folder: string = DEFAULT_FOLDER, options: PgliteStoreOptions = {}): Promise<EventStore> => {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  const { sql, close } = await openPgliteDatabase(folder, schema);
  return sqlStore({
    sql,
    schema,
    label: folder,
    // One process holds the folder, so our own appends are every change there is.
    changes: new ChangeSignal(),
    pollMs: 5_000,
    // Single process: our own forget drops cached keys at once, and nobody else can forget.
    keyCacheMs: Number.POSITIVE_INFINITY,
    // No read-ahead and no decrypting worker: PostgreSQL itself runs on this thread and dominates a
    // read (measured: neither made PGlite's readAll faster), and a page read ahead would only delay appends.
    close,
  });
};
