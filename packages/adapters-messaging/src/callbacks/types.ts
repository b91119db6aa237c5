/** What a provider callback says, once verified and parsed: provider-neutral facts about addresses. */
import type { Channel } from '@contactable/core';

/** A callback as it arrived: the raw body bytes, the headers, and the full public URL it was posted to. */
export interface RawCallback {
  readonly body: Uint8Array | string;
  /** Header names in any case. */
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;
  /** The URL the provider called, exactly as configured there (Twilio signs it). */
  readonly url?: string;
}

/** Fields every fact carries: the provider's own id for it (dedupe) and the provider's time (ordering). */
interface FactBase {
  readonly channel: Channel;
  /** As the provider reported it; matched to contacts through the Directory. */
  readonly address: string;
  readonly feedbackId: string;
  readonly providerMessageId: string | null;
  readonly observedAt: string;
}

/** One fact a callback reports. */
export type CallbackFact =
  | (FactBase & { readonly kind: 'delivered' })
  | (FactBase & { readonly kind: 'failed'; readonly permanent: boolean; readonly detail: string | null })
  | (FactBase & { readonly kind: 'complaint' })
  | (FactBase & { readonly kind: 'opted-out'; readonly via: 'sms-reply' | 'provider-unsubscribe' })
  | (FactBase & { readonly kind: 'opted-in'; readonly via: 'sms-reply' });

/** A callback verified and parsed. */
export interface ParsedCallback {
  readonly provider: string;
  readonly facts: ReadonlyArray<CallbackFact>;
  /** Events the provider reported that change nothing here (opens, clicks, processed...), by kind. */
  readonly ignored: ReadonlyArray<string>;
  /**
   * The callback's own id, taken from what the provider signed (never from an unsigned header), for the
   * replay guard; null when unverified or when the provider gives none.
   */
  readonly callbackId: string | null;
  /** Amazon SNS asks the endpoint to confirm its subscription by visiting this URL. */
  readonly subscribeUrl?: string;
}

/** Why a callback was refused. Nothing is written for a refused callback. */
export interface CallbackRejected {
  readonly _tag: 'CallbackRejected';
  readonly provider: string;
  readonly reason: 'unsigned' | 'bad-signature' | 'stale' | 'replayed' | 'untrusted-certificate' | 'unauthorised' | 'malformed' | 'misconfigured' | 'unknown-provider';
  /** What was wrong, for logs and the provider's response; no personal data. */
  readonly message: string;
}

/** Builds a rejection. */
export const rejected = (provider: string, reason: CallbackRejected['reason'], message: string): CallbackRejected => ({
  _tag: 'CallbackRejected',
  provider,
  reason,
  message: `${provider} callback rejected (${reason}): ${message}`,
});

/** A header's value, whatever the case of its name (the first when repeated). */
export const header = (headers: RawCallback['headers'], name: string): string | null => {
  const wanted = name.toLowerCase();
  for (const [k, v] of Object.entries(headers)) {
    if (k.toLowerCase() !== wanted || v === undefined) continue;
    return typeof v === 'string' ? v : (v[0] ?? null);
  }
  return null;
};

/** The body as text (UTF-8). */
export const bodyText = (body: RawCallback['body']): string => (typeof body === 'string' ? body : Buffer.from(body).toString('utf8'));

/** The body as bytes, exactly as received. */
export const bodyBytes = (body: RawCallback['body']): Buffer => (typeof body === 'string' ? Buffer.from(body, 'utf8') : Buffer.from(body));

/** An epoch-seconds value as an ISO instant, or null. */
export const fromEpochSeconds = (v: unknown): string | null => {
  const n = typeof v === 'number' ? v : typeof v === 'string' && v.trim() !== '' ? Number(v) : Number.NaN;
  return Number.isFinite(n) ? new Date(n * 1000).toISOString() : null;
};

/** An ISO-ish timestamp as an ISO instant, or null. */
export const toInstant = (v: unknown): string | null => {
  if (typeof v !== 'string' || v.trim() === '') return null;
  // Notify sends microseconds ("...30.000000Z"); Date.parse handles milliseconds only.
  const trimmed = v.trim().replace(/(\.\d{3})\d+/, '$1');
  const ms = Date.parse(/[zZ]|[+-]\d\d:?\d\d$/.test(trimmed) ? trimmed : `${trimmed.replace(' ', 'T')}Z`);
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};
