/**
 * Twilio callbacks: message status callbacks (delivered / undelivered / failed, with an ErrorCode)
 * and inbound texts (STOP / START keywords, R-CON-2). Verified with `X-Twilio-Signature` over the
 * full public URL and the POST parameters, with the account's auth token.
 *
 * Permanent (counted towards R-CON-5): the number cannot take texts — 30003 unreachable handset,
 * 30004 blocked, 30005 unknown handset, 30006 landline or unreachable carrier, 21211 invalid
 * number, 21610 unsubscribed recipient, 21614 not a mobile. Everything else (30001 queue overflow,
 * 30002 account suspended, 30007 filtered, 30008 unknown error, 30017 carrier congestion...) is
 * temporary: about the network, the content or our account, not the number.
 * Status callbacks carry no timestamp: the carrier's RawDlrDoneDate (YYMMDDhhmm, UTC) when present,
 * else the time of arrival, is the observed time.
 *
 * Freshness: Twilio signs no time of its own. The signed parts that carry one are checked against the
 * window: `t` in the URL (the send time, which our sender adds to the StatusCallback URL) and
 * RawDlrDoneDate. An inbound text carries neither: the replay guard (the MessageSid, kept in the log for
 * good) is what stops a replay. A JSON body is signed only through `bodySHA256` in the URL: without it
 * the body is not covered by the signature, so it is refused.
 */
import * as E from 'fp-ts/lib/Either.js';
import { consentKeyword } from './keywords.js';
import { validTwilioSignature, type TwilioParams } from './twilioSignature.js';
import { bodyBytes, bodyText, header, rejected, type CallbackFact, type CallbackRejected, type ParsedCallback, type RawCallback } from './types.js';

/** The auth token that signs callbacks, optionally the account they must be for, and how old a signed time may be. */
export interface TwilioWebhookConfig {
  readonly authToken: string;
  readonly accountSid?: string;
  /** A callback whose signed send time (`t`) or carrier time (RawDlrDoneDate) is older than this is stale (default 3 days). */
  readonly maxAgeSeconds?: number;
}

/** Twilio's default freshness window, in seconds: delivery reports can trail the send by days. */
export const TWILIO_MAX_AGE_SECONDS = 259_200;
const FUTURE_SKEW_MS = 300_000;

/** Error codes that mean the number cannot take texts (counted towards a block). */
export const TWILIO_PERMANENT_CODES: ReadonlySet<string> = new Set(['21211', '21610', '21614', '30003', '30004', '30005', '30006']);

const P = 'twilio';

/** Reads a form-encoded body into parameters (repeated names keep every value). */
export const formParams = (text: string): Record<string, string | string[]> => {
  const out: Record<string, string | string[]> = {};
  for (const [k, v] of new URLSearchParams(text)) {
    const prev = out[k];
    out[k] = prev === undefined ? v : Array.isArray(prev) ? [...prev, v] : [prev, v];
  }
  return out;
};

const isJson = (raw: RawCallback): boolean => /json/i.test(header(raw.headers, 'content-type') ?? '');

const bodyHashOf = (url: string): string | null => {
  try {
    return new URL(url).searchParams.get('bodySHA256');
  } catch {
    return null;
  }
};

/** The send time our sender put in the StatusCallback URL (`t`, epoch seconds), if any. */
export const signedSendTime = (url: string | undefined): number | null => {
  if (url === undefined) return null;
  try {
    const t = new URL(url).searchParams.get('t');
    return t !== null && /^\d{9,11}$/.test(t) ? Number(t) * 1000 : null;
  } catch {
    return null;
  }
};

/** Checks `X-Twilio-Signature` against the URL Twilio called and the body. */
export const verifyTwilio = (raw: RawCallback, config: TwilioWebhookConfig): E.Either<CallbackRejected, { readonly signature: string }> => {
  const signature = header(raw.headers, 'X-Twilio-Signature');
  if (signature === null) return E.left(rejected(P, 'unsigned', 'the X-Twilio-Signature header is required'));
  if (raw.url === undefined || raw.url === '') return E.left(rejected(P, 'misconfigured', 'the public URL Twilio called is needed to check its signature'));
  if (isJson(raw) && bodyHashOf(raw.url) === null) {
    return E.left(rejected(P, 'unsigned', 'a JSON body is signed only through bodySHA256 in the URL, and this URL has none: the body is not authenticated'));
  }
  const params: TwilioParams = isJson(raw) ? {} : formParams(bodyText(raw.body));
  if (!validTwilioSignature(config.authToken, signature, raw.url, params, isJson(raw) ? bodyBytes(raw.body) : undefined)) {
    return E.left(rejected(P, 'bad-signature', 'the signature does not match the URL and parameters: the request was forged or altered (or the URL differs from the one configured in Twilio)'));
  }
  return E.right({ signature });
};

const first = (v: string | string[] | undefined): string | null => (v === undefined ? null : typeof v === 'string' ? v : (v[0] ?? null));

