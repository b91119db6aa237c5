/**
 * What `contactable doctor` may ask a durable store beyond the EventStore port: the head of the log, the
 * checkpoints, and how sealed personal data and subject keys line up. Read-only; ids, positions and
 * counts only, never a personal value. Stores register theirs; `inspectionOf` finds it.
 */
import { sealingSubjectOf, type EventStore } from '@contactable/core';
import { keyIdOf } from './crypto.js';
import { LOOKUP_KEY_SUBJECT } from './keys.js';
import { quoteSchema, type SqlDriver } from './sql.js';

/** A subject whose sealed events name a key the key table does not hold. */
export interface SealedWithoutKey {
  readonly subject: string;
  readonly events: number;
  readonly firstPosition: number;
  /** An anonymisation (or a message's content erasure) is recorded on the subject's stream: the key was destroyed on purpose. */
  readonly anonymised: boolean;
  /** A deletion is recorded on the subject's stream (retention may have stopped between destroying the key and recording it). */
  readonly deleted: boolean;
}

/** A key the key table holds that no stored event was sealed with. */
export interface KeyWithoutData {
  readonly subject: string;
  readonly keyId: string;
}

/** Read-only questions about a store's own tables. */
export interface StoreInspection {
  /** The highest position in the log (0 when empty). */
  readonly head: () => Promise<number>;
  /** Every named checkpoint and its position. */
  readonly checkpoints: () => Promise<ReadonlyArray<{ readonly name: string; readonly position: number }>>;
  /** Sealed personal data without its key, and keys without data. */
  readonly keys: () => Promise<{ readonly sealedWithoutKey: ReadonlyArray<SealedWithoutKey>; readonly keysWithoutData: ReadonlyArray<KeyWithoutData> }>;
}

const registry = new WeakMap<EventStore, StoreInspection>();

/** Registers a store's inspection (done by the stores themselves). */
export const registerInspection = (store: EventStore, inspection: StoreInspection): EventStore => {
  registry.set(store, inspection);
  return store;
};

/** The inspection of a store, or null for one that has none (memory; EventStoreDB keeps its keys elsewhere). */
export const inspectionOf = (store: EventStore): StoreInspection | null => registry.get(store) ?? null;

const PAGE = 5_000;

/** The inspection of a SQL store's schema (PGlite or PostgreSQL). */
export const sqlInspection = (sql: SqlDriver, schema: string): StoreInspection => {
  const s = quoteSchema(schema);
  return {
    head: async () => Number((await sql.query<{ head: unknown }>(`SELECT coalesce(max(position), 0) AS head FROM ${s}.events`))[0]?.head ?? 0),
    checkpoints: async () =>
      (await sql.query<{ name: string; position: unknown }>(`SELECT name, position FROM ${s}.checkpoints ORDER BY name`)).map((r) => ({ name: r.name, position: Number(r.position) })),
    keys: async () => {
      const held = new Map<string, string>();
      for (const r of await sql.query<{ key_id: string; subject: string }>(`SELECT key_id, subject FROM ${s}.subject_keys`)) held.set(r.key_id, r.subject);
      const used = new Set<string>();
      const missing = new Map<string, { events: number; firstPosition: number }>();
      // Page by position: a big log's blobs are never all in memory at once.
      for (let after = 0; ; ) {
        const rows = await sql.query<{ position: unknown; stream_id: string; type: string; data: unknown; personal: string }>(
          `SELECT position, stream_id, type, data, personal FROM ${s}.events WHERE personal IS NOT NULL AND position > $1 ORDER BY position LIMIT $2`,
          [after, PAGE],
        );
        for (const r of rows) {
          const keyId = keyIdOf(r.personal.slice(1));
          if (keyId !== null && held.has(keyId)) {
            used.add(keyId);
            continue;
          }
          // The subject whose key sealed it: a send failure's provider text is its contact's, not the message's.
          const subject = sealingSubjectOf(r.stream_id, r.type, typeof r.data === 'string' ? (JSON.parse(r.data) as unknown) : r.data);
          const m = missing.get(subject);
          if (m === undefined) missing.set(subject, { events: 1, firstPosition: Number(r.position) });
          else m.events += 1;
        }
        if (rows.length < PAGE) break;
        after = Number(rows[rows.length - 1]!.position);
      }
      const marked = async (types: ReadonlyArray<string>): Promise<Set<string>> =>
        new Set(
          (await sql.query<{ stream_id: string }>(`SELECT DISTINCT stream_id FROM ${s}.events WHERE type IN (SELECT jsonb_array_elements_text($1::jsonb))`, [JSON.stringify(types)])).map(
            (r) => r.stream_id,
          ),
        );
      // A message whose content retention erased had its key destroyed on purpose too.
      const anonymised = missing.size === 0 ? new Set<string>() : await marked(['MemberAnonymised', 'ContactAnonymised', 'MessageContentErased']);
      const deleted = missing.size === 0 ? new Set<string>() : await marked(['MemberDeleted', 'ContactDeleted']);
      return {
        sealedWithoutKey: [...missing].map(([subject, m]) => ({ subject, ...m, anonymised: anonymised.has(subject), deleted: deleted.has(subject) })),
        // The read models' look-up secret seals no event by design.
        keysWithoutData: [...held].filter(([keyId, subject]) => !used.has(keyId) && subject !== LOOKUP_KEY_SUBJECT).map(([keyId, subject]) => ({ subject, keyId })),
      };
    },
  };
};
