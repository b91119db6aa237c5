/**
 * Read-model rows held in memory: the reference the SQL tables are checked against, and the rows of the
 * in-memory store. Personal strings are kept as given (there is no key to destroy here: a forgotten
 * subject's values are dropped instead); look-ups are compared by value. Writes can be staged and
 * committed together, so an append and its rows land together or not at all, as in a SQL transaction.
 */
import type { ColumnValue, RowRead, RowWrite, RowWriter, Where } from './readModels.js';

const matches = (columns: Readonly<Record<string, ColumnValue>>, where: Where): boolean =>
  Object.entries(where).every(([c, v]) => {
    const have = columns[c] ?? null;
    return Array.isArray(v) ? v.some((x) => x === have || String(x) === String(have)) : v === have;
  });

// A copy through JSON, as a store hands rows back: writer and reader share no object.
const copy = <T>(x: T): T => JSON.parse(JSON.stringify(x)) as T;
const read = (r: RowWrite): RowRead => ({ table: r.table, schoolId: r.schoolId, key: r.key, doc: copy(r.doc), columns: { ...r.columns }, personal: r.personal === null ? null : [...r.personal] });
const byKey = (a: RowWrite, b: RowWrite): number => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0);
const idOf = (table: string, schoolId: string, key: string): string => `${table}\u0000${schoolId}\u0000${key}`;

/** Rows over a way to see and change them (the base, or a stage over it). */
const rowsOver = (see: (table: string, schoolId: string) => RowWrite[], at: (id: string) => RowWrite | undefined, set: (id: string, row: RowWrite | null) => void): RowWriter => ({
  get: async (table, schoolId, keys) =>
    [...new Set(keys)].flatMap((k) => {
      const r = at(idOf(table, schoolId, k));
      return r === undefined ? [] : [read(r)];
    }),
  find: async (table, schoolId, where, limit) => see(table, schoolId).filter((r) => matches(r.columns, where)).slice(0, limit ?? Number.POSITIVE_INFINITY).map(read),
  lookup: async (table, schoolId, lookup) => see(table, schoolId).filter((r) => r.lookups.includes(lookup)).map(read),
  countBy: async (table, schoolId, column, where) => {
    const out = new Map<ColumnValue, number>();
    for (const r of see(table, schoolId)) if (matches(r.columns, where)) out.set(r.columns[column] ?? null, (out.get(r.columns[column] ?? null) ?? 0) + 1);
    return out;
  },
  put: async (rows) => {
    for (const r of rows) set(idOf(r.table, r.schoolId, r.key), copy(r));
  },
  remove: async (table, schoolId, keys) => {
    for (const k of keys) set(idOf(table, schoolId, k), null);
  },
  add: async (table, schoolId, key, deltas, doc) => {
    const id = idOf(table, schoolId, key);
    const held = at(id);
    const columns: Record<string, ColumnValue> = { ...(held?.columns ?? {}) };
    for (const [c, d] of Object.entries(deltas)) columns[c] = Number(columns[c] ?? 0) + d;
    set(id, { table, schoolId, key, doc: held?.doc ?? copy(doc), columns, lookups: held?.lookups ?? [], subject: null, personal: null });
  },
});

/** Rows in memory that can stage writes and commit them together. */
export interface MemoryRows extends RowWriter {
  /** A writer whose changes are seen through it only, until `commit` makes them the rows' own. */
  readonly stage: () => RowWriter & { readonly commit: () => void };
  /** Drops the personal values (and look-ups) of a subject's rows: they read XXXX. */
  readonly forget: (subject: string) => void;
  /** Every row. */
  readonly all: () => ReadonlyArray<RowRead>;
  /** Empties every table. */
  readonly clear: () => void;
}

/** Rows in memory, keyed by table, school and key. */
export const memoryRows = (): MemoryRows => {
  const rows = new Map<string, RowWrite>();
  const see = (table: string, schoolId: string): RowWrite[] => [...rows.values()].filter((r) => r.table === table && r.schoolId === schoolId).sort(byKey);
  const base = rowsOver(
    see,
    (id) => rows.get(id),
    (id, r) => (r === null ? rows.delete(id) : rows.set(id, r)),
  );
  return {
    ...base,
    stage: () => {
      const staged = new Map<string, RowWrite | null>();
      const at = (id: string): RowWrite | undefined => {
        const s = staged.get(id);
        return s === null ? undefined : (s ?? rows.get(id));
      };
      const seeStaged = (table: string, schoolId: string): RowWrite[] => {
        const merged = new Map(see(table, schoolId).map((r) => [idOf(r.table, r.schoolId, r.key), r]));
        for (const [id, r] of staged) {
          if (r === null) merged.delete(id);
          else if (r.table === table && r.schoolId === schoolId) merged.set(id, r);
        }
        return [...merged.values()].sort(byKey);
      };
      return {
        ...rowsOver(seeStaged, at, (id, r) => staged.set(id, r)),
        commit: () => {
          for (const [id, r] of staged) (r === null ? rows.delete(id) : rows.set(id, r));
          staged.clear();
        },
      };
    },
    forget: (subject) => {
      for (const [id, r] of rows) if (r.subject === subject && r.personal !== null) rows.set(id, { ...r, personal: null, lookups: [] });
    },
    all: () => [...rows.values()].map(read),
    clear: () => rows.clear(),
  };
};
