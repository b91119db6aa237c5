/** SendGrid, Twilio and GOV.UK Notify against a loopback HTTP server that checks each request's shape. */
import { createHmac } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  maskUrl,
  notifyJwt,
  parseNotifyKey,
  providerFromUrl,
  type OutboundMessage,
  type ProviderSet,
} from '@contactable/adapters-messaging';
import { startHttpStub, type HttpStub } from './support/httpStub.js';

const NOTIFY_KEY = 'school_live-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0';
const msg = (to: string): OutboundMessage => ({ to, subject: 'Trip', body: 'On Friday', messageId: 'msg-1', contactId: 'c-1', reference: 'msg-1:c-1' });

let stub: HttpStub;
beforeAll(async () => {
  stub = await startHttpStub();
});
afterAll(() => stub.close());

const providers = (url: string, now?: () => number): ProviderSet => {
  const r = providerFromUrl(url, now !== undefined ? { now } : {});
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const b64url = (s: string): unknown => JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));

describe('SendGrid provider', () => {
  it('R-CON-9: POST /v3/mail/send with a bearer key, custom_args carrying our ids, and X-Message-Id as the provider id', async () => {
    stub.requests.length = 0;
    stub.respond = () => ({ status: 202, headers: { 'x-message-id': 'SG-abc123' } });
    const { email } = providers(`sendgrid://SG.key.secret@api.sendgrid.com?from=office@school.example&from_name=Office&base=${stub.url}`);
    const r = await email!.send(msg('parent@example.org'));
    expect(r).toEqual(E.right({ providerMessageId: 'SG-abc123' }));
    const req = stub.requests[0]!;
    expect(req.method).toBe('POST');
    expect(req.path).toBe('/v3/mail/send');
    expect(req.headers.authorization).toBe('Bearer SG.key.secret');
    expect(req.headers['content-type']).toBe('application/json');
    expect(JSON.parse(req.body)).toEqual({
      personalizations: [{ to: [{ email: 'parent@example.org' }], custom_args: { contactable_message_id: 'msg-1', contactable_contact_id: 'c-1', contactable_reference: 'msg-1:c-1' } }],
      from: { email: 'office@school.example', name: 'Office' },
      subject: 'Trip',
      content: [{ type: 'text/plain', value: 'On Friday' }],
    });
  });

  it('R-CON-9: 400 is a permanent error with SendGrid\'s messages (addresses redacted), 401 is about our account, 429 and 5xx are retryable', async () => {
    const { email } = providers(`sendgrid://KEY@h?from=office@school.example&base=${stub.url}`);
    stub.respond = () => ({ status: 400, body: { errors: [{ field: 'personalizations.0.to', message: 'Does not contain a valid address: bad@@example.org' }] } });
    const bad = await email!.send(msg('bad@@example.org'));
    expect(E.isLeft(bad) && bad.left).toMatchObject({ kind: 'permanent', scope: 'recipient', status: 400 });
    expect(E.isLeft(bad) && bad.left.message).not.toMatch(/example\.org/);
    stub.respond = () => ({ status: 401, body: { errors: [{ message: 'The provided authorization grant is invalid' }] } });
    expect(await email!.send(msg('a@example.org'))).toMatchObject({ left: { kind: 'permanent', scope: 'account', status: 401 } });
    stub.respond = () => ({ status: 429, headers: { 'retry-after': '2' }, body: { errors: [{ message: 'too many requests' }] } });
    expect(await email!.send(msg('a@example.org'))).toMatchObject({ left: { kind: 'retryable', status: 429, retryAfterMs: 2000 } });
    stub.respond = () => ({ status: 503, body: '' });
    expect(await email!.send(msg('a@example.org'))).toMatchObject({ left: { kind: 'retryable', status: 503 } });
  });

  it('R-CON-9: no answer within the timeout is a retryable error marked ambiguous (the provider may have taken it)', async () => {
    const { email } = providers(`sendgrid://KEY@h?from=office@school.example&timeout=50&base=${stub.url}`);
    stub.respond = () => ({ status: 202, headers: { 'x-message-id': 'late' }, delayMs: 300 });
    expect(await email!.send(msg('a@example.org'))).toMatchObject({ left: { kind: 'retryable', code: 'timeout', ambiguous: true } });
  });
});

