/**
 * Callbacks signed the way each provider documents it, written out here (not taken from the code under
 * test): SendGrid (ECDSA P-256 over timestamp + body), Twilio (HMAC-SHA1 over URL + sorted parameters,
 * or bodySHA256 in the URL for JSON), SNS (RSA over the canonical string, certificate from SNS's host),
 * Notify (a bearer token). Used by the callback tests and the forgery matrix of the chaos suite.
 */
import { createHash, createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type { RawCallback, WebhookConfigs } from '@contactable/adapters-messaging';
import { selfSignedCertificate } from './selfSignedCert.js';

/** Keys and secrets for all four providers, and the webhook settings that trust them. */
export interface Signers {
  readonly sendgridKey: KeyObject;
  readonly twilioToken: string;
  readonly twilioUrl: string;
  readonly notifyToken: string;
  readonly sns: { readonly pem: string; readonly privateKey: KeyObject; readonly certUrl: string; readonly topic: string };
  readonly webhooks: WebhookConfigs;
}

/** Makes fresh keys and the matching webhook settings (the SNS certificate is served by an in-memory fetcher). */
export const makeSigners = (): Signers => {
  const sg = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const cert = selfSignedCertificate();
  const certUrl = 'https://sns.eu-west-2.amazonaws.com/SimpleNotificationService-0123456789abcdef0123456789abcdef.pem';
  const topic = 'arn:aws:sns:eu-west-2:123456789012:school-ses-events';
  const twilioToken = 'twilio-auth-token-0123456789abcdef';
  const notifyToken = 'notify-callback-bearer-token-0123';
  return {
    sendgridKey: sg.privateKey,
    twilioToken,
    twilioUrl: 'https://school.example/hooks/twilio?school=1',
    notifyToken,
    sns: { pem: cert.pem, privateKey: cert.privateKey, certUrl, topic },
    webhooks: {
      sendgrid: { publicKey: sg.publicKey.export({ type: 'spki', format: 'der' }).toString('base64') },
      twilio: { authToken: twilioToken, accountSid: 'AC1' },
      notify: { bearerToken: notifyToken },
      ses: { topicArns: [topic], fetchCertificate: async (url) => (url === certUrl ? cert.pem : Promise.reject(new Error('not the SNS certificate'))) },
    },
  };
};

/** A SendGrid Event Webhook post signed at `atSeconds`. */
export const sendgridPost = (s: Signers, events: unknown, atSeconds: number, key: KeyObject = s.sendgridKey): RawCallback & { readonly headers: Record<string, string> } => {
  const body = JSON.stringify(events);
  const ts = String(atSeconds);
  const signature = sign('sha256', Buffer.from(ts + body), { key, dsaEncoding: 'der' }).toString('base64');
  return { body: Buffer.from(body), headers: { 'X-Twilio-Email-Event-Webhook-Signature': signature, 'X-Twilio-Email-Event-Webhook-Timestamp': ts } };
};

// DER for an ECDSA signature (r, s).
const derInt = (n: bigint): Buffer => {
  let hex = n.toString(16);
  if (hex.length % 2 === 1) hex = `0${hex}`;
  let bytes = Buffer.from(hex, 'hex');
  if (bytes[0]! & 0x80) bytes = Buffer.concat([Buffer.from([0]), bytes]);
  return Buffer.concat([Buffer.from([0x02, bytes.length]), bytes]);
};
const P256_ORDER = BigInt('0xffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551');

/** The same post with its signature re-encoded as (r, n - s): still a valid ECDSA signature over the same bytes. */
export const malleated = (post: RawCallback & { readonly headers: Record<string, string> }, s: Signers): RawCallback => {
  const ts = post.headers['X-Twilio-Email-Event-Webhook-Timestamp']!;
  const raw = sign('sha256', Buffer.concat([Buffer.from(ts), Buffer.from(post.body as Uint8Array)]), { key: s.sendgridKey, dsaEncoding: 'ieee-p1363' });
  const r = BigInt(`0x${raw.subarray(0, 32).toString('hex')}`);
  const sv = BigInt(`0x${raw.subarray(32).toString('hex')}`);
  const body = Buffer.concat([derInt(r), derInt(P256_ORDER - sv)]);
  const der = Buffer.concat([Buffer.from([0x30, body.length]), body]);
  return { ...post, headers: { ...post.headers, 'X-Twilio-Email-Event-Webhook-Signature': der.toString('base64') } };
};

/** X-Twilio-Signature as Twilio documents it. */
export const twilioSig = (token: string, url: string, params: Readonly<Record<string, string>>): string =>
  createHmac('sha1', token)
    .update(url + Object.keys(params).sort().map((k) => k + params[k]).join(''), 'utf8')
    .digest('base64');

/** A form-encoded Twilio post to `url`, signed with `token`. */
export const twilioForm = (s: Signers, params: Readonly<Record<string, string>>, options: { readonly url?: string; readonly token?: string } = {}): RawCallback => {
  const url = options.url ?? s.twilioUrl;
  return { body: new URLSearchParams(params).toString(), headers: { 'X-Twilio-Signature': twilioSig(options.token ?? s.twilioToken, url, params), 'Content-Type': 'application/x-www-form-urlencoded' }, url };
};

/** A JSON Twilio post: with `bodyHash` the URL carries its SHA-256 (as Twilio signs JSON); without, only the URL is signed. */
export const twilioJson = (s: Signers, json: unknown, options: { readonly bodyHash: boolean; readonly url?: string }): RawCallback => {
  const body = Buffer.from(JSON.stringify(json));
  const base = options.url ?? s.twilioUrl;
  const url = options.bodyHash ? `${base}${base.includes('?') ? '&' : '?'}bodySHA256=${createHash('sha256').update(body).digest('hex')}` : base;
  return { body, headers: { 'X-Twilio-Signature': twilioSig(s.twilioToken, url, {}), 'Content-Type': 'application/json' }, url };
};

/** An SNS envelope signed with the SNS certificate's key (or `key`), as SNS documents it. */
export const snsPost = (
  s: Signers,
  message: unknown,
  o: { readonly type?: string; readonly timestamp: string; readonly messageId: string; readonly topic?: string; readonly certUrl?: string; readonly key?: KeyObject; readonly alter?: (m: Record<string, string>) => void },
): RawCallback => {
  const m: Record<string, string> = {
    Type: o.type ?? 'Notification',
    MessageId: o.messageId,
    TopicArn: o.topic ?? s.sns.topic,
    Message: typeof message === 'string' ? message : JSON.stringify(message),
    Timestamp: o.timestamp,
    SignatureVersion: '2',
    SigningCertURL: o.certUrl ?? s.sns.certUrl,
  };
  if (m.Type === 'SubscriptionConfirmation') {
    m.SubscribeURL = 'https://sns.eu-west-2.amazonaws.com/?Action=ConfirmSubscription&TopicArn=x&Token=t0k3n';
    m.Token = 't0k3n';
  }
  const keys = m.Type === 'Notification' ? ['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] : ['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'];
  const canonical = keys.filter((k) => m[k] !== undefined).map((k) => `${k}\n${m[k]}\n`).join('');
  m.Signature = sign('sha256', Buffer.from(canonical), o.key ?? s.sns.privateKey).toString('base64');
  o.alter?.(m);
  return { body: JSON.stringify(m), headers: { 'x-amz-sns-message-type': m.Type!, 'content-type': 'text/plain; charset=UTF-8' } };
};

/** A Notify callback with the bearer token (or `token`). */
export const notifyPost = (s: Signers, body: unknown, token: string = s.notifyToken): RawCallback => ({
  body: JSON.stringify(body),
  headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
});
