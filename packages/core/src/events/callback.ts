/**
 * Events of a provider callback's stream (`callback-<key>`): the replay guard. A verified callback
 * whose facts were applied is recorded once, under an id derived from what the provider signed, so the
 * same callback arriving again (a provider retry or a replay) is recognised by every process, for ever.
 * Ids and counts only: never an address.
 */
import * as t from 'io-ts';
import { defineEvent, type EventOf } from './define.js';

/** A verified provider callback was applied. */
export const CallbackApplied = defineEvent(
  'CallbackApplied',
  t.type({ provider: t.string, callbackId: t.string, facts: t.number, eventsWritten: t.number }),
);

/** Every callback event definition. */
export const callbackEvents = [CallbackApplied] as const;
/** An event of a callback's stream. */
export type CallbackEvent = EventOf<(typeof callbackEvents)[number]>;
