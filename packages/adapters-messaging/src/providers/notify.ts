/**
 * GOV.UK Notify (email and SMS): `POST /v2/notifications/email` and `/v2/notifications/sms` with a
 * template id, personalisation and our `reference`, authenticated by a JWT made from the API key.
 * The template must use the placeholders ((subject)) and ((body)) (texts: ((body))).
 * Notify does not deduplicate on `reference`, but it can be searched by it
 * (`GET /v2/notifications?reference=`): `lookup` uses that to settle an in-doubt recipient.
 * Errors are `{ status_code, errors: [{ error, message }] }`; the default rate limit is 3,000 per minute.
 */
import * as E from 'fp-ts/lib/Either.js';
import { errorForStatus, parseJson, request, str, type HttpOptions } from '../http.js';
import { providerError, type Accepted, type EmailProvider, type OutboundMessage, type ProviderError, type SmsProvider } from '../ports.js';
import { notifyJwt, parseNotifyKey, type NotifyKey } from './notifyKey.js';

/** How to reach Notify for one channel. */
export interface NotifyConfig extends HttpOptions {
  readonly apiKey: string;
  readonly templateId: string;
  /** Defaults to https://api.notifications.service.gov.uk. */
  readonly baseUrl?: string;
  /** The current time in ms, for the token's `iat` (tests pin it). */
  readonly now?: () => number;
  /** An email reply-to id or an SMS sender id configured in Notify. */
  readonly senderId?: string;
}

// Notify's error body: { status_code, errors: [{ error, message }] }.
const notifyError = (body: unknown): { code: string | null; message: string } => {
  const errors = body !== null && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors) || errors.length === 0) return { code: null, message: 'no error detail' };
  const first = errors[0] as { error?: unknown };
  return {
    code: typeof first.error === 'string' ? first.error : null,
    message: errors.map((e: unknown) => str(e, 'message') ?? 'error').join('; '),
  };
};

const keyOrThrow = (apiKey: string): NotifyKey => {
  const key = parseNotifyKey(apiKey);
  // Never echo the key: it is a secret.
  if (key === null) throw new Error('The GOV.UK Notify API key is not in the form {key_name}-{service_id}-{secret}.');
  return key;
};

const notifyChannel = (channel: 'email' | 'sms', config: NotifyConfig) => {
  const key = keyOrThrow(config.apiKey);
  const base = (config.baseUrl ?? 'https://api.notifications.service.gov.uk').replace(/\/+$/, '');
  const now = config.now ?? (() => Date.now());
  const headers = (): Record<string, string> => ({
    authorization: `Bearer ${notifyJwt(key, now())}`,
    'content-type': 'application/json',
    'user-agent': 'contactable',
  });
  const send = async (m: OutboundMessage): Promise<E.Either<ProviderError, Accepted>> => {
    const body =
      channel === 'email'
        ? { email_address: m.to, template_id: config.templateId, personalisation: { subject: m.subject ?? '', body: m.body }, reference: m.reference, ...(config.senderId !== undefined ? { email_reply_to_id: config.senderId } : {}) }
        : { phone_number: m.to, template_id: config.templateId, personalisation: { body: m.body }, reference: m.reference, ...(config.senderId !== undefined ? { sms_sender_id: config.senderId } : {}) };
    const reply = await request('notify', `${base}/v2/notifications/${channel}`, { method: 'POST', headers: headers(), body: JSON.stringify(body) }, config);
    if (E.isLeft(reply)) return reply;
    const r = reply.right;
    const json = parseJson(r.text);
    if (r.status >= 200 && r.status < 300) {
      const id = str(json, 'id');
      return id === null
        ? E.left(providerError('notify', 'permanent', 'accepted the message but returned no id', { status: r.status, scope: 'account', ambiguous: true }))
        : E.right({ providerMessageId: id });
    }
    const { code, message } = notifyError(json);
    const err = errorForStatus('notify', r, code, message);
    // A team or test key refusing a recipient is about our key, not the recipient.
    return E.left(err.status === 400 && /team-only|trial mode|api key/i.test(message) ? { ...err, scope: 'account' } : err);
  };
  const lookup = async (reference: string): Promise<E.Either<ProviderError, Accepted | null>> => {
    const reply = await request('notify', `${base}/v2/notifications?reference=${encodeURIComponent(reference)}&template_type=${channel}`, { method: 'GET', headers: headers() }, config);
    if (E.isLeft(reply)) return reply;
    const r = reply.right;
    const json = parseJson(r.text);
    if (r.status < 200 || r.status >= 300) {
      const { code, message } = notifyError(json);
      return E.left(errorForStatus('notify', r, code, message));
    }
    const list = json !== null && typeof json === 'object' ? (json as { notifications?: unknown }).notifications : undefined;
    const first = Array.isArray(list) ? list.find((n) => str(n, 'reference') === reference) : undefined;
    const id = first === undefined ? null : str(first, 'id');
    return E.right(id === null ? null : { providerMessageId: id });
  };
  return { send, lookup };
};

/** An EmailProvider over GOV.UK Notify. */
export const notifyEmailProvider = (config: NotifyConfig): EmailProvider => ({ name: 'notify', channel: 'email', ...notifyChannel('email', config) });

/** An SmsProvider over GOV.UK Notify. */
export const notifySmsProvider = (config: NotifyConfig): SmsProvider => ({ name: 'notify', channel: 'sms', ...notifyChannel('sms', config) });
