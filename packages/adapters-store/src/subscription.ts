/**
 * Following the log, shared by the SQL stores: catch up page by page from a position,
 * then wait for the change signal (or a poll timeout) and read again. Delivery is
 * driven only by `readAll`, whose positions are gap-safe, so a follower never
 * skips a committed event; the signal only decides when to look.
 */
import type { RawEvent, SubscribeOptions, Subscription } from '@contactable/core';
import type { ChangeSignal } from './changes.js';

/** What a follower needs from its store. */
export interface FollowSource {
  /** Up to `limit` readable events after a position, in position order. */
  readonly readPage: (after: number, limit: number) => Promise<ReadonlyArray<RawEvent>>;
  /** The highest committed position when called (the target for `caughtUp`). */
  readonly head: () => Promise<number>;
  /** Bumped when the log may have grown. */
  readonly changes: ChangeSignal;
  /** How long to wait for a signal before reading anyway, in ms. */
  readonly pollMs: number;
  /** Events per read. */
  readonly pageSize?: number;
  /** Called when the follower starts and when it ends (e.g. to hold a LISTEN connection open meanwhile). */
  readonly onStart?: () => void;
  /** Called once when the follower ends. */
  readonly onEnd?: () => void;
}

/** Starts a follower: same contract as the in-memory store's `subscribe`. */
export const followLog = (source: FollowSource, options: SubscribeOptions): Subscription => {
  const pageSize = source.pageSize ?? 500;
  let position = options.after;
  let stopped = false;
  let markStopped!: () => void;
  const stopSignal = new Promise<void>((r) => (markStopped = r));
  let markCaughtUp!: () => void;
  const caughtUp = new Promise<void>((r) => (markCaughtUp = r));

  const run = async (): Promise<void> => {
    source.onStart?.();
    try {
      const target = await source.head();
      if (position >= target) markCaughtUp();
      while (!stopped) {
        const seen = source.changes.version;
        const page = await source.readPage(position, pageSize);
        for (const event of page) {
          if (stopped) return;
          await options.onEvent(event);
          position = event.position;
          if (position >= target) markCaughtUp();
        }
        if (page.length < pageSize && !stopped) await source.changes.waitBeyond(seen, source.pollMs, stopSignal);
      }
    } finally {
      source.onEnd?.();
      markCaughtUp();
    }
  };
  const done = run();
  // The caller learns of a failure by awaiting `done`; not awaiting it must not crash the process.
  done.catch(() => undefined);
  return {
    caughtUp,
    done,
    stop: async () => {
      stopped = true;
      markStopped();
      await done.catch(() => undefined);
    },
  };
};
