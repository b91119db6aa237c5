/**
 * SendGrid Event Webhook. Signed: an ECDSA P-256 / SHA-256 signature (base64 DER) over the
 * `X-Twilio-Email-Event-Webhook-Timestamp` value followed by the raw body, in
 * `X-Twilio-Email-Event-Webhook-Signature`; the public key (base64 DER, from Mail Settings) is config.
 * A signed timestamp older (or newer) than the tolerance (5 minutes) is stale.
 *
 * Events: delivered; bounce (`type: bounce` permanent, `type: blocked` temporary); dropped (Bounced
 * Address / Invalid = permanent, Unsubscribed Address = opted out, Spam Reporting Address = complaint,
 * others temporary); deferred (temporary); spamreport (complaint); unsubscribe and group_unsubscribe
 * (opted out). `sg_event_id` is the feedback id. Opens, clicks and processed change nothing.
 */
import { createHash, createPublicKey, verify as verifySignature, type KeyObject } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { redact } from '../redact.js';
import { bodyBytes, bodyText, fromEpochSeconds, header, rejected, type CallbackFact, type CallbackRejected, type ParsedCallback, type RawCallback } from './types.js';

/** The Event Webhook's verification key and how fresh a signed timestamp must be. */
export interface SendGridWebhookConfig {
  /** The verification key as SendGrid shows it: base64 DER (SubjectPublicKeyInfo), or PEM. */
  readonly publicKey: string;
  /** Default 300 seconds. */
  readonly toleranceSeconds?: number;
}

/** The signature header. */
export const SENDGRID_SIGNATURE_HEADER = 'X-Twilio-Email-Event-Webhook-Signature';
/** The timestamp header. */
export const SENDGRID_TIMESTAMP_HEADER = 'X-Twilio-Email-Event-Webhook-Timestamp';

const P = 'sendgrid';

/** Reads the configured key; a key that is not an EC P-256 public key is a configuration error. */
export const sendGridKey = (publicKey: string): E.Either<CallbackRejected, KeyObject> => {
  try {
    const trimmed = publicKey.trim();
    const key = trimmed.includes('BEGIN PUBLIC KEY')
      ? createPublicKey(trimmed)
      : createPublicKey({ key: Buffer.from(trimmed, 'base64'), format: 'der', type: 'spki' });
    if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
      return E.left(rejected(P, 'misconfigured', 'the verification key is not an ECDSA P-256 public key'));
    }
    return E.right(key);
  } catch {
    return E.left(rejected(P, 'misconfigured', 'the verification key is not a base64 DER public key'));
  }
};

/**
 * Checks the signature and freshness of an Event Webhook post. The callback id is a hash of what was
 * signed (timestamp and body), not the signature: an ECDSA signature can be re-encoded and still verify.
 */
export const verifySendGrid = (raw: RawCallback, config: SendGridWebhookConfig, nowMs: number): E.Either<CallbackRejected, { readonly signature: string; readonly callbackId: string }> => {
  const signature = header(raw.headers, SENDGRID_SIGNATURE_HEADER);
  const timestamp = header(raw.headers, SENDGRID_TIMESTAMP_HEADER);
  if (signature === null || timestamp === null) return E.left(rejected(P, 'unsigned', `the ${SENDGRID_SIGNATURE_HEADER} and ${SENDGRID_TIMESTAMP_HEADER} headers are required`));
  const key = sendGridKey(config.publicKey);
  if (E.isLeft(key)) return key;
  let valid = false;
  try {
    valid = verifySignature('sha256', Buffer.concat([Buffer.from(timestamp, 'utf8'), bodyBytes(raw.body)]), { key: key.right, dsaEncoding: 'der' }, Buffer.from(signature, 'base64'));
  } catch {
    valid = false;
  }
  if (!valid) return E.left(rejected(P, 'bad-signature', 'the signature does not match the body and timestamp: the post was forged or altered'));
  const seconds = Number(timestamp);
  const tolerance = config.toleranceSeconds ?? 300;
  if (!Number.isFinite(seconds)) return E.left(rejected(P, 'malformed', 'the signed timestamp is not a number'));
  if (Math.abs(nowMs / 1000 - seconds) > tolerance) {
    return E.left(rejected(P, 'stale', `the signed timestamp is ${Math.round(Math.abs(nowMs / 1000 - seconds))} s from now, beyond the ${tolerance} s allowed (a replay or a wrong clock)`));
  }
  const callbackId = `sendgrid:${createHash('sha256').update(timestamp, 'utf8').update('\n').update(bodyBytes(raw.body)).digest('hex')}`;
  return E.right({ signature, callbackId });
};