describe('Twilio provider', () => {
  it('R-CON-9 R-CON-5: form-encoded To/From/Body/StatusCallback (with the send time, signed by Twilio with the URL) to Messages.json with basic auth; the sid is the provider id', async () => {
    stub.requests.length = 0;
    stub.respond = () => ({ status: 201, body: { sid: 'SM123', status: 'queued' } });
    const { sms } = providers(`twilio://AC123:tok%2Fen@api.twilio.com?from=%2B447700900000&status_callback=https://school.example/twilio&base=${stub.url}`);
    const before = Math.floor(Date.now() / 1000);
    const r = await sms!.send(msg('+447700900123'));
    expect(r).toEqual(E.right({ providerMessageId: 'SM123' }));
    const req = stub.requests[0]!;
    expect(req.path).toBe('/2010-04-01/Accounts/AC123/Messages.json');
    const sentAt = Number(new URL(new URLSearchParams(req.body).get('StatusCallback')!).searchParams.get('t'));
    expect(sentAt).toBeGreaterThanOrEqual(before);
    expect(sentAt).toBeLessThanOrEqual(Math.ceil(Date.now() / 1000));
    expect(req.headers.authorization).toBe(`Basic ${Buffer.from('AC123:tok/en').toString('base64')}`);
    expect(req.headers['content-type']).toBe('application/x-www-form-urlencoded');
    expect(Object.fromEntries(new URLSearchParams(req.body))).toEqual({ To: '+447700900123', From: '+447700900000', Body: 'On Friday', StatusCallback: `https://school.example/twilio?t=${sentAt}` });
  });

  it('R-CON-9: Twilio 21211 (invalid number) is permanent for the recipient; 20003 is about our account; 20429 is retryable', async () => {
    const { sms } = providers(`twilio://AC1:T@h?from=%2B447700900000&base=${stub.url}`);
    stub.respond = () => ({ status: 400, body: { code: 21211, message: "The 'To' number +4477009 is not a valid phone number.", more_info: 'https://www.twilio.com/docs/errors/21211', status: 400 } });
    const bad = await sms!.send(msg('+4477009'));
    expect(bad).toMatchObject({ left: { kind: 'permanent', scope: 'recipient', code: '21211' } });
    expect(E.isLeft(bad) && bad.left.message).not.toMatch(/4477009/);
    stub.respond = () => ({ status: 401, body: { code: 20003, message: 'Authenticate', status: 401 } });
    expect(await sms!.send(msg('+447700900123'))).toMatchObject({ left: { kind: 'permanent', scope: 'account', code: '20003' } });
    stub.respond = () => ({ status: 429, body: { code: 20429, message: 'Too Many Requests', status: 429 } });
    expect(await sms!.send(msg('+447700900123'))).toMatchObject({ left: { kind: 'retryable', code: '20429' } });
  });
});

