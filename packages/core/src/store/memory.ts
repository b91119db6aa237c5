/** The in-memory EventStore: the reference implementation of the port, for tests and embedding. */
import * as E from 'fp-ts/lib/Either.js';
import { decodeEvent, mapEventPersonal, type StoredEvent } from '../events/catalogue.js';
import { EventMetadata } from '../events/metadata.js';
import type { InlineReadModels, ReadModelSource } from './readModels.js';
import { memoryRows } from './memoryRows.js';
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

/** Options of the in-memory store. */
export interface MemoryStoreOptions {
  /** Read models to keep beside the log, applied with each append (none by default). */
  readonly readModels?: InlineReadModels | null;
}

/** Creates an empty in-memory store. */
export const memoryStore = (options: MemoryStoreOptions = {}): EventStore => {
  const log: RawEvent[] = [];
  const streams = new Map<string, RawEvent[]>();
  const checkpointMap = new Map<string, number>();
  const listeners = new Set<() => void>();

  const models = options.readModels ?? null;
  const rows = memoryRows();
  // With read models, writes take turns: the rows an append changes are worked out before its events
  // land, and both land together (a failure leaves neither), as in a SQL store's transaction.
  let lane: Promise<unknown> = Promise.resolve();
  // Every append takes its turn, read models or not: `project` awaits even when there are none, and a
  // check made before that await must still hold when the events land (R-OPS-2).
  const inTurn = <T>(f: () => Promise<T>): Promise<T> => {
    const run = lane.then(f, f);
    lane = run.catch(() => undefined);
    return run;
  };
  const decoded = (raws: ReadonlyArray<RawEvent>): StoredEvent[] =>
    raws.flatMap((raw) => {
      const d = decodeEvent(raw);
      return E.isRight(d) ? [d.right] : [];
    });
  /** Applies the events about to land to staged rows; the returned commit makes both land. */
  const project = async (raws: ReadonlyArray<RawEvent>): Promise<() => void> => {
    if (models === null || raws.length === 0) return () => undefined;
    const stage = rows.stage();
    await models.apply(decoded(raws), stage);
    return stage.commit;
  };

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

  /** The raw events an append would write, from a first position (nothing is written). */
  const prepare = (streamId: string, events: ReadonlyArray<NewEvent>, actual: number, first: number): RawEvent[] =>
    events.map((e, i) => ({ ...e, data: JSON.parse(JSON.stringify(e.data)) as unknown, streamId, version: actual + 1 + i, position: first + i }));

  const land = (raws: ReadonlyArray<RawEvent>): void => {
    for (const raw of raws) {
      log.push(raw);
      const stream = streams.get(raw.streamId) ?? [];
      stream.push(raw);
      streams.set(raw.streamId, stream);
    }
  };

  const resultOf = (raws: ReadonlyArray<RawEvent>, actual: number): AppendResult => ({ nextVersion: actual + raws.length, positions: raws.map((r) => r.position) });

  const append = async (
    streamId: string,
    events: ReadonlyArray<NewEvent>,
    expected: ExpectedVersion,
  ): Promise<E.Either<VersionConflict, AppendResult>> => {
    return inTurn(async () => {
      const checked = check(streamId, events, expected);
      if (checked.kind === 'done') return E.right(checked.result);
      if (checked.kind === 'conflict') return E.left(checked.conflict);
      const raws = prepare(streamId, events, checked.actual, log.length + 1);
      // Without read models nothing is awaited between the check and the write (two writers cannot both pass).
      const commit = models === null ? null : await project(raws);
      land(raws);
      commit?.();
      if (events.length > 0) notify();
      return E.right(resultOf(raws, checked.actual));
    });
  };

  // Every check runs before any write, with no await between: all or nothing.
  const appendMany = async (batches: ReadonlyArray<StreamAppend>): Promise<E.Either<VersionConflict, ReadonlyArray<AppendResult>>> => {
    const seen = new Set<string>();
    for (const b of batches) {
      if (seen.has(b.streamId)) throw new Error(`appendMany: stream ${b.streamId} appears more than once in one call`);
      seen.add(b.streamId);
    }
    return inTurn(async () => {
      const ready: Array<Exclude<ReturnType<typeof check>, { kind: 'conflict' }>> = [];
      for (const b of batches) {
        const c = check(b.streamId, b.events, b.expected);
        if (c.kind === 'conflict') return E.left(c.conflict);
        ready.push(c);
      }
      let next = log.length + 1;
      const planned = batches.map((b, i) => {
        const c = ready[i]!;
        if (c.kind === 'done') return null;
        const raws = prepare(b.streamId, b.events, c.actual, next);
        next += raws.length;
        return { raws, actual: c.actual };
      });
      const commit = models === null ? null : await project(planned.flatMap((p) => p?.raws ?? []));
      for (const p of planned) if (p !== null) land(p.raws);
      commit?.();
      if (planned.some((p) => p !== null && p.raws.length > 0)) notify();
      return E.right(batches.map((_, i) => {
        const p = planned[i];
        return p === null || p === undefined ? (ready[i] as { result: AppendResult }).result : resultOf(p.raws, p.actual);
      }));
    });
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
    rows.forget(subject);
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

  const readModels: ReadModelSource | undefined =
    models === null
      ? undefined
      : {
          get: rows.get,
          find: rows.find,
          lookup: rows.lookup,
          countBy: rows.countBy,
          position: () => inTurn(async () => log.length),
          upToDate: async () => true,
          rebuild: (onProgress) =>
            inTurn(async () => {
              rows.clear();
              await models.apply(decoded(log), rows);
              onProgress?.(log.length);
              return log.length;
            }),
        };

  return {
    append,
    appendMany,
    readStream,
    readAll,
    subscribe,
    forget,
    ...(readModels === undefined ? {} : { readModels }),
    compact: async () => undefined,
    checkpoints,
    close: async () => {
      listeners.clear();
    },
  };
};
