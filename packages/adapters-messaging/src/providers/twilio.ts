/**
 * Twilio (SMS): `POST /2010-04-01/Accounts/{AccountSid}/Messages.json`, form-encoded To / From (or
 * MessagingServiceSid) / Body / StatusCallback, with HTTP basic auth (Account SID, auth token).
 * 201 Created returns the message `sid`; errors are `{ code, message, more_info, status }`.
 * Twilio has no idempotency key for creating messages: the attempt marker guards a re-run.
 */
import * as E from 'fp-ts/lib/Either.js';
import { errorForStatus, parseJson, request, str, type HttpOptions } from '../http.js';
import { providerError, type SmsProvider } from '../ports.js';

/** How to reach Twilio. */
export interface TwilioConfig extends HttpOptions {
  readonly accountSid: string;
  readonly authToken: string;
  /** The sending number or alphanumeric sender id; or use a messaging service. */
  readonly from?: string;
  readonly messagingServiceSid?: string;
  /**
   * Where Twilio posts status callbacks (the URL its signature is computed over). The send time is added
   * as `t` (epoch seconds), so the signed URL tells how old a callback is (its freshness window).
   */
  readonly statusCallback?: string;
  /** The current time in ms, for `t` (tests pin it). */
  readonly now?: () => number;
  /** Defaults to https://api.twilio.com. */
  readonly baseUrl?: string;
}

// Twilio codes (in a 400) that say this number cannot take our texts at all.
const RECIPIENT_CODES = new Set(['21211', '21214', '21217', '21408', '21610', '21612', '21614']);
// Codes about our account or sender, not the recipient.
const ACCOUNT_CODES = new Set(['20003', '20404', '21606', '21659', '21660', '30002']);

/** The status-callback URL with the send time as `t` (epoch seconds), replacing any `t` already there. */
export const withSendTime = (url: string, nowMs: number): string => {
  const u = new URL(url);
  u.searchParams.set('t', String(Math.floor(nowMs / 1000)));
  return u.toString();
};

/** An SmsProvider over Twilio's Messages API. */
export const twilioProvider = (config: TwilioConfig): SmsProvider => {
  const base = (config.baseUrl ?? 'https://api.twilio.com').replace(/\/+$/, '');
  if ((config.from === undefined || config.from === '') && (config.messagingServiceSid === undefined || config.messagingServiceSid === '')) {
    throw new Error('Twilio needs a sending number (from) or a messaging service (messaging_service).');
  }
  const auth = Buffer.from(`${config.accountSid}:${config.authToken}`).toString('base64');
  return {
    name: 'twilio',
    channel: 'sms',
    send: async (m) => {
      const form = new URLSearchParams();
      form.set('To', m.to);
      if (config.messagingServiceSid !== undefined && config.messagingServiceSid !== '') form.set('MessagingServiceSid', config.messagingServiceSid);
      else form.set('From', config.from!);
      form.set('Body', m.body);
      if (config.statusCallback !== undefined) form.set('StatusCallback', withSendTime(config.statusCallback, (config.now ?? Date.now)()));
      const reply = await request('twilio', `${base}/2010-04-01/Accounts/${encodeURIComponent(config.accountSid)}/Messages.json`, {
        method: 'POST',
        headers: { authorization: `Basic ${auth}`, 'content-type': 'application/x-www-form-urlencoded', accept: 'application/json' },
        body: form.toString(),
      }, config);
      if (E.isLeft(reply)) return reply;
      const r = reply.right;
      const json = parseJson(r.text);
      if (r.status >= 200 && r.status < 300) {
        const sid = str(json, 'sid');
        return sid === null
          ? E.left(providerError('twilio', 'permanent', 'accepted the message but returned no sid', { status: r.status, scope: 'account', ambiguous: true }))
          : E.right({ providerMessageId: sid });
      }
      const code = str(json, 'code');
      const err = errorForStatus('twilio', r, code, str(json, 'message') ?? 'no error detail');
      if (err.kind === 'permanent' && code !== null && ACCOUNT_CODES.has(code)) return E.left({ ...err, scope: 'account' });
      if (err.kind === 'permanent' && code !== null && RECIPIENT_CODES.has(code)) return E.left({ ...err, scope: 'recipient' });
      return E.left(err);
    },
  };
};
