/**
 * Read-model rows in SQL tables (PGlite and PostgreSQL), for any read models described by the core's
 * port: one table per spec (`rm_<name>`), keyed by school and key, with the spec's plain columns each
 * indexed with the school, a JSON document, look-ups kept only as keyed hashes (GIN-indexed), and the
 * personal strings sealed under the subject's key by the store's shredder. No domain rule here: what a
 * row holds and when it changes is the projections' business.
 */
import { createHmac } from 'node:crypto';
import type { ColumnType, ColumnValue, RowRead, RowWrite, RowWriter, TableSpec, Where } from '@contactable/core';
import type { Shredder } from './shredder.js';
import { quoteSchema, type SqlDriver } from './sql.js';

const NAME = /^[a-z][a-z0-9_]{0,40}$/;

const sqlType = (t: ColumnType): string => (t === 'int' ? 'bigint' : t === 'bool' ? 'boolean' : 'text');

const checkName = (what: string, name: string): string => {
  if (!NAME.test(name)) throw new Error(`read-model ${what} "${name}" must be lower-case letters, digits and underscores`);
  return name;
};

/** The table of a spec. */
export const tableOf = (schema: string, spec: { readonly name: string }): string => `${quoteSchema(schema)}."rm_${checkName('table', spec.name)}"`;

/** The DDL of the read-model tables (safe to run again); personal and look-up columns gather no statistics. */
export const readModelScript = (schema: string, specs: ReadonlyArray<TableSpec>): string => {
  const s = quoteSchema(schema);
  const parts = [`CREATE TABLE IF NOT EXISTS ${s}.rm_state (name text PRIMARY KEY, version integer, position bigint NOT NULL DEFAULT 0);`];
  for (const spec of specs) {
    const t = tableOf(schema, spec);
    const cols = Object.entries(spec.columns).map(([c, type]) => `"${checkName('column', c)}" ${sqlType(type)}`);
    parts.push(
      `CREATE TABLE IF NOT EXISTS ${t} (school_id text NOT NULL, key text NOT NULL, doc jsonb NOT NULL, personal text, lookups text[] NOT NULL DEFAULT '{}'${cols.map((c) => `, ${c}`).join('')}, PRIMARY KEY (school_id, key));`,
      // Sealed values and hashes are noise to the planner; sampling them would only copy them into pg_statistic.
      `ALTER TABLE ${t} ALTER COLUMN personal SET STATISTICS 0;`,
      `ALTER TABLE ${t} ALTER COLUMN lookups SET STATISTICS 0;`,
      `CREATE INDEX IF NOT EXISTS "rm_${spec.name}_lookups" ON ${t} USING gin (lookups);`,
      ...Object.keys(spec.columns).map((c) => `CREATE INDEX IF NOT EXISTS "rm_${spec.name}_${c}" ON ${t} (school_id, "${c}");`),
    );
  }
  return parts.join('\n');
};

/** What the row tables need. */
export interface RowTablesConfig {
  readonly schema: string;
  readonly tables: ReadonlyArray<TableSpec>;
  readonly shredder: Shredder;
  /** The secret look-ups are hashed with (HMAC-SHA256), kept in the key table like other keys; asked for at every hash, so cache it. */
  readonly lookupKey: () => Promise<Buffer>;
}

/** The id a row's sealed values are bound to (so a blob cannot be moved to another row). */
const sealId = (table: string, schoolId: string, key: string): string => `rm/${table}/${schoolId}/${key}`;

