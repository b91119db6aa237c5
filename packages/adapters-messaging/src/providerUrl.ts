/**
 * Provider URLs, so the CLI and services pick a provider with one setting:
 *
 *   smtp://[user:password@]host:port?from=office@school.example[&pool=5][&rate=20][&starttls=off]
 *   smtps://[user:password@]host:465?from=...
 *   notify://API_KEY@api.notifications.service.gov.uk?template=UUID            (or email_template= / sms_template=)
 *   twilio://ACCOUNT_SID:AUTH_TOKEN@api.twilio.com?from=+447700900123[&status_callback=https://...]
 *   sendgrid://API_KEY@api.sendgrid.com?from=office@school.example[&from_name=...]
 *
 * Every HTTP provider takes `base=http://127.0.0.1:PORT` (tests, proxies), `timeout=` (ms) and
 * `rate=` (messages per second; defaults: Notify 50 (its 3,000 a minute), Twilio 10, SendGrid 100,
 * SMTP unlimited). Credentials are URL-encoded; errors never show them.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { FetchLike } from './http.js';
import type { EmailProvider, Provider, SmsProvider } from './ports.js';
import { notifyEmailProvider, notifySmsProvider } from './providers/notify.js';
import { parseNotifyKey } from './providers/notifyKey.js';
import { sendGridProvider } from './providers/sendgrid.js';
import { smtpProvider } from './providers/smtp.js';
import { twilioProvider } from './providers/twilio.js';
import { withRateLimit } from './rateLimit.js';
import { maskUrl } from './redact.js';

/** A provider URL that could not be used, with a message that names the problem (never the secret). */
export interface ProviderUrlError {
  readonly _tag: 'ProviderUrlError';
  readonly message: string;
}

/** What a provider URL gives: the provider for each channel it serves. */
export interface ProviderSet {
  readonly email: EmailProvider | null;
  readonly sms: SmsProvider | null;
}

/** Edges a provider needs: HTTP (injectable for tests). */
export interface ProviderUrlOptions {
  readonly fetch?: FetchLike;
  /** For Notify tokens (ms since the epoch). */
  readonly now?: () => number;
}

const fail = (raw: string, why: string): E.Either<ProviderUrlError, never> =>
  E.left({ _tag: 'ProviderUrlError', message: `The provider URL ${maskUrl(raw)} ${why}` });

const decode = (s: string): string => {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
};

const numberParam = (u: URL, name: string): number | undefined => {
  const v = u.searchParams.get(name);
  if (v === null || v === '') return undefined;
  const n = Number(v);
  return Number.isFinite(n) && n > 0 ? n : Number.NaN;
};

const httpBase = (u: URL): string => u.searchParams.get('base') ?? `https://${u.host}`;

