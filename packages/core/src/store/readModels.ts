/**
 * Read models kept in a store, beside the log: the port between the projections, which say what a row
 * holds and how an event changes it (pure, no SQL), and the stores, which keep rows in tables and
 * apply an append's changes in the same transaction as the append (no domain rule).
 *
 * A row belongs to one school and one table, has a key, a JSON document, a few plain columns the store
 * indexes for queries, look-up values the store keeps only as keyed hashes (a name, a reference, an
 * address: found by exact value, never readable back from the index), and personal strings the store
 * seals under the key of the row's subject, as it seals events (crypto-shredding reaches the rows too).
 */
import type { StoredEvent } from '../events/catalogue.js';

/** The type of an indexed column. */
export type ColumnType = 'text' | 'int' | 'bool';

/** A table of a read model: its plain columns (each indexed with the school) and whether rows carry personal strings. */
export interface TableSpec {
  readonly name: string;
  readonly columns: Readonly<Record<string, ColumnType>>;
}

/** A column's value. */
export type ColumnValue = string | number | boolean | null;

/** One row to write. */
export interface RowWrite {
  readonly table: string;
  readonly schoolId: string;
  readonly key: string;
  /** Everything the row holds but its personal strings (JSON). */
  readonly doc: unknown;
  readonly columns: Readonly<Record<string, ColumnValue>>;
  /** Exact-match look-ups, as `kind:value` (kept hashed: findable by value, never readable). */
  readonly lookups: ReadonlyArray<string>;
  /** The subject whose key seals `personal` (e.g. `member-<id>`), or null when the row has none. */
  readonly subject: string | null;
  /** Personal strings, sealed at rest; null when the row has none. */
  readonly personal: ReadonlyArray<string> | null;
}

/** One row as read back: personal strings opened (`XXXX` where the subject's key is gone). */
export interface RowRead {
  readonly table: string;
  readonly schoolId: string;
  readonly key: string;
  readonly doc: unknown;
  readonly columns: Readonly<Record<string, ColumnValue>>;
  readonly personal: ReadonlyArray<string> | null;
}

/** A condition on plain columns: every listed column equal to the value (or one of the values). */
export type Where = Readonly<Record<string, ColumnValue | ReadonlyArray<ColumnValue>>>;

/** Reading rows. */
export interface RowReader {
  /** Rows by key (missing keys are absent from the result). */
  readonly get: (table: string, schoolId: string, keys: ReadonlyArray<string>) => Promise<ReadonlyArray<RowRead>>;
  /** Rows matching a condition, by key order, at most `limit`. */
  readonly find: (table: string, schoolId: string, where: Where, limit?: number) => Promise<ReadonlyArray<RowRead>>;
  /** Rows holding an exact look-up value (`kind:value`). */
  readonly lookup: (table: string, schoolId: string, lookup: string) => Promise<ReadonlyArray<RowRead>>;
  /** How many rows match a condition, by the value of one column. */
  readonly countBy: (table: string, schoolId: string, column: string, where: Where) => Promise<ReadonlyMap<ColumnValue, number>>;
}

/** Writing rows, inside the transaction of an append (or of a rebuild). */
export interface RowWriter extends RowReader {
  readonly put: (rows: ReadonlyArray<RowWrite>) => Promise<void>;
  readonly remove: (table: string, schoolId: string, keys: ReadonlyArray<string>) => Promise<void>;
  /** Adds to integer columns of a row, creating it (with `doc` and zeros) when missing: counters that many writers move. */
  readonly add: (table: string, schoolId: string, key: string, deltas: Readonly<Record<string, number>>, doc: unknown) => Promise<void>;
}

/** Read models a store keeps inline: their tables and how a batch of appended events changes the rows. */
export interface InlineReadModels {
  /** A name and version: a store whose rows were made by another version rebuilds them from the log. */
  readonly name: string;
  readonly version: number;
  readonly tables: ReadonlyArray<TableSpec>;
  /** Applies events (in position order, as appended) to the rows. */
  readonly apply: (events: ReadonlyArray<StoredEvent>, rows: RowWriter) => Promise<void>;
}

/** The read side of a store that keeps read models. */
export interface ReadModelSource extends RowReader {
  /** The log position the rows reflect. */
  readonly position: () => Promise<number>;
  /** True when the rows were made by this version of the read models (else they need a rebuild). */
  readonly upToDate: () => Promise<boolean>;
  /** Empties every table and applies the whole log again, in pages (R-AUD-2, R-AUD-4). */
  readonly rebuild: (onProgress?: (position: number) => void) => Promise<number>;
  /**
   * Applies events of another store's log (one that keeps no read models, e.g. EventStoreDB) and
   * remembers the position reached, in one transaction; absent where the rows follow their own log only.
   */
  readonly follow?: (events: ReadonlyArray<StoredEvent>, position: number) => Promise<void>;
}