/** Rows over a SQL connection (a pool, or a transaction's connection). */
export const sqlRows = (sql: SqlDriver, config: RowTablesConfig): RowWriter => {
  const specs = new Map(config.tables.map((t) => [t.name, t]));
  const specOf = (table: string): TableSpec => {
    const spec = specs.get(table);
    if (spec === undefined) throw new Error(`no read-model table "${table}"`);
    return spec;
  };
  // The key is asked for at each hash: the store caches it and knows when to drop it (a failed
  // transaction that made it), which a copy kept here, by the store's long-lived reader, would not.
  const hash = async (schoolId: string, lookup: string): Promise<string> =>
    createHmac('sha256', await config.lookupKey()).update(`${schoolId}\u0000${lookup}`).digest('base64url').slice(0, 27);

  const columnsOf = (spec: TableSpec): string[] => Object.keys(spec.columns);
  const selectList = (spec: TableSpec): string => ['key', 'school_id', 'doc', 'personal', ...columnsOf(spec).map((c) => `"${c}"`)].join(', ');

  const read = async (spec: TableSpec, rows: ReadonlyArray<Record<string, unknown>>): Promise<RowRead[]> => {
    const opened = await config.shredder.openLists(
      rows.map((r) => {
        const personal = r['personal'];
        if (typeof personal !== 'string') return { subject: '', id: '', blob: null };
        const sep = personal.indexOf('|');
        return { subject: personal.slice(0, sep), id: sealId(spec.name, r['school_id'] as string, r['key'] as string), blob: personal.slice(sep + 1) };
      }),
    );
    return rows.map((r, i) => ({
      table: spec.name,
      schoolId: r['school_id'] as string,
      key: r['key'] as string,
      doc: typeof r['doc'] === 'string' ? (JSON.parse(r['doc']) as unknown) : r['doc'],
      columns: Object.fromEntries(columnsOf(spec).map((c) => [c, normalise(spec.columns[c]!, r[c])])),
      personal: r['personal'] === null ? null : opened[i]!,
    }));
  };

  // Conditions as SQL, from the spec's own column names only; values always as parameters.
  const whereSql = (spec: TableSpec, where: Where, params: unknown[]): string => {
    const parts: string[] = [];
    for (const [c, v] of Object.entries(where)) {
      const type = spec.columns[c];
      if (type === undefined) throw new Error(`read-model table "${spec.name}" has no column "${c}"`);
      if (Array.isArray(v)) {
        params.push(JSON.stringify(v.map((x) => (x === null ? null : String(x)))));
        parts.push(`"${c}"::text IN (SELECT jsonb_array_elements_text($${params.length}::jsonb))`);
      } else if (v === null) parts.push(`"${c}" IS NULL`);
      else {
        params.push(v);
        parts.push(`"${c}" = $${params.length}::${sqlType(type)}`);
      }
    }
    return parts.map((p) => ` AND ${p}`).join('');
  };

  return {
    get: async (table, schoolId, keys) => {
      if (keys.length === 0) return [];
      const spec = specOf(table);
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT ${selectList(spec)} FROM ${tableOf(config.schema, spec)} WHERE school_id = $1 AND key IN (SELECT jsonb_array_elements_text($2::jsonb))`,
        [schoolId, JSON.stringify([...new Set(keys)])],
      );
      return read(spec, rows);
    },
    find: async (table, schoolId, where, limit) => {
      const spec = specOf(table);
      const params: unknown[] = [schoolId];
      const cond = whereSql(spec, where, params);
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT ${selectList(spec)} FROM ${tableOf(config.schema, spec)} WHERE school_id = $1${cond} ORDER BY key${limit === undefined ? '' : ` LIMIT ${Math.max(0, Math.floor(limit))}`}`,
        params,
      );
      return read(spec, rows);
    },
    lookup: async (table, schoolId, lookup) => {
      const spec = specOf(table);
      const rows = await sql.query<Record<string, unknown>>(
        `SELECT ${selectList(spec)} FROM ${tableOf(config.schema, spec)} WHERE school_id = $1 AND lookups @> ARRAY[$2::text] ORDER BY key`,
        [schoolId, await hash(schoolId, lookup)],
      );
      return read(spec, rows);
    },
    countBy: async (table, schoolId, column, where) => {
      const spec = specOf(table);
      const type = spec.columns[column];
      if (type === undefined) throw new Error(`read-model table "${spec.name}" has no column "${column}"`);
      const params: unknown[] = [schoolId];
      const cond = whereSql(spec, where, params);
      const rows = await sql.query<{ v: unknown; n: unknown }>(`SELECT "${column}" AS v, count(*) AS n FROM ${tableOf(config.schema, spec)} WHERE school_id = $1${cond} GROUP BY "${column}"`, params);
      return new Map(rows.map((r) => [normalise(type, r.v), Number(r.n)]));
    },
    put: async (rows) => {
      const byTable = new Map<string, RowWrite[]>();
      for (const r of rows) {
        const list = byTable.get(r.table);
        if (list === undefined) byTable.set(r.table, [r]);
        else list.push(r);
      }
      for (const [table, list] of byTable) {
        const spec = specOf(table);
        // One row per key: the last write of a key in a batch is the one that stands.
        const last = new Map(list.map((r) => [`${r.schoolId}\u0000${r.key}`, r]));
        const unique = [...last.values()];
        const sealed = await config.shredder.sealLists(unique.map((r) => ({ subject: r.subject ?? '', id: sealId(table, r.schoolId, r.key), strings: r.subject === null ? null : r.personal })));
        const records = await Promise.all(
          unique.map(async (r, i) => ({
            school_id: r.schoolId,
            key: r.key,
            doc: r.doc,
            personal: sealed[i] === null ? null : `${r.subject}|${sealed[i]}`,
            lookups: await Promise.all(r.lookups.map((l) => hash(r.schoolId, l))),
            ...r.columns,
          })),
        );
        const cols = columnsOf(spec);
        const recordType = ['school_id text', 'key text', 'doc jsonb', 'personal text', 'lookups text[]', ...cols.map((c) => `"${c}" ${sqlType(spec.columns[c]!)}`)].join(', ');
        const names = ['school_id', 'key', 'doc', 'personal', 'lookups', ...cols.map((c) => `"${c}"`)];
        await sql.query(
          `INSERT INTO ${tableOf(config.schema, spec)} (${names.join(', ')})
           SELECT ${names.join(', ')} FROM jsonb_to_recordset($1::jsonb) AS r(${recordType})
           ON CONFLICT (school_id, key) DO UPDATE SET ${names.slice(2).map((n) => `${n} = EXCLUDED.${n}`).join(', ')}`,
          [JSON.stringify(records)],
        );
      }
    },
    remove: async (table, schoolId, keys) => {
      if (keys.length === 0) return;
      const spec = specOf(table);
      await sql.query(`DELETE FROM ${tableOf(config.schema, spec)} WHERE school_id = $1 AND key IN (SELECT jsonb_array_elements_text($2::jsonb))`, [schoolId, JSON.stringify(keys)]);
    },
    add: async (table, schoolId, key, deltas, doc) => {
      const spec = specOf(table);
      const cols = Object.keys(deltas);
      for (const c of cols) if (spec.columns[c] !== 'int') throw new Error(`read-model column "${spec.name}.${c}" is not a counter`);
      const params: unknown[] = [schoolId, key, JSON.stringify(doc), ...cols.map((c) => deltas[c]!)];
      await sql.query(
        `INSERT INTO ${tableOf(config.schema, spec)} (school_id, key, doc${cols.map((c) => `, "${c}"`).join('')})
         VALUES ($1, $2, $3::jsonb${cols.map((_, i) => `, $${i + 4}::bigint`).join('')})
         ON CONFLICT (school_id, key) DO UPDATE SET ${cols.map((c) => `"${c}" = coalesce(${tableOf(config.schema, spec)}."${c}", 0) + EXCLUDED."${c}"`).join(', ')}`,
        params,
      );
    },
  };
};

// Drivers hand bigints back as strings and booleans as booleans; one shape for every reader.
const normalise = (type: ColumnType, v: unknown): ColumnValue => {
  if (v === null || v === undefined) return null;
  if (type === 'int') return Number(v);
  if (type === 'bool') return v === true || v === 't' || v === 'true';
  return String(v);
};
