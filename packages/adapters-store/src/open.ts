/** One entry point from a URL to a store: `memory:`, a folder (PGlite), `postgres://`, `esdb://` / `kurrentdb://`. */
import { fileURLToPath } from 'node:url';
import { memoryStore, type EventStore } from '@contactable/core';
import { contactableReadModels } from '@contactable/projections';
import { StoreError } from './errors.js';
import type { KekSource } from './kek.js';
import { loadOptional } from './optional.js';
import { DEFAULT_FOLDER, openPgliteStore, type PgliteStoreOptions } from './pglite.js';
import { openPostgresStore } from './postgres.js';

/** Options every kind of store understands (each ignores what does not apply to it; read models and turns are PGlite's and PostgreSQL's). */
export interface OpenStoreOptions extends Omit<PgliteStoreOptions, 'schema'> {
  /** The SQL schema holding our tables (default `contactable`). */
  readonly schema?: string;
  /** EventStoreDB only: where keys and checkpoints live, a PGlite folder or a `postgres://` URL. */
  readonly keys?: string;
  /** How long to wait for a server before failing, in ms (default 5000). */
  readonly connectTimeoutMs?: number;
  /** PostgreSQL only: connections in the pool (default 10). */
  readonly poolSize?: number;
  /**
   * Where the key-encryption key lives (a key file's path, or a source): default beside the folder
   * for the embedded store, `CONTACTABLE_KEK_FILE` / `CONTACTABLE_KEK` for PostgreSQL (and for
   * EventStoreDB's key database).
   */
  readonly kek?: KekSource | string;
}

/** The package that holds the EventStoreDB store (an optional peer of this one). */
export const EVENTSTORE_PACKAGE = '@contactable/adapters-eventstoredb';

// The slice of that package openStore calls (it depends on us, so we cannot import its types).
interface EventStoreDbModule {
  readonly openEventStoreDbStore: (url: string, options: OpenStoreOptions) => Promise<EventStore>;
}

/** Which kind of store a URL names, or null when it names none we know. */
export const storeKind = (url: string): 'memory' | 'pglite' | 'postgres' | 'eventstoredb' | null => {
  if (url === 'memory:' || url === 'memory://') return 'memory';
  if (/^postgres(ql)?:\/\//i.test(url)) return 'postgres';
  if (/^(esdb|kurrentdb)(\+discover)?:\/\//i.test(url)) return 'eventstoredb';
  if (/^file:\/\//i.test(url)) return 'pglite';
  // Any other scheme is a mistake; a Windows drive letter (C:\) is a folder.
  if (/^[a-z][a-z0-9+.-]+:/i.test(url)) return null;
  return url.trim() === '' ? null : 'pglite';
};

/**
 * Opens the store a URL names (default: the embedded store in `./.contactable`).
 * Throws a StoreError naming the URL (password masked) when it is malformed or the store cannot be reached.
 */
export const openStore = async (url: string = DEFAULT_FOLDER, options: OpenStoreOptions = {}): Promise<EventStore> => {
  switch (storeKind(url)) {
    case 'memory':
      return memoryStore({ readModels: options.readModels === undefined ? contactableReadModels : options.readModels });
    case 'postgres':
      return openPostgresStore(url, options);
    case 'eventstoredb': {
      // A package of its own, loaded on demand: its gRPC client is heavy and most installs never use it.
      const { openEventStoreDbStore } = await loadOptional<EventStoreDbModule>(EVENTSTORE_PACKAGE, url, 'An esdb:// store');
      return openEventStoreDbStore(url, options);
    }
    case 'pglite':
      return openPgliteStore(/^file:/i.test(url) ? fileURLToPath(url) : url, options);
    case null:
      throw new StoreError(
        url,
        'not a store we know: use memory:, a folder path, postgres://user:password@host/db, or esdb://host:2113',
      );
  }
};
