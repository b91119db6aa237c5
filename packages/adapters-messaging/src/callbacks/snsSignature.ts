/**
 * Amazon SNS message signatures: an RSA signature (SignatureVersion 1: SHA1, 2: SHA256) over a
 * canonical string of `name\nvalue\n` pairs in a fixed order — Message, MessageId, Subject (when
 * present), Timestamp, TopicArn, Type for notifications; Message, MessageId, SubscribeURL,
 * Timestamp, Token, TopicArn, Type for (un)subscription confirmations. The signing certificate is
 * fetched (through an injected fetcher) only from https://sns.<region>.amazonaws.com.
 */
import { X509Certificate, createVerify } from 'node:crypto';

/** The fields of an SNS envelope that matter for signing. */
export interface SnsEnvelope {
  readonly Type: string;
  readonly MessageId: string;
  readonly TopicArn: string;
  readonly Message: string;
  readonly Timestamp: string;
  readonly Subject?: string | null;
  readonly SubscribeURL?: string;
  readonly Token?: string;
  readonly SignatureVersion?: string;
  readonly Signature?: string;
  readonly SigningCertURL?: string;
}

/** The string SNS signs for an envelope, or null for a type it does not sign. */
export const snsCanonicalString = (m: SnsEnvelope): string | null => {
  const fields =
    m.Type === 'Notification'
      ? (['Message', 'MessageId', 'Subject', 'Timestamp', 'TopicArn', 'Type'] as const)
      : m.Type === 'SubscriptionConfirmation' || m.Type === 'UnsubscribeConfirmation'
        ? (['Message', 'MessageId', 'SubscribeURL', 'Timestamp', 'Token', 'TopicArn', 'Type'] as const)
        : null;
  if (fields === null) return null;
  let s = '';
  for (const f of fields) {
    const v = m[f];
    // Subject is signed only when present; the others are required.
    if (v === undefined || v === null) {
      if (f === 'Subject') continue;
      return null;
    }
    s += `${f}\n${v}\n`;
  }
  return s;
};

// sns.<region>.amazonaws.com, or .amazonaws.com.cn in China; a region is like eu-west-2, us-gov-west-1, cn-north-1.
const SNS_HOST = /^sns\.([a-z]{2}(?:-[a-z]+)+-\d{1,2})\.amazonaws\.com(?:\.cn)?$/;
// Where SNS serves its signing certificates.
const SNS_CERT_PATH = /^\/SimpleNotificationService-[0-9a-f]{16,64}\.pem$/;

/** The region of a trusted SNS URL (https on the default port, no user, host sns.<region>.amazonaws.com), or null when untrusted. */
export const trustedSnsUrl = (url: string): string | null => {
  try {
    const u = new URL(url);
    if (u.protocol !== 'https:' || u.username !== '' || u.password !== '' || (u.port !== '' && u.port !== '443')) return null;
    return SNS_HOST.exec(u.hostname)?.[1] ?? null;
  } catch {
    return null;
  }
};

/**
 * The region of a trusted SNS signing-certificate URL, or null: a trusted SNS URL whose path is
 * `/SimpleNotificationService-<hex>.pem`, with no query or fragment (nothing else on the host is fetched).
 */
export const trustedSnsCertificateUrl = (url: string): string | null => {
  const region = trustedSnsUrl(url);
  if (region === null) return null;
  const u = new URL(url);
  return SNS_CERT_PATH.test(u.pathname) && u.search === '' && u.hash === '' && !/[?#]/.test(url) ? region : null;
};

/** The region of a topic ARN (arn:aws:sns:<region>:<account>:<topic>). */
export const topicRegion = (arn: string): string | null => /^arn:aws(?:-[a-z]+)*:sns:([a-z0-9-]+):\d+:.+$/.exec(arn)?.[1] ?? null;

/** Checks an envelope's signature against a PEM certificate; also that the certificate is in date. */
export const validSnsSignature = (m: SnsEnvelope, certificatePem: string, nowMs: number): 'ok' | 'bad-signature' | 'untrusted-certificate' => {
  const canonical = snsCanonicalString(m);
  if (canonical === null || m.Signature === undefined) return 'bad-signature';
  const algorithm = m.SignatureVersion === '2' ? 'RSA-SHA256' : m.SignatureVersion === '1' ? 'RSA-SHA1' : null;
  if (algorithm === null) return 'bad-signature';
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(certificatePem);
  } catch {
    return 'untrusted-certificate';
  }
  if (nowMs < Date.parse(cert.validFrom) || nowMs > Date.parse(cert.validTo)) return 'untrusted-certificate';
  try {
    return createVerify(algorithm).update(canonical, 'utf8').verify(cert.publicKey, Buffer.from(m.Signature, 'base64')) ? 'ok' : 'bad-signature';
  } catch {
    return 'bad-signature';
  }
};