/** Parses a provider URL into the provider(s) it names, rate-limited. */
export const providerFromUrl = (raw: string, options: ProviderUrlOptions = {}): E.Either<ProviderUrlError, ProviderSet> => {
  let u: URL;
  try {
    u = new URL(raw.trim());
  } catch {
    return fail(raw, 'is not a URL; expected e.g. smtp://host:587?from=..., notify://KEY@host?template=..., twilio://SID:TOKEN@host?from=..., sendgrid://KEY@host?from=...');
  }
  const scheme = u.protocol.replace(/:$/, '');
  const rate = numberParam(u, 'rate');
  const timeoutMs = numberParam(u, 'timeout');
  if (Number.isNaN(rate)) return fail(raw, 'has a rate that is not a positive number (messages per second).');
  if (Number.isNaN(timeoutMs)) return fail(raw, 'has a timeout that is not a positive number of milliseconds.');
  const base = u.searchParams.get('base');
  if (base !== null) {
    try {
      const b = new URL(base);
      if (b.protocol !== 'http:' && b.protocol !== 'https:') return fail(raw, 'has a base that is not an http(s) URL.');
    } catch {
      return fail(raw, 'has a base that is not a URL.');
    }
  }
  const http = { ...(options.fetch !== undefined ? { fetch: options.fetch } : {}), ...(timeoutMs !== undefined ? { timeoutMs } : {}) };
  const limit = <P extends Provider>(p: P, dflt: number): P => withRateLimit(p, rate ?? dflt);
  const from = u.searchParams.get('from') ?? '';
  try {
    switch (scheme) {
      case 'smtp':
      case 'smtps': {
        if (u.hostname === '') return fail(raw, 'names no SMTP host.');
        if (from === '') return fail(raw, 'needs from=<sender address>.');
        const pool = numberParam(u, 'pool');
        if (Number.isNaN(pool)) return fail(raw, 'has a pool size that is not a positive number.');
        const secure = scheme === 'smtps';
        const email = smtpProvider({
          host: u.hostname,
          port: u.port === '' ? (secure ? 465 : 587) : Number(u.port),
          secure,
          ignoreTls: u.searchParams.get('starttls') === 'off',
          from,
          ...(u.username !== '' ? { user: decode(u.username), password: decode(u.password) } : {}),
          ...(pool !== undefined ? { maxConnections: pool } : {}),
          ...(timeoutMs !== undefined ? { timeoutMs } : {}),
          allowSelfSigned: u.searchParams.get('tls') === 'self-signed',
        });
        return E.right({ email: limit(email, Number.POSITIVE_INFINITY), sms: null });
      }
      case 'notify': {
        const apiKey = decode(u.username);
        if (parseNotifyKey(apiKey) === null) return fail(raw, 'needs the API key as its user part, in the form {key_name}-{service_id}-{secret}.');
        const any = u.searchParams.get('template');
        const emailTemplate = u.searchParams.get('email_template') ?? any;
        const smsTemplate = u.searchParams.get('sms_template') ?? any;
        if (emailTemplate === null && smsTemplate === null) return fail(raw, 'needs template=<template id> (or email_template= / sms_template=).');
        const common = { apiKey, baseUrl: httpBase(u), ...http, ...(options.now !== undefined ? { now: options.now } : {}) };
        return E.right({
          email: emailTemplate === null ? null : limit(notifyEmailProvider({ ...common, templateId: emailTemplate, ...(u.searchParams.get('reply_to') !== null ? { senderId: u.searchParams.get('reply_to')! } : {}) }), 50),
          sms: smsTemplate === null ? null : limit(notifySmsProvider({ ...common, templateId: smsTemplate, ...(u.searchParams.get('sms_sender') !== null ? { senderId: u.searchParams.get('sms_sender')! } : {}) }), 50),
        });
      }
      case 'twilio': {
        const accountSid = decode(u.username);
        const authToken = decode(u.password);
        if (accountSid === '' || authToken === '') return fail(raw, 'needs ACCOUNT_SID:AUTH_TOKEN as its user part.');
        const service = u.searchParams.get('messaging_service');
        if (from === '' && service === null) return fail(raw, 'needs from=<sending number> or messaging_service=<sid>.');
        const callback = u.searchParams.get('status_callback');
        const sms = twilioProvider({
          accountSid,
          authToken,
          ...(from !== '' ? { from } : {}),
          ...(service !== null ? { messagingServiceSid: service } : {}),
          ...(callback !== null ? { statusCallback: callback } : {}),
          baseUrl: httpBase(u),
          ...http,
        });
        return E.right({ email: null, sms: limit(sms, 10) });
      }
      case 'sendgrid': {
        const apiKey = decode(u.username);
        if (apiKey === '') return fail(raw, 'needs the API key as its user part.');
        if (from === '') return fail(raw, 'needs from=<sender address>.');
        const name = u.searchParams.get('from_name');
        const email = sendGridProvider({ apiKey, from, ...(name !== null ? { fromName: name } : {}), baseUrl: httpBase(u), ...http });
        return E.right({ email: limit(email, 100), sms: null });
      }
      default:
        return fail(raw, `has an unknown scheme "${scheme}"; use smtp, smtps, notify, twilio or sendgrid.`);
    }
  } catch (e) {
    return fail(raw, `could not be used: ${e instanceof Error ? e.message : 'unknown error'}`);
  }
};

/**
 * Several provider URLs, one provider per channel (`--provider smtp://... --provider twilio://...`): the
 * email provider comes from the URL that serves email, the text provider from the one that serves texts.
 * Two URLs serving the same channel are refused rather than one picked (a URL serving both, such as
 * GOV.UK Notify, takes both channels).
 */
export const providersFromUrls = (raws: ReadonlyArray<string>, options: ProviderUrlOptions = {}): E.Either<ProviderUrlError, ProviderSet> => {
  let email: EmailProvider | null = null;
  let sms: SmsProvider | null = null;
  const emailFrom: string[] = [];
  const smsFrom: string[] = [];
  for (const raw of raws) {
    const set = providerFromUrl(raw, options);
    if (E.isLeft(set)) return set;
    if (set.right.email !== null) {
      email = set.right.email;
      emailFrom.push(maskUrl(raw));
    }
    if (set.right.sms !== null) {
      sms = set.right.sms;
      smsFrom.push(maskUrl(raw));
    }
  }
  const twice = (what: string, from: ReadonlyArray<string>): E.Either<ProviderUrlError, never> =>
    E.left({ _tag: 'ProviderUrlError', message: `Two providers were given for ${what} (${from.join(' and ')}): give one provider per channel.` });
  if (emailFrom.length > 1) return twice('email', emailFrom);
  if (smsFrom.length > 1) return twice('text messages', smsFrom);
  return E.right({ email, sms });
};
