/**
 * Crypto-shredding for every durable store: personal fields (those whose codec is
 * `Personal`, the free-text `reason` of the metadata included) are sealed per subject
 * before they reach a store and opened on read; a forgotten subject's key is deleted, so
 * its fields read `XXXX` (R-DEL-2..4) while types, times, actors, reason codes and ids
 * stay readable. The subject is the person an event concerns (`sealingSubjectOf` in the
 * core): the member or contact of their own stream, the recipient of a send failure, the
 * message itself for its content.
 *
 * At rest an event's data keeps its shape, each personal string replaced by a
 * placeholder `enc:v1:<n>` (so codecs still see strings), and the strings
 * themselves travel in one sealed blob beside it (see crypto.ts). The blob is
 * stored as `w<blob>` when the placeholders are the only strings of that form in
 * the data (then reading fills them in with a plain walk, several times faster
 * than walking the codec), or `c<blob>` when some other field happens to look
 * like one (then reading walks the codec, which knows which fields are personal).
 */
import { carriesPersonal, ERASED, EventMetadata, mapEventPersonal, mapPersonal, sealingSubjectOf, subjectOfStream, type NewEvent, type RawEvent } from '@contactable/core';
import { aadText, blobParts, decryptBody, keyIdOf, openingKey, sealStrings, stringsOf, type SubjectKey } from './crypto.js';
import { workerOpener, type BlobOpener, type OpenItem } from './openWorker.js';
import * as nodeCrypto from 'node:crypto';
import type { KeyStore } from './keys.js';

/** An event as stored: placeholders in `data` and `metadata` (its reason), the sealed strings in `personal` (null when it had none). */
export interface SealedData {
  readonly data: unknown;
  readonly metadata: NewEvent['metadata'];
  readonly personal: string | null;
}

/** What sealing a batch gives: each event as stored, the keys used (every one must still exist when the batch is written) and their subjects. */
export interface SealedBatch {
  readonly sealed: ReadonlyArray<SealedData>;
  readonly keyIds: ReadonlyArray<string>;
  readonly subjects: ReadonlyArray<string>;
}


/**
 * A stored row before opening: a raw event plus its sealed blob. `open` takes ownership of the
 * row's `data` (freshly parsed by the driver) and fills placeholders in place.
 */
export type SealedRow = RawEvent & { readonly personal: string | null };

/** A list of strings to seal under a subject's key, bound to an id. */
export interface SealItem {
  readonly subject: string;
  readonly id: string;
  readonly strings: ReadonlyArray<string> | null;
}

/** What `open` puts in place of data whose blob fails its integrity check: it does not decode, so `decodeEvent` names it. */
export const UNDECRYPTABLE = { undecryptable: 'the personal data of this event failed its integrity check' } as const;

/**
 * Seals and opens personal data; one per store. Events go through `seal`/`open`; anything else
 * that keeps personal values beside the log (a read model's row) uses `sealLists`/`openLists`: the
 * same per-subject keys, so `forget` erases those values too.
 */
export interface Shredder {
  /** Seals a batch for one stream (events may concern different subjects: each is sealed under its own). */
  readonly seal: (streamId: string, events: ReadonlyArray<NewEvent>) => Promise<SealedBatch>;
  /** Seals batches for several streams, fetching or making every missing key in one go; one result per batch, in order. */
  readonly sealMany: (batches: ReadonlyArray<{ readonly streamId: string; readonly events: ReadonlyArray<NewEvent> }>) => Promise<ReadonlyArray<SealedBatch>>;
  /** Opens stored rows: personal fields (and reasons) back in place, `XXXX` where the key is gone. */
  readonly open: (rows: ReadonlyArray<SealedRow>) => Promise<ReadonlyArray<RawEvent>>;
  /**
   * Seals lists of strings (a read-model row's personal values), each under its subject's key and bound to
   * an id, one blob per list (null in, null out). Keys missing are made, in one go where the key store can.
   */
  readonly sealLists: (items: ReadonlyArray<SealItem>) => Promise<ReadonlyArray<string | null>>;
  /** Opens blobs made by `sealLists`: the strings, or null where the subject's key is gone or the blob was tampered with. */
  readonly openLists: (items: ReadonlyArray<{ readonly subject: string; readonly id: string; readonly blob: string | null }>) => Promise<ReadonlyArray<ReadonlyArray<string> | null>>;
  /** Deletes the subject's key and drops it from the caches. */
  readonly forget: (subject: string) => Promise<void>;
  /** Drops a cached key the store found missing (another process forgot the subject). */
  readonly invalidate: (subject: string) => void;
  /** Drops every cached key (another process had the store and may have forgotten anyone). */
  readonly invalidateAll: () => void;
  /** Stops the decrypting worker, if one was started. */
  readonly close: () => Promise<void>;
}

