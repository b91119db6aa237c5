/**
 * Ingesting a provider callback: verify, parse, map each fact's address to contacts through the
 * Directory, and apply the core commands with deterministic command ids. A refused callback writes
 * nothing. With `verify: false` (the CLI's `--unverified`, for payloads saved elsewhere) checks are
 * skipped and events record `actor.verified = false`.
 *
 * Every verified callback passes two guards: its provider's freshness window (a callback older than it
 * is refused as `stale`) and the replay guard (a callback id already applied is refused as `replayed`;
 * by default the guard is kept in the event log, so every process sees it). Neither writes anything.
 *
 * HTTP services: answer 2xx to a report, 401/403 to `unsigned`, `bad-signature`, `unauthorised`,
 * `untrusted-certificate` and `stale`, 400 to `malformed`, 500 to `misconfigured`, and 200 to
 * `replayed` (the provider is retrying something already applied).
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  contactDecider,
  contactStream,
  handleCommand,
  type Actor,
  type HandlerDeps,
} from '@contactable/core';
import type { Directory } from '../directory/port.js';
import { commandFor, commandIdFor, reasonCodeFor, reasonFor } from './commands.js';
import { logCallbackMemory, type CallbackMemory } from './memory.js';
import { callbackParserFor } from './providers.js';
import { rejected, type CallbackFact, type CallbackRejected, type ParsedCallback, type RawCallback } from './types.js';
import type { NotifyWebhookConfig } from './notify.js';
import type { SendGridWebhookConfig } from './sendgrid.js';
import type { SesWebhookConfig } from './ses.js';
import type { TwilioWebhookConfig } from './twilio.js';

/** The providers whose callbacks are understood. */
export type CallbackProvider = 'sendgrid' | 'twilio' | 'ses' | 'notify';

/** The secrets and keys that verify each provider's callbacks. */
export interface WebhookConfigs {
  readonly sendgrid?: SendGridWebhookConfig;
  readonly twilio?: TwilioWebhookConfig;
  readonly ses?: SesWebhookConfig;
  readonly notify?: NotifyWebhookConfig;
}

/** What ingesting needs. */
export interface CallbackDeps extends HandlerDeps {
  readonly schoolId: string;
  readonly directory: Directory;
  readonly webhooks: WebhookConfigs;
  /** Verified callbacks already applied (the replay guard); defaults to the event log (`logCallbackMemory`). */
  readonly memory?: CallbackMemory;
  /** Visits an SNS SubscribeURL (only ever for a verified confirmation); without it the URL is returned to the caller. */
  readonly confirmSubscription?: (url: string) => Promise<void>;
}

/** What an ingested callback did. Ids and counts only. */
export interface IngestReport {
  readonly provider: CallbackProvider;
  readonly verified: boolean;
  /** The callback's id (from what the provider signed) under which it is remembered; null when unverified. */
  readonly callbackId: string | null;
  /** Facts the callback reported (deliveries, failures, complaints, opt-outs, opt-ins). */
  readonly facts: number;
  /** Facts about an address no contact holds now. */
  readonly unmatched: number;
  /** Events appended. */
  readonly written: number;
  /** Fact-contact pairs that changed nothing: seen before, older than what is known, or already so. */
  readonly unchanged: number;
  /** Provider events that mean nothing here (opens, clicks...). */
  readonly ignored: ReadonlyArray<string>;
  /** Commands the core refused (e.g. an opt-out for a deleted contact), as office-readable messages. */
  readonly errors: ReadonlyArray<string>;
  /** An SNS subscription to confirm (visit it) when it was not confirmed here. */
  readonly subscribeUrl: string | null;
  readonly subscriptionConfirmed: boolean;
}

/** Verifies, parses, maps and applies one provider callback. */
export const ingestCallback = async (
  deps: CallbackDeps,
  provider: CallbackProvider,
  raw: RawCallback,
  options: { readonly verify: boolean },
): Promise<E.Either<CallbackRejected, IngestReport>> => {
  const nowIso = deps.clock.now();
  const nowMs = Date.parse(nowIso);
  const memory = deps.memory ?? logCallbackMemory(deps);
  const parser = callbackParserFor(provider);
  if (parser === null) return E.left(rejected(String(provider), 'unknown-provider', 'use sendgrid, twilio, ses or notify'));

  const parsed: E.Either<CallbackRejected, ParsedCallback> = await parser(raw, deps.webhooks, { verify: options.verify, nowMs, nowIso });
  if (E.isLeft(parsed)) return parsed;
  const p = parsed.right;
  if (options.verify && p.callbackId !== null && (await memory.seen(p.callbackId))) {
    return E.left(rejected(provider, 'replayed', `callback ${p.callbackId} was already applied (a provider retry or a replay); nothing was written`));
  }

  let subscriptionConfirmed = false;
  if (p.subscribeUrl !== undefined && options.verify && deps.confirmSubscription !== undefined) {
    await deps.confirmSubscription(p.subscribeUrl);
    subscriptionConfirmed = true;
  }

  const actor: Actor = { kind: 'provider', provider, verified: options.verify };
  let unmatched = 0;
  let written = 0;
  let unchanged = 0;
  let retryable = false;
  const errors: string[] = [];

  const apply = async (fact: CallbackFact, contactId: string): Promise<void> => {
    // Consent replies are ordered by the contact decider: the latest wish by the provider's clock wins.
    const r = await handleCommand(deps, contactDecider, contactStream(contactId), commandFor(provider, fact, contactId), {
      schoolId: deps.schoolId,
      actor,
      reason: reasonFor(provider, fact),
      reasonCode: reasonCodeFor(fact),
      commandId: commandIdFor(provider, fact, contactId),
      correlationId: `callback:${provider}:${fact.feedbackId}`,
    });
    if (E.isLeft(r)) {
      if (r.left._tag !== 'DomainError') retryable = true;
      errors.push(r.left.message);
      return;
    }
    if (r.right.appended.length === 0) unchanged += 1;
    written += r.right.appended.length;
  };

  for (const fact of p.facts) {
    const contacts = await deps.directory.contactsByAddress(fact.channel, fact.address);
    if (contacts.length === 0) unmatched += 1;
    for (const contactId of contacts) await apply(fact, contactId);
  }

  // Remembered only once applied, so a provider retry after a failure here is not refused. A callback
  // with no facts (opens, clicks, a subscription) changes nothing however often it comes.
  if (options.verify && p.callbackId !== null && !retryable && p.facts.length > 0) {
    await memory.remember({ provider, callbackId: p.callbackId, facts: p.facts.length, eventsWritten: written });
  }

  return E.right({
    provider,
    verified: options.verify,
    callbackId: options.verify ? p.callbackId : null,
    facts: p.facts.length,
    unmatched,
    written,
    unchanged,
    ignored: p.ignored,
    errors,
    subscribeUrl: p.subscribeUrl !== undefined && !subscriptionConfirmed ? p.subscribeUrl : null,
    subscriptionConfirmed,
  });
};
