/** Every stored event says when, who (a person, an import run, a provider) and why (R-AUD-1). */
import * as t from 'io-ts';
import { Personal } from '../personal.js';
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

/**
 * The metadata of a stored event. `reason` is free text a person typed or a provider sent
 * ("phoned to stop", a bounce quoting a name), so it is personal data: sealed under the key of
 * the person the event concerns and read `XXXX` once they are erased. `reasonCode` is a short,
 * non-personal code (`phoned-to-stop`, `bounce`, `MIS import`) kept in the clear, so the audit
 * still says why after erasure. `simulatedClock` says the event was written under a clock that was
 * not the wall clock. Events recorded before either existed have neither, and decode as before.
 */
export const EventMetadata = t.intersection([
  t.type({
    occurredAt: InstantCodec,
    actor: Actor,
    reason: t.union([Personal, t.null]),
    correlationId: t.string,
    causationId: t.union([t.string, t.null]),
    schoolId: t.string,
  }),
  t.partial({ reasonCode: t.string, simulatedClock: SimulatedClockNote }),
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

/** A reason code's shape: up to 40 letters, digits, spaces and `-` (a code, never a sentence about someone). */
export const isReasonCode = (code: string): boolean => /^[A-Za-z0-9][A-Za-z0-9 -]{0,39}$/.test(code);

/**
 * The reason codes the `contactable` command offers staff, with what each means. Codes are stored in
 * the clear, so they are chosen from this list rather than typed: the words about a person go in the
 * sealed free-text reason.
 */
export const STAFF_REASON_CODES: Readonly<Record<string, string>> = {
  'staff-opt-out': 'opted out by staff (the default of opt-out)',
  'staff-opt-in': 'opted back in by staff (the default of opt-in)',
  'phoned-to-stop': 'the contact phoned to ask for no more messages',
  'wrote-to-stop': 'the contact wrote (letter, email, form) asking for no more messages',
  'asked-in-person': 'the contact asked in person',
  'asked-to-start-again': 'the contact asked to receive messages again',
  'confirmed-with-contact': 'the details were checked with the contact',
  'deleting-leavers': 'leavers deleted by the school',
  'subject-access-request': 'a subject access request (GDPR Art. 15)',
  'data-correction': 'a correction of the data held',
  other: 'another reason (see the free-text reason)',
};
