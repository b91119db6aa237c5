/** One entry per provider: verify (unless told not to) and parse a raw callback. */
import * as E from 'fp-ts/lib/Either.js';
import type { CallbackProvider, WebhookConfigs } from './ingest.js';
import { NOTIFY_MAX_AGE_SECONDS, parseNotify, verifyNotify } from './notify.js';
import { parseSendGrid, verifySendGrid } from './sendgrid.js';
import { httpsCertificateFetcher, parseSes, sesFacts, snsEnvelope, verifySes } from './ses.js';
import { parseTwilio, verifyTwilio } from './twilio.js';
import { bodyText, rejected, type CallbackRejected, type ParsedCallback, type RawCallback } from './types.js';

/** How a provider's callbacks are checked and read. */
export type CallbackParser = (
  raw: RawCallback,
  configs: WebhookConfigs,
  options: { readonly verify: boolean; readonly nowMs: number; readonly nowIso: string },
) => Promise<E.Either<CallbackRejected, ParsedCallback>>;

const missing = (provider: string): E.Either<CallbackRejected, never> =>
  E.left(rejected(provider, 'misconfigured', `no ${provider} webhook settings are configured, so its callbacks cannot be verified`));

const sendgrid: CallbackParser = async (raw, configs, { verify, nowMs }) => {
  if (!verify) return parseSendGrid(raw, null);
  if (configs.sendgrid === undefined) return missing('sendgrid');
  const v = verifySendGrid(raw, configs.sendgrid, nowMs);
  return E.isLeft(v) ? v : parseSendGrid(raw, v.right.callbackId);
};

const twilio: CallbackParser = async (raw, configs, { verify, nowMs, nowIso }) => {
  if (!verify) return parseTwilio(raw, nowIso);
  if (configs.twilio === undefined) return missing('twilio');
  const v = verifyTwilio(raw, configs.twilio);
  if (E.isLeft(v)) return v;
  return parseTwilio(raw, nowIso, { verified: true, nowMs, config: configs.twilio });
};

let defaultFetcher: ReturnType<typeof httpsCertificateFetcher> | null = null;

const ses: CallbackParser = async (raw, configs, { verify, nowMs }) => {
  const env = snsEnvelope(raw);
  if (E.isLeft(env)) {
    // Raw message delivery (no SNS envelope) cannot be verified; it is read only when told not to verify.
    if (verify) return env;
    try {
      const event = JSON.parse(bodyText(raw.body)) as Record<string, unknown>;
      if (typeof event.notificationType !== 'string' && typeof event.eventType !== 'string') return env;
      const { facts, ignored } = sesFacts(event, 'raw', new Date(nowMs).toISOString());
      return E.right({ provider: 'ses', facts, ignored, callbackId: null });
    } catch {
      return env;
    }
  }
  if (!verify) return parseSes(env.right, null);
  if (configs.ses === undefined) return missing('ses');
  const config = configs.ses.fetchCertificate !== undefined ? configs.ses : { ...configs.ses, fetchCertificate: (defaultFetcher ??= httpsCertificateFetcher()) };
  const v = await verifySes(env.right, config, nowMs);
  return E.isLeft(v) ? v : parseSes(env.right, `ses:${env.right.MessageId}`);
};

const notify: CallbackParser = async (raw, configs, { verify, nowMs, nowIso }) => {
  if (!verify) return parseNotify(raw, nowIso);
  if (configs.notify === undefined) return missing('notify');
  const v = verifyNotify(raw, configs.notify);
  if (E.isLeft(v)) return v;
  return parseNotify(raw, nowIso, { nowMs, maxAgeSeconds: configs.notify.maxAgeSeconds ?? NOTIFY_MAX_AGE_SECONDS });
};

const parsers: Record<CallbackProvider, CallbackParser> = { sendgrid, twilio, ses, notify };

/** The parser for a provider name, or null for an unknown one. */
export const callbackParserFor = (provider: string): CallbackParser | null =>
  Object.prototype.hasOwnProperty.call(parsers, provider) ? parsers[provider as CallbackProvider] : null;