/** Options for the key caches. */
export interface ShredderOptions {
  /**
   * How long an opened key stays cached, in ms. Another process's `forget` is seen after at most this long
   * (a single-process store, PGlite, can cache for ever: its own forget drops the entry at once).
   */
  readonly keyCacheMs?: number;
  /**
   * Decrypt big reads on a worker thread (default false): a page with at least `WORKER_MIN` sealed
   * events is opened there, beside the main thread's work (parsing the next page, read ahead). The
   * worker is started at the first such read (which is opened here meanwhile); a function makes it.
   */
  readonly worker?: boolean | (() => BlobOpener);
}

// Fewer sealed events than this in one read are opened on the main thread (a message costs more).
const WORKER_MIN = 128;

const PLACEHOLDER = 'enc:v1:';
// The blob's mode: walk the data for placeholders, or walk the codec; upper case when the metadata's reason is sealed too.
const WALK = 'w';
const CODEC = 'c';
const WALK_WITH_REASON = 'W';
const CODEC_WITH_REASON = 'C';

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

/** The subject whose key seals a stream's own personal data: the member or contact, else the stream itself (see `sealingSubjectOf` for an event). */
export const sealingSubject = (streamId: string): string => subjectOfStream(streamId) ?? streamId;

// The reason of metadata is the only personal field there: one placeholder, always the blob's first string.
const sealMetadata = (metadata: NewEvent['metadata'], strings: string[]): NewEvent['metadata'] =>
  mapPersonal(EventMetadata, metadata, (s) => {
    strings.push(s);
    return `${PLACEHOLDER}${strings.length - 1}`;
  }) as NewEvent['metadata'];

