/** Events of a message's stream (`message-<id>`): the intent, its audience and its outcome (an outbox). */
import * as t from 'io-ts';
import { Personal } from '../personal.js';
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

/**
 * Someone asked for a message to be sent; recorded before anything is sent. Subject and body are
 * free text that may name anyone, so they are personal: sealed under the message's own key and
 * erased by the message retention rule (`retentionDays`, default the school's message retention).
 */
export const MessageRequested = defineEvent(
  'MessageRequested',
  t.intersection([
    t.type({
      messageId: t.string,
      channel: Channel,
      subject: t.union([Personal, t.null]),
      body: Personal,
      audience: Audience,
      purpose: t.keyof({ message: null, confirmation: null }),
    }),
    // Absent on messages requested before retention rules existed: the school's rule applies.
    t.partial({ retentionDays: t.number }),
  ]),
);
/** The audience was resolved: who will be sent to and who is skipped, and why. */
export const RecipientsResolved = defineEvent(
  'RecipientsResolved',
  t.type({ messageId: t.string, recipients: t.array(t.string), skipped: t.array(SkippedRecipient) }),
);
/**
 * A provider refused one recipient after retries; no other recipient is affected. The provider's
 * text may quote the recipient, so it is personal, sealed under the recipient's key.
 */
export const MessageSendFailed = defineEvent(
  'MessageSendFailed',
  t.type({ messageId: t.string, contactId: t.string, error: Personal }),
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
  // The provider's own words: free text, sealed with the message.
  t.type({ messageId: t.string, contactIds: t.array(t.string), reason: Personal }),
);
/** A resolved recipient could no longer be messaged when its turn came (R-CON-9); ids and reasons only. */
export const RecipientSkipped = defineEvent(
  'RecipientSkipped',
  t.type({ messageId: t.string, contactId: t.string, reasons: t.array(t.string) }),
);
/**
 * A recipient's outcome is unknown: handed to the provider with no answer (a timeout after the hand-over),
 * or marked by a run that stopped before recording what happened. Never sent to again unless staff decide.
 * The detail may quote the provider's text about the recipient, so it is personal, sealed under the recipient's key.
 */
export const RecipientInDoubt = defineEvent(
  'RecipientInDoubt',
  t.type({ messageId: t.string, contactId: t.string, detail: Personal }),
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

/** The message's content (subject, body, provider texts) was erased: its key destroyed by the retention rule; the facts remain. */
export const MessageContentErased = defineEvent('MessageContentErased', t.type({ messageId: t.string }));

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
  MessageContentErased,
] as const;
/** An event of a message's stream. */
export type MessageEvent = EventOf<(typeof messageEvents)[number]>;
