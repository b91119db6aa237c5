/**
 * What callback handling remembers between posts, beyond the event log: a replay guard, the
 * deliveries of a verified callback already applied, so a replayed request is refused. Replay keys
 * stay in memory: a replay outside the window is refused as stale (SendGrid, SNS) or changes
 * nothing, because the contact decider deduplicates feedback ids and orders consent replies by the
 * provider's clock (the latest wish wins), all from the log.
 */

/** Remembered callback deliveries. */
export interface CallbackMemory {
  /** True when this delivery of a callback was already applied. */
  readonly seen: (replayKey: string) => Promise<boolean>;
  /** Notes a delivery as applied (only after its commands landed, so a failed attempt can be retried by the provider). */
  readonly remember: (replayKey: string, atMs: number) => Promise<void>;
}

/** In-process memory; replay keys are forgotten after `ttlMs` (default a day). */
export const memoryCallbackMemory = (ttlMs = 86_400_000): CallbackMemory => {
  const replays = new Map<string, number>();
  return {
    seen: async (key) => replays.has(key),
    remember: async (key, at) => {
      replays.set(key, at);
      for (const [k, t] of replays) if (t < at - ttlMs) replays.delete(k);
    },
  };
};
