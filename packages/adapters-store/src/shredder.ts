/**
 * Crypto-shredding for every durable store: personal fields (those whose codec is
 * `Personal`) are sealed per subject before they reach a store and opened on read;
 * a forgotten subject's key is deleted, so its fields read `XXXX` (R-DEL-2..4) while
 * types, times, actors, reasons and ids stay readable.
 *
 * At rest an event's data keeps its shape, each personal string replaced by a
 * placeholder `enc:v1:<n>` (so codecs still see strings), and the strings
 * themselves travel in one sealed blob beside it (see crypto.ts). The blob is
 * stored as `w<blob>` when the placeholders are the only strings of that form in
 * the data (then reading fills them in with a plain walk, several times faster
 * than walking the codec), or `c<blob>` when some other field happens to look
 * like one (then reading walks the codec, which knows which fields are personal).
 */
import { carriesPersonal, ERASED, mapEventPersonal, subjectOfStream, type NewEvent, type RawEvent } from '@contactable/core';
import { keyIdOf, openStrings, sealStrings, type SubjectKey } from './crypto.js';
import type { KeyStore } from './keys.js';

/** An event's data as stored: placeholders in `data`, the sealed strings in `personal` (null when it had none). */
export interface SealedData {
  readonly data: unknown;
  readonly personal: string | null;
}

/**
 * A stored row before opening: a raw event plus its sealed blob. `open` takes ownership of the
 * row's `data` (freshly parsed by the driver) and fills placeholders in place.
 */
export type SealedRow = RawEvent & { readonly personal: string | null };

/** What `open` puts in place of data whose blob fails its integrity check: it does not decode, so `decodeEvent` names it. */
export const UNDECRYPTABLE = { undecryptable: 'the personal data of this event failed its integrity check' } as const;

/** Seals and opens events' personal data; one per store. */
export interface Shredder {
  /** Seals a batch for one stream; `keyId` is the key used (null when the batch holds no personal data). */
  readonly seal: (streamId: string, events: ReadonlyArray<NewEvent>) => Promise<{ sealed: ReadonlyArray<SealedData>; keyId: string | null }>;
  /** Opens stored rows: personal fields back in place, `XXXX` where the key is gone. */
  readonly open: (rows: ReadonlyArray<SealedRow>) => Promise<ReadonlyArray<RawEvent>>;
  /** Deletes the subject's key and drops it from the caches. */
  readonly forget: (subject: string) => Promise<void>;
  /** Drops a cached key the store found missing (another process forgot the subject). */
  readonly invalidate: (subject: string) => void;
}

/** Options for the key caches. */
export interface ShredderOptions {
  /**
   * How long an opened key stays cached, in ms. Another process's `forget` is seen after at most this long
   * (a single-process store, PGlite, can cache for ever: its own forget drops the entry at once).
   */
  readonly keyCacheMs?: number;
}

const PLACEHOLDER = 'enc:v1:';
const WALK = 'w';
const CODEC = 'c';

const placeholderIndex = (s: string): number => {
  if (!s.startsWith(PLACEHOLDER)) return -1;
  const rest = s.slice(PLACEHOLDER.length);
  return /^\d{1,6}$/.test(rest) ? Number(rest) : -1;
};

/** How many strings anywhere in a JSON value look like placeholders. */
const countPlaceholders = (value: unknown): number => {
  if (typeof value === 'string') return placeholderIndex(value) >= 0 ? 1 : 0;
  if (value === null || typeof value !== 'object') return 0;
  let n = 0;
  for (const v of Array.isArray(value) ? value : Object.values(value)) n += countPlaceholders(v);
  return n;
};

/** Replaces placeholder strings in place (the data is ours: freshly parsed); returns the new value for a top-level string. */
const fill = (value: unknown, strings: ReadonlyArray<string> | null): unknown => {
  if (typeof value === 'string') {
    const i = placeholderIndex(value);
    return i < 0 ? value : strings === null ? ERASED : (strings[i] ?? ERASED);
  }
  if (value === null || typeof value !== 'object') return value;
  if (Array.isArray(value)) {
    for (let i = 0; i < value.length; i++) value[i] = fill(value[i], strings);
    return value;
  }
  const record = value as Record<string, unknown>;
  for (const key in record) {
    const v = record[key];
    if (v !== null && (typeof v === 'object' || typeof v === 'string')) record[key] = fill(v, strings);
  }
  return record;
};

/** The subject whose key seals a stream's personal data: the member or contact, else the stream itself. */
export const sealingSubject = (streamId: string): string => subjectOfStream(streamId) ?? streamId;