/** Makes a shredder over a key store. */
export const makeShredder = (keys: KeyStore, options: ShredderOptions = {}): Shredder => {
  const ttl = options.keyCacheMs ?? 60_000;
  const sealing = new Map<string, SubjectKey>();
  const opening = new Map<string, { readonly key: nodeCrypto.KeyObject; readonly raw: Buffer; readonly at: number }>();
  const keyIdsOf = new Map<string, Set<string>>();
  const gone = new Set<string>();

  const ownKey = (id: string, subject: string): void => {
    let ids = keyIdsOf.get(subject);
    if (ids === undefined) keyIdsOf.set(subject, (ids = new Set()));
    ids.add(id);
  };

  const remember = (subject: string, key: SubjectKey): void => {
    sealing.set(subject, key);
    opening.set(key.id, { key: openingKey(key.key), raw: key.key, at: Date.now() });
    ownKey(key.id, subject);
  };

  const keyFor = async (subject: string): Promise<SubjectKey> => {
    const cached = sealing.get(subject);
    if (cached !== undefined) return cached;
    const key = await keys.current(subject);
    remember(subject, key);
    return key;
  };

  const personalTypes = new Map<string, boolean>();
  const hasPersonal = (type: string): boolean => {
    let known = personalTypes.get(type);
    if (known === undefined) personalTypes.set(type, (known = carriesPersonal(type)));
    return known;
  };

  // An event's personal strings pulled out, placeholders in their place (null: nothing personal in it).
  // The reason comes first, so the events of one command keep one metadata text (`enc:v1:0`).
  const extract = (
    e: NewEvent,
  ): { readonly data: unknown; readonly metadata: NewEvent['metadata']; readonly strings: ReadonlyArray<string>; readonly mode: string } | null => {
    const strings: string[] = [];
    const reason = e.metadata.reason;
    const metadata = typeof reason === 'string' && reason !== '' ? sealMetadata(e.metadata, strings) : e.metadata;
    const inMetadata = strings.length;
    const data = hasPersonal(e.type)
      ? mapEventPersonal(e.type, e.data, (s) => {
          strings.push(s);
          return `${PLACEHOLDER}${strings.length - 1}`;
        })
      : e.data;
    if (strings.length === 0) return null;
    const walk = countPlaceholders(data) === strings.length - inMetadata;
    const mode = inMetadata > 0 ? (walk ? WALK_WITH_REASON : CODEC_WITH_REASON) : walk ? WALK : CODEC;
    return { data, metadata, strings, mode };
  };

  const sealMany: Shredder['sealMany'] = async (batches) => {
    const pulled = batches.map((b) => b.events.map((e) => ({ subject: sealingSubjectOf(b.streamId, e.type, e.data), x: extract(e) })));
    const subjects = new Set<string>();
    for (const items of pulled) for (const { subject, x } of items) if (x !== null) subjects.add(subject);
    const keyOf = await keysOf(subjects);
    return batches.map((b, k): SealedBatch => {
      const items = pulled[k]!;
      const used = new Map<string, string>();
      const sealed = b.events.map((e, i): SealedData => {
        const { subject, x } = items[i]!;
        const key = keyOf.get(subject);
        if (x === null || key === undefined) return { data: e.data, metadata: e.metadata, personal: null };
        used.set(key.id, subject);
        return { data: x.data, metadata: x.metadata, personal: x.mode + sealStrings(key, subject, e.id, x.strings) };
      });
      return { sealed, keyIds: [...used.keys()], subjects: [...new Set(used.values())] };
    });
  };

  const seal: Shredder['seal'] = async (streamId, events) => (await sealMany([{ streamId, events }]))[0]!;

  // The keys of these subjects, from the cache or the key store (missing ones made in one go where it can).
  const keysOf = async (subjects: Iterable<string>): Promise<Map<string, SubjectKey>> => {
    const out = new Map<string, SubjectKey>();
    const missing: string[] = [];
    for (const subject of new Set(subjects)) {
      const cached = sealing.get(subject);
      if (cached !== undefined) out.set(subject, cached);
      else missing.push(subject);
    }
    if (missing.length > 1 && keys.currentMany !== undefined) {
      const made = await keys.currentMany(missing);
      for (const subject of missing) {
        const key = made.get(subject);
        if (key === undefined) throw new Error('the key store returned no key for a subject');
        remember(subject, key);
        out.set(subject, key);
      }
    } else for (const subject of missing) out.set(subject, await keyFor(subject));
    return out;
  };

  const sealLists: Shredder['sealLists'] = async (items) => {
    const keyOf = await keysOf(items.filter((x) => x.strings !== null).map((x) => x.subject));
    return items.map((x) => (x.strings === null ? null : sealStrings(keyOf.get(x.subject)!, x.subject, x.id, x.strings)));
  };

  // Loads the keys of some key ids into the opening cache (a fresh one past its time-to-live).
  const loadKeyIds = async (ids: Iterable<string | null>): Promise<void> => {
    const now = Date.now();
    const wanted = new Set<string>();
    for (const id of ids) {
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
        opening.set(id, { key: openingKey(hit.key), raw: hit.key, at: now });
        ownKey(id, hit.subject);
      }
    }
  };

  const openLists: Shredder['openLists'] = async (items) => {
    await loadKeyIds(items.map((x) => (x.blob === null ? null : keyIdOf(x.blob))));
    return items.map((x) => {
      const parts = x.blob === null ? null : blobParts(x.blob);
      const key = parts === null ? undefined : opening.get(parts.keyId);
      if (parts === null || key === undefined) return null;
      return stringsOf(decryptBody(nodeCrypto, key.key, aadText(x.subject, x.id), parts.body));
    });
  };

  const loadKeys = (rows: ReadonlyArray<SealedRow>): Promise<void> => loadKeyIds(rows.map((r) => (r.personal === null ? null : keyIdOf(r.personal.slice(1)))));

  let opener: BlobOpener | null = null;
  let openerFailed = false;

  /**
   * Each row's decrypted text: undefined where there is nothing to open (no personal data, or no key:
   * forgotten), null where GCM refused the blob. Big reads go to the worker once it is up.
   */
  const decryptRows = async (rows: ReadonlyArray<SealedRow>): Promise<Array<string | null | undefined>> => {
    const texts = new Array<string | null | undefined>(rows.length);
    const at: number[] = [];
    const items: OpenItem[] = [];
    const keyIndex = new Map<string, number>();
    const keyList: Array<{ readonly key: nodeCrypto.KeyObject; readonly raw: Buffer }> = [];
    for (let i = 0; i < rows.length; i++) {
      const r = rows[i]!;
      if (r.personal === null) continue;
      const parts = blobParts(r.personal.slice(1));
      const key = parts === null ? undefined : opening.get(parts.keyId);
      if (parts === null || key === undefined) continue;
      let k = keyIndex.get(parts.keyId);
      if (k === undefined) {
        keyIndex.set(parts.keyId, (k = keyList.length));
        keyList.push(key);
      }
      at.push(i);
      items.push([k, aadText(sealingSubjectOf(r.streamId, r.type, r.data), r.id), parts.body]);
    }
    const makeOpener = options.worker === true ? workerOpener : options.worker === false ? undefined : options.worker;
    if (makeOpener !== undefined && items.length >= WORKER_MIN && !openerFailed) {
      // Started at the first big read; until it is up, reads are opened here.
      opener ??= makeOpener();
      if (opener.ready()) {
        try {
          // Each key copied into memory of its own: a pooled Buffer slice would take its neighbours along.
          const out = await opener.open(keyList.map((k) => new Uint8Array(k.raw)), items);
          at.forEach((i, n) => (texts[i] = out[n] ?? null));
          return texts;
        } catch {
          // The worker died: this read and the next ones are opened here.
          openerFailed = true;
        }
      }
    }
    at.forEach((i, n) => {
      const [k, aad, body] = items[n]!;
      texts[i] = decryptBody(nodeCrypto, keyList[k]!.key, aad, body);
    });
    return texts;
  };

  const openData = (r: SealedRow, strings: ReadonlyArray<string> | null): unknown => {
    const mode = r.personal!.charAt(0);
    if (mode === WALK || mode === WALK_WITH_REASON) return fill(r.data, strings);
    // Without the key every personal field reads XXXX, whatever it holds.
    return mapEventPersonal(r.type, r.data, (s) => {
      if (strings === null) return ERASED;
      const i = placeholderIndex(s);
      return i < 0 ? s : (strings[i] ?? ERASED);
    });
  };

  // One object shape for every event handed out.
  const openRow = (r: SealedRow, data: unknown, metadata: SealedRow['metadata']): RawEvent => ({
    id: r.id,
    streamId: r.streamId,
    version: r.version,
    position: r.position,
    type: r.type,
    schemaVersion: r.schemaVersion,
    data,
    metadata,
  });

  /**
   * Opens a page of rows. The events of one command share one parsed metadata object (see
   * sqlStore.ts): a sealed reason is filled into a copy, one copy per distinct (metadata, reason).
   */
  const openRows = (rows: ReadonlyArray<SealedRow>, texts: ReadonlyArray<string | null | undefined>): RawEvent[] => {
    const copies = new Map<unknown, Map<string, SealedRow['metadata']>>();
    const withReason = (metadata: SealedRow['metadata'], reason: string): SealedRow['metadata'] => {
      let byReason = copies.get(metadata);
      if (byReason === undefined) copies.set(metadata, (byReason = new Map()));
      let copy = byReason.get(reason);
      if (copy === undefined) {
        copy = { ...(metadata as object), reason } as SealedRow['metadata'];
        byReason.set(reason, copy);
      }
      return copy;
    };
    return rows.map((r, i) => {
      if (r.personal === null) return openRow(r, r.data, r.metadata);
      const text = texts[i];
      let strings: ReadonlyArray<string> | null = null;
      if (text !== undefined) {
        strings = stringsOf(text);
        if (strings === null) return openRow(r, UNDECRYPTABLE, r.metadata);
      }
      const mode = r.personal.charAt(0);
      const sealedReason = mode === WALK_WITH_REASON || mode === CODEC_WITH_REASON;
      const metadata = sealedReason ? withReason(r.metadata, strings === null ? ERASED : (strings[0] ?? ERASED)) : r.metadata;
      return openRow(r, openData(r, strings), metadata);
    });
  };

  const dropSubject = (subject: string): void => {
    sealing.delete(subject);
    for (const id of keyIdsOf.get(subject) ?? []) {
      opening.delete(id);
    }
    keyIdsOf.delete(subject);
  };

  return {
    seal,
    sealMany,
    sealLists,
    openLists,
    open: async (rows) => {
      await loadKeys(rows);
      return openRows(rows, await decryptRows(rows));
    },
    forget: async (subject) => {
      const known = [...(keyIdsOf.get(subject) ?? [])];
      await keys.remove(subject);
      dropSubject(subject);
      for (const id of known) gone.add(id);
    },
    invalidate: dropSubject,
    invalidateAll: () => {
      sealing.clear();
      opening.clear();
      keyIdsOf.clear();
    },

    close: async () => {
      openerFailed = true;
      await opener?.close();
    },
  };
};
