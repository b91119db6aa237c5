/**
 * The providers' webhook endpoints, free of any HTTP framework: a request's provider, raw body,
 * headers and URL in, a status and a JSON body out. The console mounts it at
 * `POST /webhooks/{sendgrid|twilio|ses|notify}`; a service of your own (examples/http-service) can too.
 * Callbacks are verified (signatures, tokens, certificates, freshness) before anything is written.
 */
import type { HandlerDeps } from '@contactable/core';
import {
  ingestCallback,
  memoryCallbackMemory,
  storeDirectory,
  type CallbackMemory,
  type CallbackProvider,
  type CallbackRejected,
  type WebhookConfigs,
} from '@contactable/adapters-messaging';
import { type Logger } from './log.js';

/** The providers whose callbacks the endpoints take. */
export const WEBHOOK_PROVIDERS: ReadonlyArray<CallbackProvider> = ['sendgrid', 'twilio', 'ses', 'notify'];

/** The HTTP status for a refused callback (the messaging README's table). */
export const statusForRejection = (reason: CallbackRejected['reason']): number => {
  switch (reason) {
    case 'unsigned':
      return 401;
    case 'bad-signature':
    case 'unauthorised':
    case 'untrusted-certificate':
    case 'stale':
      return 403;
    case 'malformed':
      return 400;
    case 'replayed':
      return 200;
    case 'misconfigured':
    case 'unknown-provider':
      return 500;
  }
};

/** What the webhook endpoints need. */
export interface WebhookOptions {
  readonly deps: HandlerDeps;
  readonly schoolId: string;
  /** The secrets and keys that verify each provider's callbacks; a provider without one is answered 500. */
  readonly webhooks: WebhookConfigs;
  /**
   * The public base URL the providers call (e.g. `https://contacts.school.example`): Twilio signs the exact
   * URL it called, which behind a proxy is not the one this process sees. Default: `http://` + Host header.
   */
  readonly publicUrl?: string;
  /** Visits an SNS SubscribeURL once a verified SubscriptionConfirmation arrives; without it the URL is logged. */
  readonly confirmSubscription?: (url: string) => Promise<void>;
  /** Replay guard (default: this process's memory). */
  readonly callbackMemory?: CallbackMemory;
  readonly logger: Logger;
}

/** One webhook request as it arrived. */
export interface WebhookRequest {
  readonly body: Buffer;
  readonly headers: Readonly<Record<string, string | ReadonlyArray<string> | undefined>>;
  /** The path and query the provider called (e.g. `/webhooks/twilio`). */
  readonly pathAndQuery: string;
  /** The Host header, used when no public URL is configured. */
  readonly host: string | undefined;
}

/** A status and a JSON body for the provider. */
export interface WebhookAnswer {
  readonly status: number;
  readonly body: Readonly<Record<string, unknown>>;
}

/** The webhook endpoint handler. */
export type WebhookHandler = (provider: string, request: WebhookRequest) => Promise<WebhookAnswer>;

/** Makes the handler. */
export const createWebhookHandler = (options: WebhookOptions): WebhookHandler => {
  const log = options.logger;
  const deps = {
    ...options.deps,
    schoolId: options.schoolId,
    directory: storeDirectory(options.deps.store),
    webhooks: options.webhooks,
    memory: options.callbackMemory ?? memoryCallbackMemory(),
    ...(options.confirmSubscription !== undefined ? { confirmSubscription: options.confirmSubscription } : {}),
  };
  return async (providerName, request) => {
    const provider = WEBHOOK_PROVIDERS.find((p) => p === providerName);
    if (provider === undefined) return { status: 404, body: { error: 'no such provider: use sendgrid, twilio, ses or notify' } };
    const base = options.publicUrl ?? `http://${request.host ?? '127.0.0.1'}`;
    const url = base.replace(/\/+$/, '') + request.pathAndQuery;
    const r = await ingestCallback(deps, provider, { body: request.body, headers: request.headers as Record<string, string>, url }, { verify: true });
    if (r._tag === 'Left') {
      const status = statusForRejection(r.left.reason);
      log.info(`callback ${provider}: refused (${r.left.reason}), answered ${status}`);
      // The rejection's message names what was wrong, never a personal value.
      return status === 200 ? { status, body: { replayed: true, written: 0 } } : { status, body: { error: r.left.message } };
    }
    const report = r.right;
    if (report.subscribeUrl !== null) log.info(`callback ${provider}: an SNS subscription awaits confirmation: visit ${report.subscribeUrl}`);
    log.info(`callback ${provider}: ${report.facts} facts, ${report.written} events, ${report.unmatched} unmatched, ${report.unchanged} unchanged, ${report.errors.length} refused`);
    return {
      status: 200,
      body: {
        provider: report.provider,
        facts: report.facts,
        written: report.written,
        unmatched: report.unmatched,
        unchanged: report.unchanged,
        ignored: report.ignored.length,
        errors: report.errors.length,
        subscriptionConfirmed: report.subscriptionConfirmed,
      },
    };
  };
};

/** The secrets that verify callbacks, from the environment (never from arguments, which shells log). */
export const webhookConfigsFromEnv = (env: NodeJS.ProcessEnv = process.env): WebhookConfigs => {
  const v = (name: string): string | undefined => {
    const s = env[name]?.trim();
    return s === undefined || s === '' ? undefined : s;
  };
  const sendgrid = v('CONTACTABLE_SENDGRID_WEBHOOK_KEY');
  const twilio = v('CONTACTABLE_TWILIO_AUTH_TOKEN');
  const sid = v('CONTACTABLE_TWILIO_ACCOUNT_SID');
  const notify = v('CONTACTABLE_NOTIFY_CALLBACK_TOKEN');
  // SNS signs for any topic in AWS: without the school's own topics, SES callbacks are refused (misconfigured).
  const topics = v('CONTACTABLE_SES_TOPIC_ARNS')?.split(',').map((t) => t.trim()).filter((t) => t !== '');
  return {
    ...(sendgrid !== undefined ? { sendgrid: { publicKey: sendgrid } } : {}),
    ...(twilio !== undefined ? { twilio: { authToken: twilio, ...(sid !== undefined ? { accountSid: sid } : {}) } } : {}),
    ...(notify !== undefined ? { notify: { bearerToken: notify } } : {}),
    ...(topics !== undefined && topics.length > 0 ? { ses: { topicArns: topics } } : {}),
  };
};
