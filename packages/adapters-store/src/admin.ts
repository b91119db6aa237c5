/**
 * What a durable store offers beyond the EventStore port, for operators and their tools: its keys
 * (status, backup, restore), its shredder (for read models kept beside the log), the outcome of its
 * last clean-up, and a check of the database settings that keep old bytes after an erasure. Reached
 * from an opened store with `storeAdmin(store)` (null for a store without any: `memory:`).
 */
import type { EventStore } from '@contactable/core';
import { errorCode } from './errors.js';
import { openKeyExport, sealKeyExport } from './keyBackup.js';
import type { KeyStatus, RestoreOutcome, RewrapOutcome, SqlKeyStore } from './keys.js';
import type { Shredder } from './shredder.js';
import { quoteSchema, statements, type SqlDriver } from './sql.js';

/** What the last `compact()` (a retention run's clean-up) did. */
export interface CompactionReport {
  readonly at: string;
  readonly rewrap: RewrapOutcome;
}

/** A durable store's operator side. */
export interface StoreAdmin {
  readonly kind: 'pglite' | 'postgres' | 'eventstoredb';
  /** The store's URL (password masked) or folder. */
  readonly label: string;
  /** The database holding keys (and, but for EventStoreDB, the log). */
  readonly sql: SqlDriver;
  readonly schema: string;
  readonly keys: SqlKeyStore;
  /** Seals and opens personal values under the store's per-subject keys (see Shredder.sealLists). */
  readonly shredder: Shredder;
  lastCompaction: CompactionReport | null;
}

const admins = new WeakMap<EventStore, StoreAdmin>();

/** Records a store's operator side (called by the stores themselves). */
export const registerAdmin = (store: EventStore, parts: Omit<StoreAdmin, 'lastCompaction'>): StoreAdmin => {
  const admin: StoreAdmin = { ...parts, lastCompaction: null };
  admins.set(store, admin);
  return admin;
};

/** The operator side of a store opened by this package, or null (`memory:`, or a store from elsewhere). */
export const storeAdmin = (store: EventStore): StoreAdmin | null => admins.get(store) ?? null;

/** The store's shredder, for read models that keep personal values beside the log; null for `memory:`. */
export const shredderOf = (store: EventStore): Shredder | null => storeAdmin(store)?.shredder ?? null;

/** Where the store's keys stand (KEK, counts, last re-wrap, last export); null for `memory:`. */
export const keyStatusOf = async (store: EventStore): Promise<KeyStatus | null> => {
  const admin = storeAdmin(store);
  if (admin === null) return null;
  const status = await admin.keys.status();
  return { ...status, lastRewrap: status.lastRewrap ?? (admin.lastCompaction === null ? null : { ...admin.lastCompaction.rewrap, at: admin.lastCompaction.at }) };
};

/**
 * Writes every key of the store (never an erased one: those are deleted) encrypted under a
 * passphrase; returns the file's text and how many keys it holds. See keyBackup.ts for why the
 * keys are re-encrypted under the passphrase rather than left wrapped under the KEK.
 */
export const exportKeys = async (store: EventStore, passphrase: string, options: { readonly cost?: number } = {}): Promise<{ readonly text: string; readonly count: number }> => {
  const admin = storeAdmin(store);
  if (admin === null) throw new Error('this store keeps no keys (memory:): there is nothing to export');
  const entries = await admin.keys.entries();
  const text = await sealKeyExport(entries, passphrase, options);
  await admin.keys.markExported();
  return { text, count: entries.length };
};

/** Puts the keys of an export back (wrapped under the current KEK); erased keys are never restored. */
export const importKeys = async (store: EventStore, text: string, passphrase: string): Promise<RestoreOutcome & { readonly createdAt: string }> => {
  const admin = storeAdmin(store);
  if (admin === null) throw new Error('this store keeps no keys (memory:): there is nothing to import into');
  const opened = await openKeyExport(text, passphrase);
  return { ...(await admin.keys.restore(opened.entries)), createdAt: opened.createdAt };
};

