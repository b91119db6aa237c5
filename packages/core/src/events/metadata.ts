/** Every stored event says when, who (a person, an import run, a provider) and why (R-AUD-1). */
import * as t from 'io-ts';
import type { Clock } from '../clock.js';
import { InstantCodec } from './common.js';

/** Who caused an event. */
export const Actor = t.union([
  t.type({ kind: t.literal('person'), name: t.string }),
  t.type({ kind: t.literal('import'), runId: t.string }),
  t.type({ kind: t.literal('provider'), provider: t.string, verified: t.boolean }),
  t.type({ kind: t.literal('system'), name: t.string }),
]);
/** Who caused an event. */
export type Actor = t.TypeOf<typeof Actor>;

/** The clock an event was written under, when it was not the wall clock (a demo, a test, a run for a future day). */
export const SimulatedClockNote = t.type({ note: t.string, wallClockAt: t.union([InstantCodec, t.null]) });

/** The metadata of a stored event. Events written before simulated clocks existed have no `simulatedClock` and decode as before. */
export const EventMetadata = t.intersection([
  t.type({
    occurredAt: InstantCodec,
    actor: Actor,
    reason: t.union([t.string, t.null]),
    correlationId: t.string,
    causationId: t.union([t.string, t.null]),
    schoolId: t.string,
  }),
  t.partial({ simulatedClock: SimulatedClockNote }),
]);
/** The metadata of a stored event. */
export type EventMetadata = t.TypeOf<typeof EventMetadata>;

/**
 * When an event happens, by the clock it is written under: its instant, and the clock's
 * simulation note when it is not the wall clock (so no event passes a simulated time off as real).
 */
export const stampOf = (clock: Clock): Pick<EventMetadata, 'occurredAt' | 'simulatedClock'> => {
  const occurredAt = clock.now();
  return clock.simulated === undefined ? { occurredAt } : { occurredAt, simulatedClock: { note: clock.simulated.note, wallClockAt: clock.simulated.wallClockAt } };
};

/** A one-line description of an actor, for audit trails and explanations. */
export const describeActor = (actor: Actor): string => {
  switch (actor.kind) {
    case 'person':
      return actor.name;
    case 'import':
      return `import ${actor.runId}`;
    case 'provider':
      return actor.verified ? `${actor.provider} callback` : `${actor.provider} callback (unverified)`;
    case 'system':
      return actor.name;
  }
};