const fact = (e: Record<string, unknown>, index: number): CallbackFact | string => {
  const kind = typeof e.event === 'string' ? e.event : 'unknown';
  const address = typeof e.email === 'string' ? e.email : null;
  const feedbackId = typeof e.sg_event_id === 'string' ? e.sg_event_id : null;
  const observedAt = fromEpochSeconds(e.timestamp);
  if (address === null || feedbackId === null || observedAt === null) return `${kind} (event ${index} lacks email, sg_event_id or timestamp)`;
  // X-Message-Id (what we recorded) is the part of sg_message_id before ".filter...".
  const providerMessageId = typeof e.sg_message_id === 'string' ? e.sg_message_id.split('.')[0]! : null;
  const base = { channel: 'email' as const, address, feedbackId, providerMessageId, observedAt };
  const reason = typeof e.reason === 'string' ? e.reason : typeof e.response === 'string' ? e.response : null;
  const detail = reason === null ? null : redact(reason, 200);
  switch (kind) {
    case 'delivered':
      return { ...base, kind: 'delivered' };
    case 'bounce': {
      // `type` tells a hard bounce from a block; without it, the SMTP status class decides.
      const type = typeof e.type === 'string' ? e.type : null;
      const permanent = type === 'bounce' || (type === null && typeof e.status === 'string' && e.status.startsWith('5'));
      return { ...base, kind: 'failed', permanent, detail };
    }
    case 'dropped': {
      const why = reason ?? '';
      if (/unsubscribed/i.test(why)) return { ...base, kind: 'opted-out', via: 'provider-unsubscribe' };
      if (/spam report/i.test(why)) return { ...base, kind: 'complaint' };
      const permanent = /bounced address|^invalid$|invalid address/i.test(why.trim());
      return { ...base, kind: 'failed', permanent, detail };
    }
    case 'deferred':
      return { ...base, kind: 'failed', permanent: false, detail };
    case 'spamreport':
      return { ...base, kind: 'complaint' };
    case 'unsubscribe':
    case 'group_unsubscribe':
      return { ...base, kind: 'opted-out', via: 'provider-unsubscribe' };
    default:
      return kind;
  }
};

/** Parses an Event Webhook body (a JSON array of events). */
export const parseSendGrid = (raw: RawCallback, callbackId: string | null): E.Either<CallbackRejected, ParsedCallback> => {
  let events: unknown;
  try {
    events = JSON.parse(bodyText(raw.body));
  } catch {
    return E.left(rejected(P, 'malformed', 'the body is not JSON'));
  }
  if (!Array.isArray(events)) return E.left(rejected(P, 'malformed', 'the body is not a JSON array of events'));
  const facts: CallbackFact[] = [];
  const ignored: string[] = [];
  events.forEach((e: unknown, i) => {
    if (e === null || typeof e !== 'object') {
      ignored.push(`event ${i} is not an object`);
      return;
    }
    const f = fact(e as Record<string, unknown>, i);
    if (typeof f === 'string') ignored.push(f);
    else facts.push(f);
  });
  return E.right({ provider: P, facts, ignored, callbackId });
};
