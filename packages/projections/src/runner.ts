/**
 * The runner: catches a projection up from the store page by page (readAll), then follows
 * new events (subscribe), saving a checkpoint (`store.checkpoints`) as it goes. It starts
 * from the projection's own position, so a projection restored from a snapshot resumes
 * where the snapshot stopped, and a fresh one rebuilds from zero; an event delivered twice
 * (a replayed subscription) is ignored.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { EventStore, RawEvent, StoredEvent, Subscription } from '@contactable/core';
import { applyEvent, recordFailure } from './apply.js';
import { decodeForProjection, type DecodeFailure } from './decode.js';
import { catchUp } from './storeQueries.js';
import { clearProjection, createProjection, type Projection } from './state.js';

/** How a runner is set up. */
export interface RunnerOptions {
  readonly store: EventStore;
  /** The projection to keep up to date (a new one over every school when omitted). */
  readonly projection?: Projection;
  /** The checkpoint's name. */
  readonly name?: string;
  /** Events per page while catching up (default 10,000). */
  readonly pageSize?: number;
  /** Save the checkpoint after this many events (and whenever caught up or stopped). */
  readonly checkpointEvery?: number;
  /** Told of each event that does not decode; the runner records it and moves on. */
  readonly onDecodeFailure?: (failure: DecodeFailure) => void;
  /** Told of each event after it is applied. */
  readonly onApplied?: (event: StoredEvent, projection: Projection) => void;
  /** Told when following stops on an error (a checkpoint that cannot be saved, a store gone away). */
  readonly onError?: (error: unknown) => void;
}

/** What a start found and did. */
export interface RunnerStart {
  /** The position the runner followed from. */
  readonly from: number;
  /** The checkpoint saved by an earlier run, if any. */
  readonly savedCheckpoint: number | null;
  /** The position reached when caught up. */
  readonly caughtUpAt: number;
}

/** A running projection. */
export interface ProjectionRunner {
  readonly projection: Projection;
  readonly name: string;
  /** Catches up and keeps following; resolves once caught up with the log as it stood at the start. */
  readonly start: () => Promise<RunnerStart>;
  /** Stops following and saves the checkpoint. */
  readonly stop: () => Promise<void>;
  /** Empties the projection and replays the whole log. */
  readonly rebuild: () => Promise<RunnerStart>;
  /** Resolves once the projection has taken in the event at `position` (read your writes). */
  readonly waitFor: (position: number) => Promise<void>;
  /** True while following. */
  readonly running: () => boolean;
  /** The error that stopped following, if any. */
  readonly error: () => unknown;
}

/** The default checkpoint name. */
export const DEFAULT_CHECKPOINT = 'projections';

/** Creates a runner for a projection over a store. */
export const createRunner = (options: RunnerOptions): ProjectionRunner => {
  const { store } = options;
  const p = options.projection ?? createProjection();
  const name = options.name ?? DEFAULT_CHECKPOINT;
  const every = Math.max(1, options.checkpointEvery ?? 1000);
  let subscription: Subscription | null = null;
  let failure: unknown = undefined;
  let sinceSave = 0;
  let waiters: Array<{ readonly position: number; readonly resolve: () => void }> = [];

  const wake = (): void => {
    if (waiters.length === 0) return;
    const ready = waiters.filter((w) => w.position <= p.position);
    if (ready.length === 0) return;
    waiters = waiters.filter((w) => w.position > p.position);
    for (const w of ready) w.resolve();
  };

  const save = async (): Promise<void> => {
    sinceSave = 0;
    await store.checkpoints.save(name, p.position);
  };

  const onEvent = async (raw: RawEvent): Promise<void> => {
    // A replayed subscription: this event is already in the views.
    if (raw.position <= p.position) return;
    const decoded = decodeForProjection(raw);
    if (E.isLeft(decoded)) {
      recordFailure(p, decoded.left);
      options.onDecodeFailure?.(decoded.left);
    } else {
      applyEvent(p, decoded.right);
      options.onApplied?.(decoded.right, p);
    }
    if (++sinceSave >= every) await save();
    wake();
  };

  const start = async (): Promise<RunnerStart> => {
    failure = undefined;
    const savedCheckpoint = await store.checkpoints.load(name);
    const from = p.position;
    if (subscription === null) {
      // Pages are much faster than one event at a time; the subscription then takes the tail.
      const caught = await catchUp(store, p, { ...(options.pageSize === undefined ? {} : { pageSize: options.pageSize }), ...(options.onApplied === undefined ? {} : { onApplied: options.onApplied }) });
      for (const f of caught.failures) options.onDecodeFailure?.(f);
      const started = store.subscribe({ after: p.position, onEvent });
      subscription = started;
      // An error ends the subscription; keep it rather than leave a rejection nobody hears.
      started.done.catch((e: unknown) => {
        failure = e;
        if (subscription === started) subscription = null;
        options.onError?.(e);
      });
    }
    const current = subscription;
    await Promise.race([current.caughtUp, current.done]);
    await save();
    wake();
    return { from, savedCheckpoint, caughtUpAt: p.position };
  };

  const stop = async (): Promise<void> => {
    const current = subscription;
    subscription = null;
    if (current !== null) await current.stop();
    await save();
  };

  return {
    projection: p,
    name,
    start,
    stop,
    rebuild: async () => {
      await stop();
      clearProjection(p);
      await save();
      return start();
    },
    waitFor: (position) =>
      position <= p.position ? Promise.resolve() : new Promise<void>((resolve) => waiters.push({ position, resolve })),
    running: () => subscription !== null,
    error: () => failure,
  };
};