describe('GOV.UK Notify provider', () => {
  const now = () => Date.parse('2026-09-01T08:00:00Z');

  it('R-CON-9: POST /v2/notifications/email and /sms with template_id, personalisation and reference, and an HS256 JWT from the API key', async () => {
    stub.requests.length = 0;
    stub.respond = (req) => ({ status: 201, body: { id: req.path.endsWith('email') ? 'n-email' : 'n-sms', reference: 'msg-1:c-1' } });
    const { email, sms } = providers(`notify://${NOTIFY_KEY}@api.notifications.service.gov.uk?email_template=t-email&sms_template=t-sms&base=${stub.url}`, now);
    expect(await email!.send(msg('parent@example.org'))).toEqual(E.right({ providerMessageId: 'n-email' }));
    expect(await sms!.send(msg('+447700900123'))).toEqual(E.right({ providerMessageId: 'n-sms' }));
    const [e, s] = stub.requests;
    expect(e!.path).toBe('/v2/notifications/email');
    expect(JSON.parse(e!.body)).toEqual({ email_address: 'parent@example.org', template_id: 't-email', personalisation: { subject: 'Trip', body: 'On Friday' }, reference: 'msg-1:c-1' });
    expect(s!.path).toBe('/v2/notifications/sms');
    expect(JSON.parse(s!.body)).toEqual({ phone_number: '+447700900123', template_id: 't-sms', personalisation: { body: 'On Friday' }, reference: 'msg-1:c-1' });
    // The token: header and claims as Notify documents, signed with the key's secret.
    const token = /^Bearer (.+)$/.exec(String(e!.headers.authorization))![1]!;
    const [h, p, sig] = token.split('.');
    expect(b64url(h!)).toEqual({ typ: 'JWT', alg: 'HS256' });
    expect(b64url(p!)).toEqual({ iss: '26785a09-ab16-4eb0-8407-a37497a57506', iat: now() / 1000 });
    expect(sig).toBe(createHmac('sha256', '3d844edf-8d35-48ac-975b-e847b4f122b0').update(`${h}.${p}`).digest('base64url'));
  });

  it('R-CON-9: the API key splits into name, service id and secret; a malformed key is refused without echoing it', () => {
    expect(parseNotifyKey(NOTIFY_KEY)).toEqual({ keyName: 'school_live', serviceId: '26785a09-ab16-4eb0-8407-a37497a57506', secret: '3d844edf-8d35-48ac-975b-e847b4f122b0' });
    expect(parseNotifyKey('my-key-with-dashes-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0')?.keyName).toBe('my-key-with-dashes');
    expect(parseNotifyKey('not-a-key')).toBeNull();
    expect(notifyJwt(parseNotifyKey(NOTIFY_KEY)!, 0).split('.')).toHaveLength(3);
    const r = providerFromUrl('notify://secret-but-wrong@api.notifications.service.gov.uk?template=t');
    expect(E.isLeft(r) && r.left.message).toMatch(/API key as its user part/);
    expect(E.isLeft(r) && r.left.message).not.toMatch(/secret-but-wrong/);
  });

  it('R-CON-9: Notify errors: 400 ValidationError permanent, 403 AuthError about our account, 429 RateLimitError retryable', async () => {
    const { sms } = providers(`notify://${NOTIFY_KEY}@h?template=t&base=${stub.url}`, now);
    stub.respond = () => ({ status: 400, body: { status_code: 400, errors: [{ error: 'ValidationError', message: 'phone_number Not a UK mobile number' }] } });
    expect(await sms!.send(msg('+1555'))).toMatchObject({ left: { kind: 'permanent', scope: 'recipient', code: 'ValidationError' } });
    stub.respond = () => ({ status: 403, body: { status_code: 403, errors: [{ error: 'AuthError', message: 'Invalid token: signature, api token not found' }] } });
    expect(await sms!.send(msg('+447700900123'))).toMatchObject({ left: { kind: 'permanent', scope: 'account', code: 'AuthError' } });
    stub.respond = () => ({ status: 400, body: { status_code: 400, errors: [{ error: 'BadRequestError', message: "Can't send to this recipient using a team-only API key" }] } });
    expect(await sms!.send(msg('+447700900123'))).toMatchObject({ left: { kind: 'permanent', scope: 'account' } });
    stub.respond = () => ({ status: 429, body: { status_code: 429, errors: [{ error: 'RateLimitError', message: 'Exceeded rate limit for key type LIVE of 3000 requests per 60 seconds' }] } });
    expect(await sms!.send(msg('+447700900123'))).toMatchObject({ left: { kind: 'retryable', code: 'RateLimitError' } });
  });

  it('R-CON-9: lookup finds an earlier send by our reference (GET /v2/notifications?reference=)', async () => {
    stub.requests.length = 0;
    stub.respond = (req) => ({ status: 200, body: { notifications: req.path.includes('reference=msg-1%3Ac-1') ? [{ id: 'n-found', reference: 'msg-1:c-1' }] : [], links: {} } });
    const { email } = providers(`notify://${NOTIFY_KEY}@h?template=t&base=${stub.url}`, now);
    expect(await email!.lookup!('msg-1:c-1')).toEqual(E.right({ providerMessageId: 'n-found' }));
    expect(await email!.lookup!('msg-1:c-2')).toEqual(E.right(null));
    expect(stub.requests[0]!.method).toBe('GET');
    expect(stub.requests[0]!.path).toBe('/v2/notifications?reference=msg-1%3Ac-1&template_type=email');
  });
});

describe('provider URLs', () => {
  it('R-CON-9: each scheme gives the channels it serves', () => {
    expect(providers('smtp://mail.example:2525?from=office@school.example').email?.name).toBe('smtp');
    const notify = providers(`notify://${NOTIFY_KEY}@api.notifications.service.gov.uk?template=t`);
    expect([notify.email?.name, notify.sms?.name]).toEqual(['notify', 'notify']);
    expect(providers(`notify://${NOTIFY_KEY}@h?sms_template=t`).email).toBeNull();
    expect(providers('twilio://AC1:tok@api.twilio.com?messaging_service=MG1').sms?.name).toBe('twilio');
    expect(providers('sendgrid://KEY@api.sendgrid.com?from=a@b.example').email?.name).toBe('sendgrid');
  });

  it('R-CON-9: bad URLs get clear errors with secrets masked', () => {
    const message = (url: string): string => {
      const r = providerFromUrl(url);
      return E.isLeft(r) ? r.left.message : 'accepted';
    };
    expect(message('twilio://AC1:supersecret@api.twilio.com')).toMatch(/needs from=<sending number> or messaging_service/);
    expect(message('twilio://AC1:supersecret@api.twilio.com')).not.toMatch(/supersecret/);
    expect(message('sendgrid://SG.secret@api.sendgrid.com')).toMatch(/needs from=<sender address>/);
    expect(message('sendgrid://SG.secret@api.sendgrid.com')).not.toMatch(/SG\.secret/);
    expect(message('fax://x@y')).toMatch(/unknown scheme "fax"/);
    expect(message('not a url')).toMatch(/is not a URL/);
    expect(message('smtp://h?from=a@b.example&rate=fast')).toMatch(/rate that is not a positive number/);
    expect(maskUrl('sendgrid://SG.secret@api.sendgrid.com?from=a@b&api_key=zzz')).toBe('sendgrid://***@api.sendgrid.com?from=a%40b&api_key=***');
  });
});
