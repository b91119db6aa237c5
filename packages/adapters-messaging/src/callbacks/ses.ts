/**
 * Amazon SES notifications delivered through SNS. The SNS envelope is verified (snsSignature.ts);
 * a SubscriptionConfirmation yields the URL to visit; a Notification's Message is the SES event:
 * Bounce (bounceType Permanent = permanent; Transient and Undetermined = temporary), Complaint
 * (not for `not-spam` feedback), Delivery. Both SES notification (`notificationType`) and event
 * publishing (`eventType`) shapes are read. Opens, clicks, sends and rejects change nothing.
 */
import * as E from 'fp-ts/lib/Either.js';
import { redact } from '../redact.js';
import { topicRegion, trustedSnsCertificateUrl, trustedSnsUrl, validSnsSignature, type SnsEnvelope } from './snsSignature.js';
import { bodyText, rejected, toInstant, type CallbackFact, type CallbackRejected, type ParsedCallback, type RawCallback } from './types.js';

/** Fetches a signing certificate (PEM) from a URL already checked to be SNS's; injected so tests need no network. */
export type CertificateFetcher = (url: string) => Promise<string>;

/** How SNS posts are checked. */
export interface SesWebhookConfig {
  readonly fetchCertificate?: CertificateFetcher;
  /**
   * The topics this school subscribed to; required. Without them a correctly signed message from any AWS
   * account's topic would be accepted, so callbacks are refused as misconfigured.
   */
  readonly topicArns?: ReadonlyArray<string>;
  /** SNS retries with the original Timestamp: a post older than this is stale (default 3,600 s). */
  readonly toleranceSeconds?: number;
}

const P = 'ses';

/** Fetches a certificate over HTTPS with the global fetch, once per URL. */
export const httpsCertificateFetcher = (): CertificateFetcher => {
  const cache = new Map<string, Promise<string>>();
  return (url) => {
    let p = cache.get(url);
    if (p === undefined) {
      p = fetch(url, { signal: AbortSignal.timeout(10_000) }).then(async (r) => {
        if (!r.ok) throw new Error(`certificate fetch answered ${r.status}`);
        return r.text();
      });
      p.catch(() => cache.delete(url));
      cache.set(url, p);
    }
    return p;
  };
};

/** Parses the SNS envelope (JSON); SigningCertUrl is accepted as a spelling of SigningCertURL. */
export const snsEnvelope = (raw: RawCallback): E.Either<CallbackRejected, SnsEnvelope & Record<string, unknown>> => {
  let json: unknown;
  try {
    json = JSON.parse(bodyText(raw.body));
  } catch {
    return E.left(rejected(P, 'malformed', 'the body is not JSON'));
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return E.left(rejected(P, 'malformed', 'the body is not an SNS message'));
  const m = json as Record<string, unknown>;
  for (const f of ['Type', 'MessageId', 'TopicArn', 'Message', 'Timestamp']) {
    if (typeof m[f] !== 'string') return E.left(rejected(P, 'malformed', `the SNS message has no ${f}`));
  }
  const cert = typeof m.SigningCertURL === 'string' ? m.SigningCertURL : typeof m.SigningCertUrl === 'string' ? m.SigningCertUrl : undefined;
  return E.right({ ...(m as unknown as SnsEnvelope), ...(cert !== undefined ? { SigningCertURL: cert } : {}) } as SnsEnvelope & Record<string, unknown>);
};

/** Verifies an SNS envelope: topics pinned, trusted certificate URL, signature, topic, freshness. */
export const verifySes = async (m: SnsEnvelope, config: SesWebhookConfig, nowMs: number): Promise<E.Either<CallbackRejected, void>> => {
  if (config.topicArns === undefined || config.topicArns.filter((t) => t.trim() !== '').length === 0) {
    return E.left(rejected(P, 'misconfigured', 'no SNS topics are pinned (CONTACTABLE_SES_TOPIC_ARNS): a signed message from any AWS account would pass, so none is accepted'));
  }
  if (m.Signature === undefined || m.SigningCertURL === undefined) return E.left(rejected(P, 'unsigned', 'the SNS message has no Signature or SigningCertURL'));
  const region = trustedSnsCertificateUrl(m.SigningCertURL);
  if (region === null) return E.left(rejected(P, 'untrusted-certificate', 'the signing certificate is not an https://sns.<region>.amazonaws.com/SimpleNotificationService-<id>.pem URL'));
  if (topicRegion(m.TopicArn) !== region) return E.left(rejected(P, 'untrusted-certificate', 'the signing certificate is from another region than the topic'));
  if (!config.topicArns.map((t) => t.trim()).includes(m.TopicArn)) return E.left(rejected(P, 'unauthorised', 'the topic is not one this school subscribed to'));
  if (config.fetchCertificate === undefined) return E.left(rejected(P, 'misconfigured', 'no certificate fetcher is configured'));
  let pem: string;
  try {
    pem = await config.fetchCertificate(m.SigningCertURL);
  } catch {
    return E.left(rejected(P, 'untrusted-certificate', 'the signing certificate could not be fetched'));
  }
  const verdict = validSnsSignature(m, pem, nowMs);
  if (verdict === 'untrusted-certificate') return E.left(rejected(P, 'untrusted-certificate', 'the signing certificate could not be read or is out of date'));
  if (verdict === 'bad-signature') return E.left(rejected(P, 'bad-signature', 'the signature does not match the message: it was forged or altered'));
  const sent = Date.parse(m.Timestamp);
  const tolerance = config.toleranceSeconds ?? 3600;
  if (Number.isNaN(sent) || Math.abs(nowMs - sent) / 1000 > tolerance) return E.left(rejected(P, 'stale', `the message was published more than ${tolerance} s from now (a replay or a wrong clock)`));
  return E.right(undefined);
};

const recipientsOf = (list: unknown, key: string | null): string[] =>
  Array.isArray(list)
    ? list.flatMap((r: unknown) => (key === null ? (typeof r === 'string' ? [r] : []) : r !== null && typeof r === 'object' && typeof (r as Record<string, unknown>)[key] === 'string' ? [(r as Record<string, string>)[key]!] : []))
    : [];

const obj = (v: unknown): Record<string, unknown> => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>) : {});

