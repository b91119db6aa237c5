/**
 * What callback handling remembers between posts, beyond the event log:
 * - a replay guard: deliveries of a verified callback already applied (a replayed request is refused);
 * - a consent watermark per contact: the provider time of the latest STOP/START seen, applied or not.
 *   OptOut/OptIn carry no provider time, and a reply that changes nothing (STOP while already opted
 *   out) records no event; without the watermark an older START arriving late would then win, and
 *   replaying a sequence of replies could end differently from playing it once.
 * The checkpoint-backed version keeps the consent watermark in the store's checkpoints, so it
 * survives restarts. Replay keys stay in memory: a replay outside the window is refused as stale
 * (SendGrid, SNS) or changes nothing (feedback ids are deduplicated by the contact decider).
 */
import type { CheckpointStore } from '@contactable/core';

/** Remembered callback facts. */
export interface CallbackMemory {
  /** True when this delivery of a callback was already applied. */
  readonly seen: (replayKey: string) => Promise<boolean>;
  /** Notes a delivery as applied (only after its commands landed, so a failed attempt can be retried by the provider). */
  readonly remember: (replayKey: string, atMs: number) => Promise<void>;
  /** The provider time (ms) of the latest consent reply seen for a contact, or null. */
  readonly consentSeenAt: (contactId: string) => Promise<number | null>;
  /** Raises a contact's consent watermark. */
  readonly noteConsent: (contactId: string, atMs: number) => Promise<void>;
}

/** In-process memory (tests, single runs); replay keys are forgotten after `ttlMs` (default a day). */
export const memoryCallbackMemory = (ttlMs = 86_400_000): CallbackMemory => {
  const replays = new Map<string, number>();
  const consent = new Map<string, number>();
  return {
    seen: async (key) => replays.has(key),
    remember: async (key, at) => {
      replays.set(key, at);
      for (const [k, t] of replays) if (t < at - ttlMs) replays.delete(k);
    },
    consentSeenAt: async (id) => consent.get(id) ?? null,
    noteConsent: async (id, at) => {
      consent.set(id, Math.max(at, consent.get(id) ?? Number.NEGATIVE_INFINITY));
    },
  };
};

/** Consent watermarks kept in the store's named checkpoints (`callbacks/consent/<contact>`); replay keys in memory. */
export const checkpointCallbackMemory = (checkpoints: CheckpointStore, ttlMs = 86_400_000): CallbackMemory => ({
  ...memoryCallbackMemory(ttlMs),
  consentSeenAt: (id) => checkpoints.load(`callbacks/consent/${id}`),
  noteConsent: async (id, at) => {
    const before = await checkpoints.load(`callbacks/consent/${id}`);
    if (before === null || at > before) await checkpoints.save(`callbacks/consent/${id}`, at);
  },
});
