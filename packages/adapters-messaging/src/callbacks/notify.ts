/**
 * GOV.UK Notify callbacks, authenticated by the bearer token the service set in Notify (compared in
 * constant time). Three shapes: delivery receipts (`status`: delivered / permanent-failure /
 * temporary-failure / technical-failure — only permanent-failure counts towards a block; a
 * technical failure is Notify's own trouble), email complaints (`complaint_id`), and received texts
 * (`source_number` + `message`: STOP / START keywords, R-CON-2).
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import type { Channel } from '@contactable/core';
import { consentKeyword } from './keywords.js';
import { bodyText, header, rejected, toInstant, type CallbackFact, type CallbackRejected, type ParsedCallback, type RawCallback } from './types.js';

/** The bearer token configured for the service's callbacks, and how old a callback may be. */
export interface NotifyWebhookConfig {
  readonly bearerToken: string;
  /**
   * A callback whose latest time (completed_at, sent_at, created_at; date_received; complaint_date) is
   * older than this is refused as stale (default a day: Notify calls back as a status becomes final and
   * retries for a short while only); one more than 5 minutes in the future too.
   */
  readonly maxAgeSeconds?: number;
}

/** Notify's default freshness window, in seconds. */
export const NOTIFY_MAX_AGE_SECONDS = 86_400;
const FUTURE_SKEW_MS = 300_000;

const P = 'notify';

const digest = (s: string): Buffer => createHash('sha256').update(s, 'utf8').digest();

/** Checks the Authorization header: `Bearer <token>`, compared in constant time (hashes, so length leaks nothing). */
export const verifyNotify = (raw: RawCallback, config: NotifyWebhookConfig): E.Either<CallbackRejected, void> => {
  if (config.bearerToken.length < 10) return E.left(rejected(P, 'misconfigured', 'the configured bearer token is shorter than Notify allows (10 characters)'));
  const auth = header(raw.headers, 'authorization');
  const m = auth === null ? null : /^Bearer\s+(.+)$/i.exec(auth.trim());
  if (m === null) return E.left(rejected(P, 'unsigned', 'the Authorization: Bearer header is required'));
  return timingSafeEqual(digest(m[1]!), digest(config.bearerToken)) ? E.right(undefined) : E.left(rejected(P, 'unauthorised', 'the bearer token does not match'));
};

const s = (o: Record<string, unknown>, k: string): string | null => (typeof o[k] === 'string' && o[k] !== '' ? (o[k] as string) : null);

/** The window check: the callback's own latest time against now; no time at all cannot be judged fresh. */
const fresh = (times: ReadonlyArray<unknown>, window: { readonly nowMs: number; readonly maxAgeSeconds: number }): E.Either<CallbackRejected, void> => {
  const ms = times.map((t) => toInstant(t)).filter((t): t is string => t !== null).map((t) => Date.parse(t));
  if (ms.length === 0) return E.left(rejected(P, 'stale', 'the callback carries no time, so its freshness cannot be checked'));
  const latest = Math.max(...ms);
  if (latest > window.nowMs + FUTURE_SKEW_MS) return E.left(rejected(P, 'stale', 'the callback is dated in the future (a forgery or a wrong clock)'));
  if (window.nowMs - latest > window.maxAgeSeconds * 1000) {
    return E.left(rejected(P, 'stale', `the callback is ${Math.round((window.nowMs - latest) / 1000)} s old, beyond the ${window.maxAgeSeconds} s allowed (a replay or a very late retry)`));
  }
  return E.right(undefined);
};

/**
 * Parses a Notify callback body. `receivedAt` stands in when Notify gives no time. With `window` (a
 * verified callback), one older than the window is refused as stale, and the callback id is kept.
 */
export const parseNotify = (raw: RawCallback, receivedAt: string, window?: { readonly nowMs: number; readonly maxAgeSeconds: number }): E.Either<CallbackRejected, ParsedCallback> => {
  const checked = (times: ReadonlyArray<unknown>, parsed: ParsedCallback): E.Either<CallbackRejected, ParsedCallback> => {
    if (window === undefined) return E.right({ ...parsed, callbackId: null });
    const f = fresh(times, window);
    return E.isLeft(f) ? f : E.right(parsed);
  };
  let json: unknown;
  try {
    json = JSON.parse(bodyText(raw.body));
  } catch {
    return E.left(rejected(P, 'malformed', 'the body is not JSON'));
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json)) return E.left(rejected(P, 'malformed', 'the body is not a JSON object'));
  const o = json as Record<string, unknown>;
  const facts: CallbackFact[] = [];
  const ignored: string[] = [];

  // A received text message.
  if (s(o, 'source_number') !== null && typeof o.message === 'string') {
    const id = s(o, 'id');
    if (id === null) return E.left(rejected(P, 'malformed', 'the received text has no id'));
    const keyword = consentKeyword(o.message);
    const base = { channel: 'sms' as const, address: s(o, 'source_number')!, feedbackId: id, providerMessageId: id, observedAt: toInstant(o.date_received) ?? receivedAt };
    if (keyword === 'opt-out') facts.push({ ...base, kind: 'opted-out', via: 'sms-reply' });
    else if (keyword === 'opt-in') facts.push({ ...base, kind: 'opted-in', via: 'sms-reply' });
    else ignored.push('received text (not a consent keyword)');
    return checked([o.date_received], { provider: P, facts, ignored, callbackId: `notify:inbound:${id}` });
  }

  // An email complaint.
  if (s(o, 'complaint_id') !== null) {
    const to = s(o, 'to');
    if (to === null) return E.left(rejected(P, 'malformed', 'the complaint has no recipient (to)'));
    const id = s(o, 'complaint_id')!;
    facts.push({ channel: 'email', kind: 'complaint', address: to, feedbackId: id, providerMessageId: s(o, 'notification_id'), observedAt: toInstant(o.complaint_date) ?? receivedAt });
    return checked([o.complaint_date], { provider: P, facts, ignored, callbackId: `notify:complaint:${id}` });
  }

  // A delivery receipt.
  const id = s(o, 'id');
  const status = s(o, 'status');
  const to = s(o, 'to');
  const type = s(o, 'notification_type');
  if (id === null || status === null || to === null) return E.left(rejected(P, 'malformed', 'a delivery receipt needs id, status and to'));
  const times = [o.completed_at, o.sent_at, o.created_at];
  if (type !== 'email' && type !== 'sms') return checked(times, { provider: P, facts, ignored: [`${type ?? 'unknown'} receipt`], callbackId: `notify:${id}:${status}` });
  const channel: Channel = type;
  const base = { channel, address: to, feedbackId: `${id}:${status}`, providerMessageId: id, observedAt: toInstant(o.completed_at) ?? toInstant(o.sent_at) ?? toInstant(o.created_at) ?? receivedAt };
  switch (status) {
    case 'delivered':
      facts.push({ ...base, kind: 'delivered' });
      break;
    case 'permanent-failure':
      facts.push({ ...base, kind: 'failed', permanent: true, detail: 'permanent-failure' });
      break;
    case 'temporary-failure':
    case 'technical-failure':
      facts.push({ ...base, kind: 'failed', permanent: false, detail: status });
      break;
    default:
      ignored.push(status);
  }
  return checked(times, { provider: P, facts, ignored, callbackId: `notify:${id}:${status}` });
};
