/**
 * SendGrid (email): `POST /v3/mail/send` with a bearer API key; 202 Accepted with the message id in
 * the `X-Message-Id` header. Our message and contact ids travel as `custom_args` (ids only: SendGrid
 * keeps custom args as non-personal data) so Event Webhook posts can be traced back.
 * SendGrid has no idempotency key: the attempt marker written before the call is what guards a re-run.
 */
import * as E from 'fp-ts/lib/Either.js';
import { errorForStatus, parseJson, request, type HttpOptions } from '../http.js';
import { providerError, type EmailProvider } from '../ports.js';

/** How to reach SendGrid. */
export interface SendGridConfig extends HttpOptions {
  readonly apiKey: string;
  readonly from: string;
  readonly fromName?: string;
  /** Defaults to https://api.sendgrid.com (the EU region is https://api.eu.sendgrid.com). */
  readonly baseUrl?: string;
}

// SendGrid's error body: { errors: [{ message, field, help }] }.
const errorText = (body: unknown): string => {
  const errors = body !== null && typeof body === 'object' ? (body as { errors?: unknown }).errors : undefined;
  if (!Array.isArray(errors)) return 'no error detail';
  return errors
    .map((e: unknown) => {
      const r = (e ?? {}) as { message?: unknown; field?: unknown };
      return `${typeof r.field === 'string' && r.field !== '' ? `${r.field}: ` : ''}${typeof r.message === 'string' ? r.message : 'error'}`;
    })
    .join('; ');
};

/** An EmailProvider over SendGrid's v3 Mail Send API. */
export const sendGridProvider = (config: SendGridConfig): EmailProvider => {
  const base = (config.baseUrl ?? 'https://api.sendgrid.com').replace(/\/+$/, '');
  return {
    name: 'sendgrid',
    channel: 'email',
    send: async (m) => {
      const body = {
        personalizations: [{ to: [{ email: m.to }], custom_args: { contactable_message_id: m.messageId, contactable_contact_id: m.contactId, contactable_reference: m.reference } }],
        from: config.fromName === undefined ? { email: config.from } : { email: config.from, name: config.fromName },
        subject: m.subject ?? '(no subject)',
        content: [{ type: 'text/plain', value: m.body }],
      };
      const reply = await request('sendgrid', `${base}/v3/mail/send`, {
        method: 'POST',
        headers: { authorization: `Bearer ${config.apiKey}`, 'content-type': 'application/json' },
        body: JSON.stringify(body),
      }, config);
      if (E.isLeft(reply)) return reply;
      const r = reply.right;
      if (r.status >= 200 && r.status < 300) {
        const id = r.headers.get('x-message-id');
        return id === null || id === ''
          ? E.left(providerError('sendgrid', 'permanent', 'accepted the message but returned no X-Message-Id', { status: r.status, scope: 'account', ambiguous: true }))
          : E.right({ providerMessageId: id });
      }
      return E.left(errorForStatus('sendgrid', r, null, errorText(parseJson(r.text))));
    },
  };
};
