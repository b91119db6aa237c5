/** The in-memory EventStore: the reference implementation of the port, for tests and embedding. */
import * as E from 'fp-ts/lib/Either.js';
import { mapEventPersonal } from '../events/catalogue.js';
import { EventMetadata } from '../events/metadata.js';
import { sealingSubjectOf } from '../ids.js';
import { ERASED, mapPersonal } from '../personal.js';
import {
  lastVersion,
  versionMatches,
  type AppendResult,
  type CheckpointStore,
  type EventStore,
  type ExpectedVersion,
  type NewEvent,
  type RawEvent,
  type StreamAppend,
  type SubscribeOptions,
  type Subscription,
  type VersionConflict,
} from './port.js';

/** Creates an empty in-memory store. */
export const memoryStore = (): EventStore => {
  const log: RawEvent[] = [];
  const streams = new Map<string, RawEvent[]>();
  const checkpointMap = new Map<string, number>();
  const listeners = new Set<() => void>();

  const notify = (): void => {
    for (const l of listeners) l();
  };

  /** What an append to one stream would do now: report a re-sent batch, conflict, or write after `actual`. */
  const check = (
    streamId: string,
    events: ReadonlyArray<NewEvent>,
    expected: ExpectedVersion,
  ): { readonly kind: 'done'; readonly result: AppendResult } | { readonly kind: 'conflict'; readonly conflict: VersionConflict } | { readonly kind: 'write'; readonly actual: number } => {
    const stream = streams.get(streamId) ?? [];
    const actual = lastVersion(stream);
    const first = events[0];
    if (first !== undefined) {
      const already = stream.find((e) => e.id === first.id);
      if (already !== undefined) {
        // A re-sent batch (same deterministic ids): report what was written the first time.
        const written = stream.slice(already.version, already.version + events.length);
        return { kind: 'done', result: { nextVersion: written[written.length - 1]!.version, positions: written.map((e) => e.position) } };
      }
    }
    if (!versionMatches(expected, actual)) return { kind: 'conflict', conflict: { _tag: 'VersionConflict', streamId, expected, actual } };
    return { kind: 'write', actual };
  };

  const write = (streamId: string, events: ReadonlyArray<NewEvent>, actual: number): AppendResult => {
    const stream = streams.get(streamId) ?? [];
    let version = actual;
    const positions: number[] = [];
    for (const e of events) {
      version += 1;
      const raw: RawEvent = { ...e, data: JSON.parse(JSON.stringify(e.data)) as unknown, streamId, version, position: log.length + 1 };
      log.push(raw);
      stream.push(raw);
      positions.push(raw.position);
    }
    if (events.length > 0) streams.set(streamId, stream);
    return { nextVersion: version, positions };
  };

  const append = async (
    streamId: string,
    events: ReadonlyArray<NewEvent>,
    expected: ExpectedVersion,
  ): Promise<E.Either<VersionConflict, AppendResult>> => {
    const checked = check(streamId, events, expected);
    if (checked.kind === 'done') return E.right(checked.result);
    if (checked.kind === 'conflict') return E.left(checked.conflict);
    const result = write(streamId, events, checked.actual);
    if (events.length > 0) notify();
    return E.right(result);
  };

  // Every check runs before any write, with no await between: all or nothing.
  const appendMany = async (batches: ReadonlyArray<StreamAppend>): Promise<E.Either<VersionConflict, ReadonlyArray<AppendResult>>> => {
    const seen = new Set<string>();
    for (const b of batches) {
      if (seen.has(b.streamId)) throw new Error(`appendMany: stream ${b.streamId} appears more than once in one call`);
      seen.add(b.streamId);
    }
    const ready: Array<Exclude<ReturnType<typeof check>, { kind: 'conflict' }>> = [];
    for (const b of batches) {
      const c = check(b.streamId, b.events, b.expected);
      if (c.kind === 'conflict') return E.left(c.conflict);
      ready.push(c);
    }
    const results = batches.map((b, i) => {
      const c = ready[i]!;
      return c.kind === 'done' ? c.result : write(b.streamId, b.events, c.actual);
    });
    if (ready.some((c, i) => c.kind === 'write' && batches[i]!.events.length > 0)) notify();
    return E.right(results);
  };

  const readStream = async (streamId: string, options?: { fromVersion?: number }): Promise<ReadonlyArray<RawEvent>> =>
    (streams.get(streamId) ?? []).filter((e) => e.version >= (options?.fromVersion ?? 0));

  // Positions are 1..n with no gaps, so position p sits at index p - 1.
  const readAll = async (options?: { after?: number; limit?: number }): Promise<ReadonlyArray<RawEvent>> => {
    const after = options?.after ?? 0;
    return log.slice(after, after + (options?.limit ?? Number.MAX_SAFE_INTEGER));
  };

  const subscribe = (options: SubscribeOptions): Subscription => {
    let position = options.after;
    let stopped = false;
    let wake: (() => void) | null = null;
    let markCaughtUp!: () => void;
    const caughtUp = new Promise<void>((r) => (markCaughtUp = r));
    const listener = (): void => {
      wake?.();
    };
    listeners.add(listener);
    const run = async (): Promise<void> => {
      try {
        const target = log.length;
        for (;;) {
          while (!stopped && position < log.length) {
            const event = log[position]!;
            await options.onEvent(event);
            position = event.position;
            if (position >= target) markCaughtUp();
          }
          if (position >= target) markCaughtUp();
          if (stopped) return;
          await new Promise<void>((r) => (wake = r));
          wake = null;
        }
      } finally {
        listeners.delete(listener);
        markCaughtUp();
      }
    };
    const done = run();
    return {
      caughtUp,
      done,
      stop: async () => {
        stopped = true;
        wake?.();
        await done.catch(() => undefined);
      },
    };
  };

  // What a durable store seals under the subject's key (data and free-text reason) reads XXXX from now on.
  const forget = async (subject: string): Promise<void> => {
    for (const [streamId, stream] of streams) {
      for (const e of stream) {
        if (sealingSubjectOf(streamId, e.type, e.data) !== subject) continue;
        const masked: RawEvent = {
          ...e,
          data: mapEventPersonal(e.type, e.data, () => ERASED),
          metadata: mapPersonal(EventMetadata, e.metadata, () => ERASED),
        };
        stream[e.version] = masked;
        log[e.position - 1] = masked;
      }
    }
  };

  const checkpoints: CheckpointStore = {
    load: async (name) => checkpointMap.get(name) ?? null,
    save: async (name, position) => {
      checkpointMap.set(name, position);
    },
  };

  return {
    append,
    appendMany,
    readStream,
    readAll,
    subscribe,
    forget,
    compact: async () => undefined,
    checkpoints,
    close: async () => {
      listeners.clear();
    },
  };
};
