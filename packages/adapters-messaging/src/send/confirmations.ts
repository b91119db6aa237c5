/**
 * Confirmations of new or changed details (R-CON-10): one message to each new or changed address or
 * number, through the same outbox and policy as any message, with purpose `confirmation`. The import
 * plan decides who gets one (only when the setting is on, never on a first import); this queues them in
 * the outbox, one message per channel, and sends those whose channel has a provider. The others wait in
 * the outbox for `sendPending` (`contactable send-pending`): a confirmation is never lost for want of a
 * provider. A confirmation goes only to the detail it confirms: if the detail changed again meanwhile, it is skipped.
 */
import * as E from 'fp-ts/lib/Either.js';
import { nameId, type Channel } from '@contactable/core';
import { queueMessage, runSend, type QueuedMessage, type SendDeps, type SendError, type SendReport } from './send.js';

/** One new or changed detail to confirm. */
export interface Confirmation {
  readonly contactId: string;
  readonly channel: Channel;
  readonly address: string;
}

/** Wording and ids for a run of confirmations. */
export interface ConfirmationOptions {
  /** The base of the message ids (e.g. the import run id): `<base>-email`, `<base>-sms`. Defaults to a hash of the list. */
  readonly messageId?: string;
  readonly emailSubject?: string;
  readonly emailBody?: string;
  readonly smsBody?: string;
}

/** The default wording: says what changed hands, never the detail itself. */
export const defaultConfirmationText = {
  emailSubject: 'Please check your contact details',
  emailBody:
    'The school has updated the contact details it holds for you, and will use this email address for messages from now on. If this is not right, please contact the school office.',
  smsBody: 'The school will use this number for texts from now on. If this is not right, please contact the school office. Reply STOP to opt out.',
} as const;

/** What confirming did: each channel's message queued, the reports of those sent, and those left waiting for a provider. */
export interface ConfirmationsOutcome {
  readonly queued: ReadonlyArray<QueuedMessage>;
  /** One report per channel that had a provider (its `handedOver` is what reached the provider). */
  readonly reports: ReadonlyArray<SendReport>;
  /** Queued and waiting in the outbox for `sendPending` (no provider for the channel). */
  readonly pending: ReadonlyArray<QueuedMessage>;
}

/** Queues one confirmation per new or changed detail, one message per channel, and sends those whose channel has a provider. */
export const sendConfirmations = async (
  deps: SendDeps,
  confirmations: ReadonlyArray<Confirmation>,
  options: ConfirmationOptions = {},
): Promise<E.Either<SendError, ConfirmationsOutcome>> => {
  const queued: QueuedMessage[] = [];
  const reports: SendReport[] = [];
  const pending: QueuedMessage[] = [];
  for (const channel of ['email', 'sms'] as const) {
    // The latest confirmation per contact wins: one message to one contact.
    const expected = new Map<string, string>();
    for (const c of confirmations) if (c.channel === channel) expected.set(c.contactId, c.address);
    if (expected.size === 0) continue;
    const contactIds = [...expected.keys()];
    const base = options.messageId ?? nameId(`confirmation/${deps.schoolId}/${JSON.stringify([...expected].sort(([a], [b]) => (a < b ? -1 : 1)))}`);
    const message = {
      messageId: `${base}-${channel}`,
      channel,
      subject: channel === 'email' ? (options.emailSubject ?? defaultConfirmationText.emailSubject) : null,
      body: channel === 'email' ? (options.emailBody ?? defaultConfirmationText.emailBody) : (options.smsBody ?? defaultConfirmationText.smsBody),
      purpose: 'confirmation' as const,
    };
    const audience = { kind: 'contacts' as const, contactIds };
    // Into the outbox first, whatever happens next: a confirmation is never lost for want of a provider.
    const q = await queueMessage(deps, message, audience, expected);
    if (E.isLeft(q)) return q;
    queued.push(q.right);
    if ((channel === 'email' ? deps.email : deps.sms) == null) {
      pending.push(q.right);
      continue;
    }
    const result = await runSend(deps, message, audience, expected);
    if (E.isLeft(result)) return result;
    reports.push(result.right);
  }
  return E.right({ queued, reports, pending });
};
