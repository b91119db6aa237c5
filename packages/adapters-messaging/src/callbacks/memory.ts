/**
 * The replay guard: which verified callbacks were already applied. A callback is known by an id taken
 * from what the provider signed (never from an unsigned header), and remembered only once its facts
 * landed, so a provider retrying after a failure here is not refused. Together with each provider's
 * freshness window (a callback older than it is refused as stale), a callback is applied at most once.
 *
 * `logCallbackMemory` (the default) keeps the guard in the event log, one `callback-<key>` stream per
 * applied callback: every process sees it, and it lasts as long as the log. `memoryCallbackMemory`
 * keeps it in this process only (tests, or embedding where the log must not grow).
 */
import * as E from 'fp-ts/lib/Either.js';
import { callbackStream, eventIdFor, nameId, noStream, schemaVersionOf, type Actor, type HandlerDeps } from '@contactable/core';

/** A verified callback whose facts were applied. */
export interface AppliedCallback {
  readonly provider: string;
  /** The callback's id, from what the provider signed. */
  readonly callbackId: string;
  readonly facts: number;
  readonly eventsWritten: number;
}

/** Remembered callbacks. */
export interface CallbackMemory {
  /** True when this callback was already applied. */
  readonly seen: (callbackId: string) => Promise<boolean>;
  /** Notes a callback as applied (only after its commands landed). */
  readonly remember: (applied: AppliedCallback) => Promise<void>;
}

/** In-process memory; ids are forgotten after `ttlMs` (default a day), by the clock given. */
export const memoryCallbackMemory = (ttlMs = 86_400_000, now: () => number = () => Date.now()): CallbackMemory => {
  const applied = new Map<string, number>();
  return {
    seen: async (id) => applied.has(id),
    remember: async (a) => {
      const at = now();
      applied.set(a.callbackId, at);
      for (const [k, t] of applied) if (t < at - ttlMs) applied.delete(k);
    },
  };
};

/** The stream that records one school's applied callback. */
export const appliedCallbackStream = (schoolId: string, callbackId: string): string => callbackStream(nameId(`callback/${schoolId}/${callbackId}`));

/** The guard in the event log: a `CallbackApplied` event per applied callback, written once. */
export const logCallbackMemory = (deps: HandlerDeps & { readonly schoolId: string }): CallbackMemory => ({
  seen: async (id) => (await deps.store.readStream(appliedCallbackStream(deps.schoolId, id))).length > 0,
  remember: async (a) => {
    const actor: Actor = { kind: 'provider', provider: a.provider, verified: true };
    const streamId = appliedCallbackStream(deps.schoolId, a.callbackId);
    // Two deliveries of one callback applied at once: both wrote the same events; one record is enough.
    const r = await deps.store.append(
      streamId,
      [{
        id: eventIdFor(`callback-applied:${streamId}`, 0),
        type: 'CallbackApplied',
        schemaVersion: schemaVersionOf('CallbackApplied'),
        data: { provider: a.provider, callbackId: a.callbackId, facts: a.facts, eventsWritten: a.eventsWritten },
        metadata: { occurredAt: deps.clock.now(), actor, reason: `${a.provider} callback applied`, reasonCode: 'callback-applied', correlationId: `callback:${a.callbackId}`, causationId: null, schoolId: deps.schoolId },
      }],
      noStream,
    );
    if (E.isLeft(r) && r.left.actual < 0) throw new Error(`${streamId}: the applied callback could not be recorded`);
  },
});