/** One thing found by the erasure check. */
export interface ErasureFinding {
  /** `warning`: something keeps erased data or keys longer than the store can reach; `info`: worth knowing. */
  readonly level: 'warning' | 'info';
  /** The setting or object concerned (`wal_recycle`, `archive_mode`, `replication slot s1`, `key-encryption key`). */
  readonly subject: string;
  /** Its value as found, when there is one. */
  readonly value: string | null;
  /** What it means and what to do. */
  readonly advice: string;
}

/** The erasure check of a store: findings, and what the school must do with its backups. */
export interface ErasureCheck {
  readonly kind: StoreAdmin['kind'] | 'memory';
  readonly findings: ReadonlyArray<ErasureFinding>;
  /** What to do with backups, always given (a checklist for the school). */
  readonly backups: ReadonlyArray<string>;
}

/** What a school must do with its backups for erasure to hold (README "Personal data and erasure"). */
export const BACKUP_ADVICE: ReadonlyArray<string> = [
  'Backups of the database taken before an erasure still hold the erased people\'s data, sealed, and their keys, wrapped under a key-encryption key that the retention run has since destroyed: they cannot be opened, provided no copy of that key file was kept. Keep backups no longer than you need them all the same.',
  'Never back up the key file together with the database, and keep no old copies of it (exclude it from machine backups and snapshots): an old key file plus an old backup would open everyone erased since.',
  'The key backup is `contactable keys export`: after every retention run that erased someone, make a new export and destroy the older ones (an older export still holds the erased people\'s keys).',
  'To restore a backup of the database: restore it, import the newest key export with `contactable keys import --from FILE`, then run `contactable retention` at once, so everyone erased since the backup was taken is erased again.',
];

const setting = async (sql: SqlDriver, name: string): Promise<string | null> => {
  try {
    const [row] = await sql.query<{ v: string | null }>(`SELECT current_setting($1, true) AS v`, [name]);
    return row?.v ?? null;
  } catch {
    return null;
  }
};

const sizeOf = (v: string | null): number => {
  if (v === null) return 0;
  const m = /^(\d+)\s*([kMGT]?B)?$/.exec(v.trim());
  return m === null ? 0 : Number(m[1]);
};

/**
 * Checks what keeps old bytes after an erasure: on PostgreSQL WAL archiving, replication slots,
 * kept WAL, standbys, `wal_recycle`, statistics sampled from key columns by an older version; for
 * every durable store the KEK (rotatable? kept apart from the database?) and the key export (older
 * than the last erasure?). Read-only; `contactable retention` prints it, `contactable doctor` can too.
 */