/** Turns one SES event into facts. */
export const sesFacts = (event: Record<string, unknown>, snsMessageId: string, snsTimestamp: string): { facts: CallbackFact[]; ignored: string[] } => {
  const type = typeof event.notificationType === 'string' ? event.notificationType : typeof event.eventType === 'string' ? event.eventType : 'unknown';
  const mail = obj(event.mail);
  const providerMessageId = typeof mail.messageId === 'string' ? mail.messageId : null;
  const fallbackAt = toInstant(snsTimestamp) ?? toInstant(mail.timestamp) ?? new Date(0).toISOString();
  const facts: CallbackFact[] = [];
  const base = (address: string, feedback: unknown, at: unknown) => ({
    channel: 'email' as const,
    address,
    feedbackId: `${typeof feedback === 'string' && feedback !== '' ? feedback : `sns:${snsMessageId}`}:${address.trim().toLowerCase()}`,
    providerMessageId,
    observedAt: toInstant(at) ?? fallbackAt,
  });
  switch (type) {
    case 'Bounce': {
      const b = obj(event.bounce);
      // Permanent is the only hard bounce; Transient and Undetermined (and anything unknown) are not counted.
      const permanent = b.bounceType === 'Permanent';
      for (const r of Array.isArray(b.bouncedRecipients) ? b.bouncedRecipients : []) {
        const rec = obj(r);
        if (typeof rec.emailAddress !== 'string') continue;
        const detail = [b.bounceType, b.bounceSubType, rec.status].filter((x) => typeof x === 'string').join(' ');
        facts.push({ ...base(rec.emailAddress, b.feedbackId, b.timestamp), kind: 'failed', permanent, detail: redact(detail || 'bounce', 200) });
      }
      return { facts, ignored: [] };
    }
    case 'Complaint': {
      const c = obj(event.complaint);
      if (c.complaintFeedbackType === 'not-spam') return { facts, ignored: ['complaint (not-spam)'] };
      for (const address of recipientsOf(c.complainedRecipients, 'emailAddress')) facts.push({ ...base(address, c.feedbackId, c.timestamp), kind: 'complaint' });
      return { facts, ignored: [] };
    }
    case 'Delivery': {
      const d = obj(event.delivery);
      for (const address of recipientsOf(d.recipients, null)) facts.push({ ...base(address, null, d.timestamp), kind: 'delivered' });
      return { facts, ignored: [] };
    }
    default:
      return { facts, ignored: [type] };
  }
};

/** Parses a verified (or knowingly unverified) SNS post carrying an SES event. */
export const parseSes = (m: SnsEnvelope, callbackId: string | null): E.Either<CallbackRejected, ParsedCallback> => {
  if (m.Type === 'SubscriptionConfirmation') {
    if (m.SubscribeURL === undefined || trustedSnsUrl(m.SubscribeURL) === null || trustedSnsUrl(m.SubscribeURL) !== topicRegion(m.TopicArn)) {
      return E.left(rejected(P, 'untrusted-certificate', "the SubscribeURL is not an https sns.<region>.amazonaws.com URL in the topic's region"));
    }
    return E.right({ provider: P, facts: [], ignored: ['subscription confirmation'], callbackId, subscribeUrl: m.SubscribeURL });
  }
  if (m.Type === 'UnsubscribeConfirmation') return E.right({ provider: P, facts: [], ignored: ['unsubscribe confirmation'], callbackId });
  if (m.Type !== 'Notification') return E.left(rejected(P, 'malformed', `unknown SNS message type ${m.Type}`));
  let event: unknown;
  try {
    event = JSON.parse(m.Message);
  } catch {
    return E.left(rejected(P, 'malformed', 'the SNS Message is not an SES event (not JSON)'));
  }
  const { facts, ignored } = sesFacts(obj(event), m.MessageId, m.Timestamp);
  return E.right({ provider: P, facts, ignored, callbackId });
};