// RawDlrDoneDate: YYMMDDhhmm in UTC.
const dlrDate = (v: string | null): string | null => {
  const m = v === null ? null : /^(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})$/.exec(v);
  if (m === null) return null;
  const ms = Date.UTC(2000 + Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4]), Number(m[5]));
  return Number.isNaN(ms) ? null : new Date(ms).toISOString();
};

const stale = (label: string, atMs: number, nowMs: number, maxAgeSeconds: number): CallbackRejected | null => {
  if (atMs > nowMs + FUTURE_SKEW_MS) return rejected(P, 'stale', `the signed ${label} is in the future (a forgery or a wrong clock)`);
  if (nowMs - atMs > maxAgeSeconds * 1000) return rejected(P, 'stale', `the signed ${label} is ${Math.round((nowMs - atMs) / 1000)} s old, beyond the ${maxAgeSeconds} s allowed (a replay or a very late retry)`);
  return null;
};

/**
 * Parses a status callback or an inbound text. `receivedAt` stands in for the provider's time when it
 * gives none. With `verified` the callback id is kept and the signed times are held to the window.
 */
export const parseTwilio = (
  raw: RawCallback,
  receivedAt: string,
  options: { readonly verified: boolean; readonly nowMs?: number; readonly config?: TwilioWebhookConfig } = { verified: false },
): E.Either<CallbackRejected, ParsedCallback> => {
  const config = options.config;
  let p: Record<string, string | string[]>;
  if (isJson(raw)) {
    try {
      const json = JSON.parse(bodyText(raw.body)) as unknown;
      if (json === null || typeof json !== 'object' || Array.isArray(json)) return E.left(rejected(P, 'malformed', 'the JSON body is not an object'));
      p = Object.fromEntries(Object.entries(json as Record<string, unknown>).filter(([, v]) => typeof v === 'string' || typeof v === 'number').map(([k, v]) => [k, String(v)]));
    } catch {
      return E.left(rejected(P, 'malformed', 'the body is not JSON'));
    }
  } else {
    p = formParams(bodyText(raw.body));
  }
  const accountSid = first(p.AccountSid);
  if (config?.accountSid !== undefined && accountSid !== null && accountSid !== config.accountSid) {
    return E.left(rejected(P, 'unauthorised', 'the callback is for another Twilio account'));
  }
  const sid = first(p.MessageSid) ?? first(p.SmsSid);
  if (sid === null) return E.left(rejected(P, 'malformed', 'MessageSid is missing'));
  const status = first(p.MessageStatus) ?? first(p.SmsStatus);
  if (options.verified && options.nowMs !== undefined) {
    const maxAge = config?.maxAgeSeconds ?? TWILIO_MAX_AGE_SECONDS;
    const sentAt = signedSendTime(raw.url);
    const dlr = dlrDate(first(p.RawDlrDoneDate));
    const problem = (sentAt === null ? null : stale('send time (t)', sentAt, options.nowMs, maxAge)) ?? (dlr === null ? null : stale('carrier time (RawDlrDoneDate)', Date.parse(dlr), options.nowMs, maxAge));
    if (problem !== null) return E.left(problem);
  }
  const callbackId = options.verified ? `twilio:${sid}:${status ?? 'received'}` : null;
  const facts: CallbackFact[] = [];
  const ignored: string[] = [];
  if (status !== null && status !== 'received') {
    const to = first(p.To);
    if (to === null) return E.left(rejected(P, 'malformed', 'To is missing from the status callback'));
    const observedAt = dlrDate(first(p.RawDlrDoneDate)) ?? receivedAt;
    const base = { channel: 'sms' as const, address: to, feedbackId: `${sid}:${status}`, providerMessageId: sid, observedAt };
    const code = first(p.ErrorCode);
    if (status === 'delivered') facts.push({ ...base, kind: 'delivered' });
    else if (status === 'undelivered' || status === 'failed') {
      facts.push({ ...base, kind: 'failed', permanent: code !== null && TWILIO_PERMANENT_CODES.has(code), detail: `${status}${code !== null ? ` (error ${code})` : ''}` });
    } else ignored.push(status);
    return E.right({ provider: P, facts, ignored, callbackId });
  }
  // An inbound text: Twilio's Advanced Opt-Out says what it was (OptOutType); otherwise match the keywords.
  const from = first(p.From);
  if (from === null) return E.left(rejected(P, 'malformed', 'From is missing from the inbound message'));
  const optOutType = (first(p.OptOutType) ?? '').toUpperCase();
  const keyword = optOutType === 'STOP' ? 'opt-out' : optOutType === 'START' ? 'opt-in' : consentKeyword(first(p.Body) ?? '');
  const base = { channel: 'sms' as const, address: from, feedbackId: sid, providerMessageId: sid, observedAt: receivedAt };
  if (keyword === 'opt-out') facts.push({ ...base, kind: 'opted-out', via: 'sms-reply' });
  else if (keyword === 'opt-in') facts.push({ ...base, kind: 'opted-in', via: 'sms-reply' });
  else ignored.push('inbound text (not a consent keyword)');
  return E.right({ provider: P, facts, ignored, callbackId });
};