export const checkErasureSettings = async (store: EventStore): Promise<ErasureCheck> => {
  const admin = storeAdmin(store);
  if (admin === null) {
    return {
      kind: 'memory',
      findings: [{ level: 'info', subject: 'store', value: 'memory:', advice: 'the in-memory store keeps nothing on disk: an erasure masks the values in memory' }],
      backups: [],
    };
  }
  const findings: ErasureFinding[] = [];
  const { sql } = admin;
  const keys = await admin.keys.status();

  if (!keys.rotatable) {
    findings.push({
      level: 'warning',
      subject: 'key-encryption key',
      value: keys.source,
      advice: 'a fixed key cannot be rotated by retention, so copies of erased people\'s keys in backups, replicas and old WAL stay usable with it: use a key file (CONTACTABLE_KEK_FILE) or a KMS',
    });
  }
  if (admin.kind === 'pglite' && keys.source.startsWith('key file ')) {
    const path = keys.source.slice('key file '.length);
    const folder = admin.label.replace(/\/+$/, '');
    if (path.startsWith(`${folder}/`)) {
      findings.push({ level: 'warning', subject: 'key-encryption key', value: path, advice: 'the key file is inside the store\'s folder, so every copy of the folder holds it: keep it beside the folder (the default) or elsewhere' });
    }
  }
  const [erasedRow] = await sql.query<{ last: string | null }>(`SELECT max(forgotten_at)::text AS last FROM ${quoteSchema(admin.schema)}.forgotten_keys`);
  const lastErasure = erasedRow?.last === null || erasedRow?.last === undefined ? null : new Date(erasedRow.last).toISOString();
  if (lastErasure !== null && (keys.lastExportAt === null || keys.lastExportAt < lastErasure)) {
    findings.push({
      level: 'warning',
      subject: 'key export',
      value: keys.lastExportAt,
      advice:
        keys.lastExportAt === null
          ? 'no key export was ever made: if the key file is lost, every person\'s data is lost with it; run `contactable keys export --to FILE`'
          : 'the last key export predates the last erasure, so it still holds the erased people\'s keys: make a new export and destroy the older ones',
    });
  }

  if (admin.kind === 'postgres') {
    const archiveMode = await setting(sql, 'archive_mode');
    if (archiveMode === 'on' || archiveMode === 'always') {
      const command = (await setting(sql, 'archive_command')) ?? '';
      const library = (await setting(sql, 'archive_library')) ?? '';
      findings.push({
        level: 'warning',
        subject: 'archive_mode',
        value: archiveMode,
        advice: `WAL is archived${command !== '' && command !== '(disabled)' ? ' by archive_command' : library !== '' ? ` by ${library}` : ''}: every archived segment keeps what was written, erased people's wrapped keys included. They are useless once retention has destroyed the old key-encryption key, but expire archives (and base backups) within your erasure deadline all the same.`,
      });
    }
    if ((await setting(sql, 'wal_recycle')) === 'on') {
      findings.push({
        level: 'warning',
        subject: 'wal_recycle',
        value: 'on',
        advice: 'old WAL segments are renamed for reuse with their old bytes in them until overwritten: set wal_recycle = off so they are deleted (the re-wrap already makes the keys in them useless)',
      });
    }
    const keepSize = await setting(sql, 'wal_keep_size');
    if (sizeOf(keepSize) > 0) {
      findings.push({ level: 'warning', subject: 'wal_keep_size', value: keepSize, advice: 'the server keeps this much old WAL beyond what it needs: erased rows stay in it for longer; set it to 0 unless a standby needs it' });
    }
    try {
      const slots = await sql.query<{ slot_name: string; slot_type: string; active: boolean }>('SELECT slot_name, slot_type, active FROM pg_replication_slots ORDER BY slot_name');
      for (const slot of slots) {
        findings.push({
          level: 'warning',
          subject: `replication slot ${slot.slot_name}`,
          value: `${slot.slot_type}${slot.active ? ', active' : ', inactive'}`,
          advice: `the slot keeps every WAL segment its consumer has not read${slot.active ? '' : ' (inactive: possibly for ever)'}; drop slots nobody uses (SELECT pg_drop_replication_slot('${slot.slot_name}'))`,
        });
      }
    } catch (e) {
      if (errorCode(e) !== '42501') throw e;
    }
    try {
      const [standbys] = await sql.query<{ n: unknown }>('SELECT count(*) AS n FROM pg_stat_replication');
      const n = Number(standbys?.n ?? 0);
      if (n > 0) {
        findings.push({ level: 'info', subject: 'standbys', value: String(n), advice: 'standbys keep their own copies of the data and WAL: the re-wrap reaches them through replication; their own backups and archives are yours to expire' });
      }
    } catch (e) {
      if (errorCode(e) !== '42501') throw e;
    }
  }
  const sampled = await sql.query<{ col: string }>(statements(admin.schema).sampledColumns);
  if (sampled.length > 0) {
    findings.push({
      level: 'warning',
      subject: 'pg_statistic',
      value: sampled.map((r) => r.col).join(', '),
      advice: 'the server holds samples of key or personal columns (taken before they were set to STATISTICS 0, or after someone reset it): the next retention run that erases someone drops them; a superuser should then run VACUUM FULL pg_catalog.pg_statistic',
    });
  }
  const [scrub] = await sql.query<{ value: string }>(`SELECT value FROM ${quoteSchema(admin.schema)}.store_info WHERE name = 'statistics_scrub_pending'`);
  if (scrub !== undefined) {
    findings.push({
      level: 'warning',
      subject: 'pg_statistic',
      value: 'dropped, not yet vacuumed',
      advice: 'statistics an older version let the server sample from key columns were dropped, but their bytes stay in pg_statistic\'s files until a superuser runs VACUUM FULL pg_catalog.pg_statistic',
    });
  }
  return { kind: admin.kind, findings, backups: BACKUP_ADVICE };
};
