/** Events of a message's stream (`message-<id>`): the intent, its audience and its outcome (an outbox). */
import * as t from 'io-ts';
import { Audience, Channel } from './common.js';
import { defineEvent, type EventOf } from './define.js';

/** A recipient left out of a send, with the reasons (R-CON-9). Ids only, never addresses. */
export const SkippedRecipient = t.type({
  contactId: t.union([t.string, t.null]),
  memberId: t.union([t.string, t.null]),
  reasons: t.array(t.string),
});
/** A recipient left out of a send. */
export type SkippedRecipient = t.TypeOf<typeof SkippedRecipient>;

/** Someone asked for a message to be sent; recorded before anything is sent. */
export const MessageRequested = defineEvent(
  'MessageRequested',
  t.type({
    messageId: t.string,
    channel: Channel,
    subject: t.union([t.string, t.null]),
    body: t.string,
    audience: Audience,
    purpose: t.keyof({ message: null, confirmation: null }),
  }),
);
/** The audience was resolved: who will be sent to and who is skipped, and why. */
export const RecipientsResolved = defineEvent(
  'RecipientsResolved',
  t.type({ messageId: t.string, recipients: t.array(t.string), skipped: t.array(SkippedRecipient) }),
);
/** A provider refused one recipient after retries; no other recipient is affected. */
export const MessageSendFailed = defineEvent(
  'MessageSendFailed',
  t.type({ messageId: t.string, contactId: t.string, error: t.string }),
);
/**
 * The attempt marker: these recipients are about to be handed to the provider. Written before the
 * provider call, so a re-run after a crash knows who may already have been sent to (in doubt).
 */
export const SendBatchStarted = defineEvent(
  'SendBatchStarted',
  t.type({ messageId: t.string, batch: t.number, contactIds: t.array(t.string) }),
);
/**
 * The provider refused these recipients before taking anything (a problem with our account or
 * configuration, not theirs): the attempt markers are lifted so a later run may send to them.
 */
export const SendAttemptsReleased = defineEvent(
  'SendAttemptsReleased',
  t.type({ messageId: t.string, contactIds: t.array(t.string), reason: t.string }),
);
/** A resolved recipient could no longer be messaged when its turn came (R-CON-9); ids and reasons only. */
export const RecipientSkipped = defineEvent(
  'RecipientSkipped',
  t.type({ messageId: t.string, contactId: t.string, reasons: t.array(t.string) }),
);
/**
 * A recipient's outcome is unknown: handed to the provider with no answer (a timeout after the hand-over),
 * or marked by a run that stopped before recording what happened. Never sent to again unless staff decide.
 */
export const RecipientInDoubt = defineEvent(
  'RecipientInDoubt',
  t.type({ messageId: t.string, contactId: t.string, detail: t.string }),
);
/** Staff decided to send once more to these recipients in doubt; who decided is the event's actor (R-AUD-1). */
export const InDoubtResendDecided = defineEvent(
  'InDoubtResendDecided',
  t.type({ messageId: t.string, contactIds: t.array(t.string) }),
);
/** Every recipient has an outcome: sent, refused or skipped (none in doubt, none waiting). */
export const MessageCompleted = defineEvent(
  'MessageCompleted',
  t.type({ messageId: t.string, sent: t.number, failed: t.number, skipped: t.number }),
);

/** Every message event definition. */
export const messageEvents = [
  MessageRequested,
  RecipientsResolved,
  SendBatchStarted,
  SendAttemptsReleased,
  RecipientSkipped,
  MessageSendFailed,
  RecipientInDoubt,
  InDoubtResendDecided,
  MessageCompleted,
] as const;
/** An event of a message's stream. */
export type MessageEvent = EventOf<(typeof messageEvents)[number]>;
