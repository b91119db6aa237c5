/** What the HTTP providers share: an injectable fetch, timeouts, and how an HTTP status maps to a provider error. */
import * as E from 'fp-ts/lib/Either.js';
import { providerError, type ProviderError } from './ports.js';
import { redact } from './redact.js';

/** The slice of the global `fetch` the providers use; inject another to point them at a test server. */
export type FetchLike = (input: string, init: { method: string; headers: Record<string, string>; body?: string; signal?: AbortSignal }) => Promise<Response>;

/** Options every HTTP provider takes. */
export interface HttpOptions {
  /** Defaults to Node's global fetch. */
  readonly fetch?: FetchLike;
  /** Gives up on a request after this long (a retryable, possibly ambiguous, error). Default 15 s. */
  readonly timeoutMs?: number;
}

/** A provider's HTTP reply, read in full. */
export interface HttpReply {
  readonly status: number;
  readonly headers: Headers;
  readonly text: string;
}

/** Parses a Retry-After header (seconds or an HTTP date) into milliseconds. */
export const retryAfterMs = (value: string | null, now: number = Date.now()): number | null => {
  if (value === null || value.trim() === '') return null;
  const seconds = Number(value);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? null : Math.max(0, at - now);
};

// Failures that mean the request never reached the provider: nothing can have been taken.
const NEVER_CONNECTED = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL', 'UND_ERR_CONNECT_TIMEOUT']);
const TLS_REFUSED = /^(ERR_TLS_|CERT_|UNABLE_TO_|DEPTH_ZERO_|SELF_SIGNED_|ERR_SSL_)/;

const causeCode = (e: unknown): string | null => {
  for (let c: unknown = e, depth = 0; c !== null && typeof c === 'object' && depth < 4; c = (c as { cause?: unknown }).cause, depth++) {
    const code = (c as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return null;
};

/**
 * Sends one request; a network failure or a timeout becomes a retryable error, never a throw. A request
 * that never reached the provider (refused, no such host, TLS refused) is about the provider being
 * unreachable (scope account: the send stops, nobody was handed over); a timeout or a connection lost
 * after the request went out may have been taken (ambiguous: in doubt).
 */
export const request = async (
  provider: string,
  url: string,
  init: { method: string; headers: Record<string, string>; body?: string },
  options: HttpOptions,
): Promise<E.Either<ProviderError, HttpReply>> => {
  const doFetch: FetchLike = options.fetch ?? ((input, i) => fetch(input, i));
  const timeoutMs = options.timeoutMs ?? 15_000;
  try {
    const res = await doFetch(url, { ...init, signal: AbortSignal.timeout(timeoutMs) });
    return E.right({ status: res.status, headers: res.headers, text: await res.text() });
  } catch (e) {
    const timedOut = e instanceof Error && (e.name === 'TimeoutError' || e.name === 'AbortError');
    if (timedOut) return E.left(providerError(provider, 'retryable', `no answer within ${timeoutMs} ms`, { code: 'timeout', ambiguous: true }));
    const code = causeCode(e);
    if (code !== null && (NEVER_CONNECTED.has(code) || TLS_REFUSED.test(code))) {
      return E.left(providerError(provider, 'retryable', `could not reach the provider (${code})`, { code, scope: 'account' }));
    }
    // Lost after connecting: the request may have been taken.
    return E.left(providerError(provider, 'retryable', `the connection to the provider was lost (${redact(code ?? (e instanceof Error ? e.message : String(e)))})`, { code: code ?? 'network', ambiguous: true }));
  }
};

/** The usual meaning of an HTTP failure status: 429 and 5xx are retryable; 401/403 are about our account; other 4xx are permanent. */
export const errorForStatus = (provider: string, reply: HttpReply, code: string | null, message: string): ProviderError => {
  const s = reply.status;
  const retry = retryAfterMs(reply.headers.get('retry-after'));
  if (s === 429 || s === 408 || s >= 500) return providerError(provider, 'retryable', redact(message), { status: s, code, retryAfterMs: retry });
  return providerError(provider, 'permanent', redact(message), { status: s, code, scope: s === 401 || s === 403 ? 'account' : 'recipient' });
};

/** Parses JSON, or null when the body is not JSON. */
export const parseJson = (text: string): unknown => {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return null;
  }
};

/** Reads a string field of an unknown JSON value. */
export const str = (v: unknown, key: string): string | null => {
  if (v === null || typeof v !== 'object') return null;
  const x = (v as Record<string, unknown>)[key];
  return typeof x === 'string' ? x : typeof x === 'number' ? String(x) : null;
};
