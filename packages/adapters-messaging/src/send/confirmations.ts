/**
 * Confirmations of new or changed details (R-CON-10): one message to each new or changed address or
 * number, through the same outbox and policy as any message, with purpose `confirmation`. The import
 * plan decides who gets one (only when the setting is on, never on a first import); this sends them.
 * A confirmation goes only to the detail it confirms: if the detail changed again meanwhile, it is skipped.
 */
import * as E from 'fp-ts/lib/Either.js';
import { nameId, type Channel } from '@contactable/core';
import { runSend, type SendDeps, type SendError, type SendReport } from './send.js';

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

/** Sends one confirmation per new or changed detail, one message per channel; reports per channel. */
export const sendConfirmations = async (
  deps: SendDeps,
  confirmations: ReadonlyArray<Confirmation>,
  options: ConfirmationOptions = {},
): Promise<E.Either<SendError, ReadonlyArray<SendReport>>> => {
  const reports: SendReport[] = [];
  for (const channel of ['email', 'sms'] as const) {
    // The latest confirmation per contact wins: one message to one contact.
    const expected = new Map<string, string>();
    for (const c of confirmations) if (c.channel === channel) expected.set(c.contactId, c.address);
    if (expected.size === 0) continue;
    const contactIds = [...expected.keys()];
    const base = options.messageId ?? nameId(`confirmation/${deps.schoolId}/${JSON.stringify([...expected].sort(([a], [b]) => (a < b ? -1 : 1)))}`);
    const result = await runSend(
      deps,
      {
        messageId: `${base}-${channel}`,
        channel,
        subject: channel === 'email' ? (options.emailSubject ?? defaultConfirmationText.emailSubject) : null,
        body: channel === 'email' ? (options.emailBody ?? defaultConfirmationText.emailBody) : (options.smsBody ?? defaultConfirmationText.smsBody),
        purpose: 'confirmation',
      },
      { kind: 'contacts', contactIds },
      expected,
    );
    if (E.isLeft(result)) return result;
    reports.push(result.right);
  }
  return E.right(reports);
};
