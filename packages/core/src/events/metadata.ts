/** Every stored event says when, who (a person, an import run, a provider) and why (R-AUD-1). */
import * as t from 'io-ts';
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

/** The metadata of a stored event. */
export const EventMetadata = t.type({
  occurredAt: InstantCodec,
  actor: Actor,
  reason: t.union([t.string, t.null]),
  correlationId: t.string,
  causationId: t.union([t.string, t.null]),
  schoolId: t.string,
});
/** The metadata of a stored event. */
export type EventMetadata = t.TypeOf<typeof EventMetadata>;

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