/** Makes a shredder over a key store. */
export const makeShredder = (keys: KeyStore, options: ShredderOptions = {}): Shredder => {
  const ttl = options.keyCacheMs ?? 60_000;
  const sealing = new Map<string, SubjectKey>();
  const opening = new Map<string, { readonly key: Buffer; readonly at: number }>();
  const gone = new Set<string>();
  const subjectOfKey = new Map<string, string>();

  const keyFor = async (subject: string): Promise<SubjectKey> => {
    const cached = sealing.get(subject);
    if (cached !== undefined) return cached;
    const key = await keys.current(subject);
    sealing.set(subject, key);
    opening.set(key.id, { key: key.key, at: Date.now() });
    subjectOfKey.set(key.id, subject);
    return key;
  };

  const personalTypes = new Map<string, boolean>();
  const hasPersonal = (type: string): boolean => {
    let known = personalTypes.get(type);
    if (known === undefined) personalTypes.set(type, (known = carriesPersonal(type)));
    return known;
  };

  const seal: Shredder['seal'] = async (streamId, events) => {
    const subject = sealingSubject(streamId);
    let key: SubjectKey | null = null;
    const sealed: SealedData[] = [];
    for (const e of events) {
      if (!hasPersonal(e.type)) {
        sealed.push({ data: e.data, personal: null });
        continue;
      }
      const strings: string[] = [];
      const data = mapEventPersonal(e.type, e.data, (s) => {
        strings.push(s);
        return `enc:v1:${strings.length - 1}`;
      });
      if (strings.length === 0) {
        sealed.push({ data: e.data, personal: null });
        continue;
      }
      key ??= await keyFor(subject);
      const mode = countPlaceholders(data) === strings.length ? WALK : CODEC;
      sealed.push({ data, personal: mode + sealStrings(key, subject, e.id, strings) });
    }
    return { sealed, keyId: key?.id ?? null };
  };

  const loadKeys = async (rows: ReadonlyArray<SealedRow>): Promise<void> => {
    const now = Date.now();
    const wanted = new Set<string>();
    for (const r of rows) {
      if (r.personal === null) continue;
      const id = keyIdOf(r.personal.slice(1));
      if (id === null || gone.has(id)) continue;
      const hit = opening.get(id);
      if (hit === undefined || now - hit.at > ttl) wanted.add(id);
    }
    if (wanted.size === 0) return;
    const found = await keys.find([...wanted]);
    for (const id of wanted) {
      const hit = found.get(id);
      if (hit === undefined) {
        // A key id is never reused, so a missing key stays missing.
        opening.delete(id);
        gone.add(id);
      } else {
        opening.set(id, { key: hit.key, at: now });
        subjectOfKey.set(id, hit.subject);
      }
    }
  };

  const openData = (r: SealedRow): unknown => {
    const personal = r.personal;
    if (personal === null) return r.data;
    const blob = personal.slice(1);
    const id = keyIdOf(blob);
    const key = id === null ? undefined : opening.get(id)?.key;
    let strings: ReadonlyArray<string> | null = null;
    if (key !== undefined) {
      strings = openStrings(key, sealingSubject(r.streamId), r.id, blob);
      if (strings === null) return UNDECRYPTABLE;
    }
    if (personal.startsWith(WALK)) return fill(r.data, strings);
    // Without the key every personal field reads XXXX, whatever it holds.
    return mapEventPersonal(r.type, r.data, (s) => {
      if (strings === null) return ERASED;
      const i = placeholderIndex(s);
      return i < 0 ? s : (strings[i] ?? ERASED);
    });
  };

  // One object shape for every event handed out.
  const openRow = (r: SealedRow): RawEvent => ({
    id: r.id,
    streamId: r.streamId,
    version: r.version,
    position: r.position,
    type: r.type,
    schemaVersion: r.schemaVersion,
    data: openData(r),
    metadata: r.metadata,
  });

  const dropSubject = (subject: string): void => {
    sealing.delete(subject);
    for (const [id, owner] of subjectOfKey) {
      if (owner !== subject) continue;
      opening.delete(id);
      subjectOfKey.delete(id);
    }
  };

  return {
    seal,
    open: async (rows) => {
      await loadKeys(rows);
      return rows.map(openRow);
    },
    forget: async (subject) => {
      const known = [...subjectOfKey].filter(([, s]) => s === subject).map(([id]) => id);
      await keys.remove(subject);
      dropSubject(subject);
      for (const id of known) gone.add(id);
    },
    invalidate: dropSubject,
  };
};
