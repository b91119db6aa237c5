/** The EventStore port: what every store (memory, PGlite, PostgreSQL, EventStoreDB) provides. */
import type { Either } from 'fp-ts/lib/Either.js';
import type { RawEventLike } from '../events/catalogue.js';
import type { EventMetadata } from '../events/metadata.js';
import type { ReadModelSource } from './readModels.js';

/** What the writer believes about a stream: anything, that it does not exist, or its last revision. */
export type ExpectedVersion =
  | { readonly kind: 'any' }
  | { readonly kind: 'no-stream' }
  | { readonly kind: 'exact'; readonly version: number };

/** Expect anything. */
export const anyVersion: ExpectedVersion = { kind: 'any' };
/** Expect the stream not to exist yet. */
export const noStream: ExpectedVersion = { kind: 'no-stream' };
/** Expect the stream's last revision to be `version` (-1 means no stream). */
export const exactVersion = (version: number): ExpectedVersion =>
  version < 0 ? noStream : { kind: 'exact', version };

/** An event to append. Its id is deterministic for a command, so a re-sent batch is recognised. */
export interface NewEvent {
  readonly id: string;
  readonly type: string;
  readonly schemaVersion: number;
  readonly data: unknown;
  readonly metadata: EventMetadata;
}

/** An event as a store hands it back: not yet decoded (it may be of an older schema version). */
export type RawEvent = RawEventLike;

/** What an append wrote: the stream's new last revision and the global position of each event. */
export interface AppendResult {
  readonly nextVersion: number;
  /** One global position per appended event, in order (empty for an empty batch). */
  readonly positions: ReadonlyArray<number>;
}

/** One stream's part of a multi-stream append: its events and what the writer believes about it. */
export interface StreamAppend {
  readonly streamId: string;
  readonly events: ReadonlyArray<NewEvent>;
  readonly expected: ExpectedVersion;
}

/** The stream was not at the expected version: someone else wrote first. */
export interface VersionConflict {
  readonly _tag: 'VersionConflict';
  readonly streamId: string;
  readonly expected: ExpectedVersion;
  /** The stream's actual last revision, -1 for no stream. */
  readonly actual: number;
}

/** A running subscription. */
export interface Subscription {
  /** Resolves once every event committed before the subscription started has been handled. */
  readonly caughtUp: Promise<void>;
  /** Stops following; resolves when no handler call is in flight. */
  readonly stop: () => Promise<void>;
  /** Resolves (or rejects with the handler's error) when the subscription ends. */
  readonly done: Promise<void>;
}

/** Options for following the log. */
export interface SubscribeOptions {
  /** Deliver events after this global position (0: from the start). */
  readonly after: number;
  /** Called once per event, in position order; the next waits until it resolves. */
  readonly onEvent: (event: RawEvent) => void | Promise<void>;
}

/** The store port. Append is atomic per batch; positions strictly increase; no committed event is skipped. */
export interface EventStore {
  /** Appends a batch to one stream if it is at the expected version. A batch whose first id is already in the stream is a no-op success. */
  readonly append: (
    streamId: string,
    events: ReadonlyArray<NewEvent>,
    expected: ExpectedVersion,
  ) => Promise<Either<VersionConflict, AppendResult>>;
  /**
   * Appends to several streams at once, all or nothing (one transaction): each stream by the rules of
   * `append` (a batch whose first id is already in its stream is a no-op success for that stream), and
   * a conflict on any stream writes nothing and names that stream (the first in the given order).
   * Results come in the order of the batches; positions increase in that order. A stream may appear
   * only once per call. Absent where the store has no multi-stream transaction (EventStoreDB): callers
   * then append stream by stream.
   */
  readonly appendMany?: (batches: ReadonlyArray<StreamAppend>) => Promise<Either<VersionConflict, ReadonlyArray<AppendResult>>>;
  /** The events of one stream in revision order (empty for no stream). */
  readonly readStream: (streamId: string, options?: { readonly fromVersion?: number }) => Promise<ReadonlyArray<RawEvent>>;
  /** Up to `limit` events after a global position, in position order. */
  readonly readAll: (options?: { readonly after?: number; readonly limit?: number }) => Promise<ReadonlyArray<RawEvent>>;
  /** Catches up from a position, then follows new events. */
  readonly subscribe: (options: SubscribeOptions) => Subscription;
  /** Erases one subject's personal data (crypto-shredding in durable stores): reads then show `XXXX`. */
  readonly forget: (subject: string) => Promise<void>;
  /** Reclaims the space erased data used, so no plain copy is left in files (a no-op where nothing is left). */
  readonly compact: () => Promise<void>;
  /** Named checkpoints for projections and subscribers, kept in the same store. */
  readonly checkpoints: CheckpointStore;
  /** The read models the store keeps beside the log, updated in each append's transaction; absent where it keeps none. */
  readonly readModels?: ReadModelSource;
  /** Releases connections and files. */
  readonly close: () => Promise<void>;
}

/** Named positions a reader has handled up to. */
export interface CheckpointStore {
  readonly load: (name: string) => Promise<number | null>;
  readonly save: (name: string, position: number) => Promise<void>;
}

/** The stream's last revision from its events (-1 when empty). */
export const lastVersion = (events: ReadonlyArray<{ readonly version: number }>): number =>
  events.length === 0 ? -1 : events[events.length - 1]!.version;

/** True when `actual` (a stream's last revision, -1 for none) satisfies `expected`. */
export const versionMatches = (expected: ExpectedVersion, actual: number): boolean => {
  switch (expected.kind) {
    case 'any':
      return true;
    case 'no-stream':
      return actual === -1;
    case 'exact':
      return actual === expected.version;
  }
};

/**
 * Reads the whole log after a position, page by page. Hand-written rather than an async generator:
 * an event already in hand is handed out in one resolved promise, not the generator's several
 * (reading a big log is mostly this loop).
 */
export const readAllEvents = (store: EventStore, after = 0, pageSize = 1000): AsyncGenerator<RawEvent> => {
  let from = after;
  let page: ReadonlyArray<RawEvent> = [];
  let at = 0;
  let last = false;
  let finished = false;
  const done = (): IteratorResult<RawEvent> => {
    finished = true;
    return { value: undefined, done: true };
  };
  const nextPage = async (): Promise<IteratorResult<RawEvent>> => {
    page = await store.readAll({ after: from, limit: pageSize });
    at = 0;
    last = page.length < pageSize;
    if (page.length > 0) from = page[page.length - 1]!.position;
    return page.length === 0 ? done() : { value: page[at++]!, done: false };
  };
  // A page being read: a caller that asks again before it lands (not for-await's way) waits for it.
  let reading: Promise<unknown> | null = null;
  const iterator: AsyncGenerator<RawEvent> = {
    next: () => {
      if (reading !== null) return reading.then(() => iterator.next(), () => iterator.next());
      if (finished) return Promise.resolve({ value: undefined, done: true });
      if (at < page.length) return Promise.resolve({ value: page[at++]!, done: false });
      if (last) return Promise.resolve(done());
      const read = nextPage().then(
        (r) => {
          reading = null;
          return r;
        },
        (e: unknown) => {
          reading = null;
          finished = true;
          throw e;
        },
      );
      reading = read;
      return read;
    },
    return: async () => done(),
    throw: async (e: unknown) => {
      finished = true;
      throw e;
    },
    [Symbol.asyncIterator]: () => iterator,
  };
  return iterator;
};
