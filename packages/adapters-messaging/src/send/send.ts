/**
 * Sending a message to an audience (R-CON-9), as an outbox:
 *
 * 1. The intent is recorded first: MessageRequested + RecipientsResolved on `message-<id>`, with
 *    everyone skipped and why. Nothing is sent before that append succeeds.
 * 2. Recipients go out in batches. Before a batch is handed to the provider its attempt marker
 *    (SendBatchStarted) is appended; each recipient's contactability is checked again just before,
 *    so an opt-out or block that lands mid-send is honoured.
 * 3. As soon as the provider accepts, MessageSent is appended to the contact's stream with the
 *    provider's id (command id `message-sent:<message>:<contact>`, so a retried append cannot double-write).
 *
 * Each recipient ends one of four ways. *Sent* (MessageSent). *Refused*: the provider will not take it
 * for this recipient (MessageSendFailed). *Not sent*: the message was never handed over (the server
 * refused the connection, our account was refused, a transient refusal outlasted the retries): the
 * marker is lifted (SendAttemptsReleased) and a re-run sends it. *In doubt*: handed over with no known
 * outcome (a timeout after the hand-over), or marked by a run that stopped before recording what
 * happened (RecipientInDoubt). A provider that can be searched by our reference (GOV.UK Notify) is asked
 * first; otherwise an in-doubt recipient is never sent to again until staff decide (`resendInDoubt`,
 * recorded with who decided). The resend carries the same idempotency key (SMTP Message-ID, SendGrid
 * custom args, Notify reference), so the provider or the receiving side can still recognise a copy.
 * The in-doubt window is one batch wide at most (batchSize, default 8; 1 makes it a single recipient).
 * A message completes only when every recipient is sent, refused or skipped.
 *
 * Contacts sharing one address (a family email) get one message; MessageSent is recorded for each.
 *
 * The outbox: step 1 alone (`queueMessage`) needs no provider. A message queued so (confirmations of
 * new details when the import had no provider for a channel) waits, requested and not completed, until
 * `sendPending` finds it and sends it through the provider for its channel.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  contactDecider,
  contactStream,
  hasMessageOutcome,
  handleCommand,
  type Actor,
  type Audience,
  type Channel,
  type HandlerDeps,
  type MessagePurpose,
  type MessageRecord,
  type SkippedRecipient,
  decodeEvent,
  parseStreamId,
  readAllEvents,
  type EventStore,
} from '@contactable/core';
import { normaliseAddress } from '../addresses.js';
import { isDirectoryError, type Directory } from '../directory/port.js';
import { describeProviderError, type EmailProvider, type Provider, type SmsProvider } from '../ports.js';
import { realTiming } from '../rateLimit.js';
import { defaultRetryPolicy, sendWithRetry, type RetryPolicy } from '../retry.js';
import { openLedger, type Ledger } from './ledger.js';
import { heldAt, readRecipients } from './recipient.js';
import { resolveRecipients, unusableReasons } from './resolve.js';

/** What recording a message in the outbox needs (no provider: a queued message can wait for one). */
export interface OutboxDeps extends HandlerDeps {
  readonly schoolId: string;
  readonly directory: Directory;
  /** Who asked for the send (recorded on every event); defaults to the system. */
  readonly actor?: Actor;
}

/** What sending needs. */
export interface SendDeps extends OutboxDeps {
  readonly email?: EmailProvider | null;
  readonly sms?: SmsProvider | null;
  /** Backoff waits go through this (tests pass a fake). */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly retry?: Partial<RetryPolicy>;
  /** Recipients handed to the provider under one attempt marker, sent concurrently (default 8). */
  readonly batchSize?: number;
  /**
   * Send once more to every recipient in doubt (default false: never risk a duplicate). The decision is
   * recorded (InDoubtResendDecided) with `actor` as who decided: give the person's name.
   */
  readonly resendInDoubt?: boolean;
}

/** A message to send. */
export interface OutgoingMessage {
  /** Chosen by the caller and reused on a re-run: the same id resumes the same send. */
  readonly messageId: string;
  readonly channel: Channel;
  readonly subject: string | null;
  readonly body: string;
  /** Days to keep the subject and body before they are erased (default: the school's message retention). */
  readonly retentionDays?: number;
}

/** Why a send did not start (nothing was sent). */
export interface SendError {
  readonly _tag: 'SendError';
  readonly code: 'no-provider' | 'audience' | 'refused' | 'store' | 'not-found';
  readonly message: string;
}

/** What a send did. Ids only: no addresses. */
export interface SendReport {
  readonly messageId: string;
  readonly channel: Channel;
  readonly provider: string;
  /** Sent in this run, with the provider's message id (contacts sharing an address share one message). */
  readonly sent: ReadonlyArray<{ readonly contactId: string; readonly providerMessageId: string }>;
  /** Messages actually handed to the provider in this run: one per address or number, however many contacts hold it. */
  readonly handedOver: number;
  /** Sent by an earlier run of the same message (not sent again). */
  readonly alreadySent: ReadonlyArray<string>;
  /** Left out, with reasons (R-CON-9): at resolution, or because they stopped being contactable before their turn. */
  readonly skipped: ReadonlyArray<SkippedRecipient>;
  /** Refused by the provider for that recipient, with the error. */
  readonly failed: ReadonlyArray<{ readonly contactId: string; readonly error: string }>;
  /** Every recipient of the message now in doubt (this run's and earlier runs'), with why; not sent again unless staff decide. */
  readonly inDoubt: ReadonlyArray<{ readonly contactId: string; readonly detail: string }>;
  /** Recipients never handed over (refused before the hand-over, or the run stopped before their turn), with why when known: a re-run sends them. */
  readonly notSent: ReadonlyArray<{ readonly contactId: string; readonly error: string | null }>;
  /** Recipients in doubt that this run sent to once more, on staff's decision. */
  readonly resent: ReadonlyArray<string>;
  /** Every recipient has an outcome (sent, refused or skipped) and MessageCompleted is recorded. */
  readonly completed: boolean;
  /** Why the run stopped early (a problem with our provider account), or null. */
  readonly stopped: string | null;
  /** Things the office should know that are not failures (a send that went out but could not be recorded). */
  readonly warnings: ReadonlyArray<string>;
}

const sendError = (code: SendError['code'], message: string): E.Either<SendError, never> => E.left({ _tag: 'SendError', code, message });

interface Unit {
  readonly address: string;
  readonly to: string;
  readonly contacts: Array<{ readonly contactId: string; readonly held: string }>;
}

const IN_DOUBT = 'an earlier run handed this recipient to the provider (or was about to) and stopped before recording the outcome';

/** A message recorded in the outbox: its intent and resolved audience, nothing sent yet. */
export interface QueuedMessage {
  readonly messageId: string;
  readonly channel: Channel;
  readonly purpose: MessagePurpose;
  readonly recipients: number;
  readonly skipped: number;
}

// The reason code (kept in the clear) says what kind of send wrote the event; nothing personal in it.
const contextOf = (deps: OutboxDeps, messageId: string, purpose?: MessagePurpose) => ({
  schoolId: deps.schoolId,
  actor: deps.actor ?? ({ kind: 'system', name: 'messaging' } as Actor),
  correlationId: messageId,
  ...(purpose === undefined ? {} : { reasonCode: purpose === 'confirmation' ? 'detail-confirmation' : 'message-send' }),
});

// Step 1, the intent: recorded once (a re-run with the same content records nothing; other content under the same id is refused).
const openRequest = async (
  deps: OutboxDeps,
  message: OutgoingMessage & { readonly purpose: MessagePurpose },
  audience: Audience,
  expected: ReadonlyMap<string, string>,
): Promise<E.Either<SendError, Ledger>> => {
  const { messageId, channel } = message;
  const opened = await openLedger(deps, messageId, contextOf(deps, messageId, message.purpose));
  if (E.isLeft(opened)) return sendError('store', opened.left.message);
  const ledger = opened.right;
  // Its subject and body were erased by the message retention rule: sending now would send XXXX.
  const before = ledger.state();
  if (before.status !== 'absent' && before.contentErased) {
    return sendError('refused', `Message ${messageId}'s content was erased by the message retention rule, so nothing more can be sent for it; send a new message.`);
  }
  const request = {
    type: 'RequestMessage' as const,
    messageId,
    channel,
    subject: message.subject,
    body: message.body,
    audience,
    purpose: message.purpose,
    ...(message.retentionDays === undefined ? {} : { retentionDays: message.retentionDays }),
  };
  if (ledger.state().status === 'absent') {
    const resolution = await resolveRecipients(deps.directory, audience, channel, expected);
    if (isDirectoryError(resolution)) return sendError('audience', resolution.message);
    const requested = await ledger.record({ ...request, recipients: resolution.recipients, skipped: resolution.skipped }, `request:${messageId}`);
    if (E.isLeft(requested)) return sendError('refused', requested.left.message);
  } else {
    const same = await ledger.record({ ...request, recipients: [], skipped: [] });
    if (E.isLeft(same)) return sendError('refused', same.left.message);
  }
  return E.right(ledger);
};

/** Records a message in the outbox (intent and resolved audience) without sending it: `sendPending` sends it later. */
export const queueMessage = async (
  deps: OutboxDeps,
  message: OutgoingMessage & { readonly purpose: MessagePurpose },
  audience: Audience,
  expected: ReadonlyMap<string, string> = new Map(),
): Promise<E.Either<SendError, QueuedMessage>> => {
  const opened = await openRequest(deps, message, audience, expected);
  if (E.isLeft(opened)) return opened;
  const m = opened.right.state() as MessageRecord;
  return E.right({ messageId: m.messageId, channel: m.channel, purpose: m.purpose, recipients: m.recipients.length, skipped: m.skipped.length });
};

/** The shared path of messages and confirmations; `expected` pins the address a confirmation is for. */
export const runSend = async (
  deps: SendDeps,
  message: OutgoingMessage & { readonly purpose: MessagePurpose },
  audience: Audience,
  expected: ReadonlyMap<string, string> = new Map(),
): Promise<E.Either<SendError, SendReport>> => {
  const { messageId, channel } = message;
  const provider: Provider | null | undefined = channel === 'email' ? deps.email : deps.sms;
  if (provider === null || provider === undefined) {
    return sendError('no-provider', `No ${channel === 'email' ? 'email' : 'text message'} provider is configured, so message ${messageId} was not sent.`);
  }
  const context = contextOf(deps, messageId, message.purpose);
  const policy: RetryPolicy = { ...defaultRetryPolicy, ...deps.retry };
  const sleep = deps.sleep ?? realTiming.sleep;
  const batchSize = Math.max(1, Math.floor(deps.batchSize ?? 8));

  // 1. The intent, before anything is sent.
  const opened = await openRequest(deps, message, audience, expected);
  if (E.isLeft(opened)) return opened;
  const ledger = opened.right;
  const current = (): MessageRecord => ledger.state() as MessageRecord;
  // A confirmation sent later than it was queued must still find the detail held when it was queued.
  const requestedAt = ledger.requestedAt();
  const pinned = async (contactId: string): Promise<string | undefined> => {
    const given = expected.get(contactId);
    if (given !== undefined || message.purpose !== 'confirmation' || requestedAt === null) return given;
    return (await heldAt(deps.store, contactId, channel, requestedAt)) ?? '';
  };

  const sent: Array<{ contactId: string; providerMessageId: string }> = [];
  const alreadySent: string[] = [];
  const warnings: string[] = [];
  const sentTo = new Map<string, string>();
  const failedTo = new Map<string, string>();
  const notSent = new Map<string, string | null>();
  let stopped: string | null = null;
  let handedOver = 0;

  // Staff's decision comes first, recorded with who made it: the in-doubt recipients wait for the batches again.
  const resent = deps.resendInDoubt === true ? [...current().inDoubt.keys()] : [];
  if (resent.length > 0) {
    const decided = await ledger.record(
      { type: 'DecideResendInDoubt', messageId, contactIds: resent },
      `resend-in-doubt:${messageId}:${current().batches}:${resent.join(',')}`,
    );
    if (E.isLeft(decided)) return sendError('refused', decided.left.message);
  }

  const recordSent = async (contactId: string, held: string, providerMessageId: string): Promise<void> => {
    const r = await handleCommand(deps, contactDecider, contactStream(contactId), {
      type: 'RecordMessageSent', contactId, messageId, channel, address: held, provider: provider.name, providerMessageId, purpose: message.purpose,
    }, { ...context, commandId: `message-sent:${messageId}:${contactId}` });
    if (E.isLeft(r)) warnings.push(`Contact ${contactId}: the message went out but could not be recorded (${r.left.message}); a re-run will show it in doubt.`);
    sent.push({ contactId, providerMessageId });
  };

  const recordFailure = async (contactId: string, error: string): Promise<void> => {
    const r = await ledger.record({ type: 'RecordSendFailure', messageId, contactId, error });
    if (E.isLeft(r)) warnings.push(`Contact ${contactId}: the failure could not be recorded (${r.left.message}).`);
  };

  const recordInDoubt = async (contactId: string, detail: string): Promise<void> => {
    const r = await ledger.record({ type: 'RecordInDoubt', messageId, contactId, detail });
    if (E.isLeft(r)) warnings.push(`Contact ${contactId}: being in doubt could not be recorded (${r.left.message}).`);
  };

  const release = async (contactIds: ReadonlyArray<string>, reason: string): Promise<void> => {
    for (const id of contactIds) notSent.set(id, reason);
    const released = await ledger.record({ type: 'ReleaseSendAttempts', messageId, contactIds, reason });
    if (E.isLeft(released)) warnings.push(released.left.message);
  };

  // Marked by an earlier run with no outcome: ask the provider when it can be asked; otherwise in doubt.
  const settle = async (contactId: string, held: string, address: string): Promise<'settled' | 'unsent' | 'in-doubt'> => {
    if (provider.lookup === undefined) return 'in-doubt';
    const found = await provider.lookup(`${messageId}:${contactId}`);
    if (E.isLeft(found)) return 'in-doubt';
    if (found.right !== null) {
      await recordSent(contactId, held, found.right.providerMessageId);
      sentTo.set(address, found.right.providerMessageId);
      return 'settled';
    }
    // The provider has nothing under our reference: it was never taken, so the marker can go.
    const released = await ledger.record({ type: 'ReleaseSendAttempts', messageId, contactIds: [contactId], reason: `${provider.name} has no message under our reference` });
    return E.isLeft(released) ? 'in-doubt' : 'unsent';
  };

  const sendUnit = async (unit: Unit): Promise<void> => {
    const key = unit.contacts[0]!.contactId;
    const ids = unit.contacts.map((c) => c.contactId);
    const { result } = await sendWithRetry(provider, { to: unit.to, subject: message.subject, body: message.body, messageId, contactId: key, reference: `${messageId}:${key}` }, policy, sleep);
    if (E.isRight(result)) {
      handedOver += 1;
      sentTo.set(unit.address, result.right.providerMessageId);
      for (const c of unit.contacts) await recordSent(c.contactId, c.held, result.right.providerMessageId);
      return;
    }
    const err = result.left;
    const text = describeProviderError(err);
    if (err.ambiguous) {
      // Handed over, no answer: it may have gone. Never sent again without a decision.
      for (const id of ids) await recordInDoubt(id, `${text}; the provider may have taken it`);
      return;
    }
    if (err.scope === 'account') {
      // Our account, configuration or the provider being unreachable: nobody was handed over; stop, and a re-run sends once it is fixed.
      stopped ??= text;
      await release(ids, text);
      return;
    }
    if (err.kind === 'retryable') {
      // Refused for now (and still after the retries), before the hand-over: not sent; a re-run tries again.
      await release(ids, text);
      return;
    }
    failedTo.set(unit.address, text);
    for (const id of ids) await recordFailure(id, text);
  };

  const pending = current().recipients.filter((id) => !hasMessageOutcome(current(), id));
  let next = 0;
  for (; next < pending.length && stopped === null; next += batchSize) {
    const views = await readRecipients(deps.store, pending.slice(next, next + batchSize), messageId);
    const units = new Map<string, Unit>();
    for (const v of views) {
      if (v.sent !== null) {
        alreadySent.push(v.contactId);
        sentTo.set(normaliseAddress(channel, v.sent.address), v.sent.providerMessageId);
        continue;
      }
      if (hasMessageOutcome(current(), v.contactId)) continue;
      // R-CON-9 at the moment of sending, through the core's policy.
      const reasons = unusableReasons(v.state, channel, await pinned(v.contactId));
      if (reasons.length > 0 || v.state.status !== 'active') {
        const r = await ledger.record({ type: 'RecordRecipientSkipped', messageId, contactId: v.contactId, reasons: reasons.length > 0 ? reasons : ['the contact is not held'] });
        if (E.isLeft(r)) warnings.push(r.left.message);
        continue;
      }
      const held = (channel === 'email' ? v.state.email : v.state.mobile)!.value;
      const address = normaliseAddress(channel, held);
      const reached = sentTo.get(address);
      if (reached !== undefined) {
        await recordSent(v.contactId, held, reached);
        continue;
      }
      const failedBefore = failedTo.get(address);
      if (failedBefore !== undefined) {
        await recordFailure(v.contactId, failedBefore);
        continue;
      }
      if (current().attempted.has(v.contactId)) {
        const settled = await settle(v.contactId, held, address);
        if (settled === 'settled') continue;
        if (settled === 'in-doubt') {
          await recordInDoubt(v.contactId, IN_DOUBT);
          continue;
        }
      }
      const unit = units.get(address) ?? { address, to: held, contacts: [] };
      unit.contacts.push({ contactId: v.contactId, held });
      units.set(address, unit);
    }
    if (units.size === 0) continue;
    // 2. The attempt marker, before the provider is called.
    const marked = await ledger.record({ type: 'StartSendBatch', messageId, contactIds: [...units.values()].flatMap((u) => u.contacts.map((c) => c.contactId)) });
    if (E.isLeft(marked)) {
      stopped = marked.left.message;
      break;
    }
    // 3. Send; the provider's rate limiter spaces the calls.
    await Promise.all([...units.values()].map(sendUnit));
  }

  // Those the run did not reach: not sent, unless an earlier run sent them (their streams say).
  const unreached = pending.slice(next).filter((id) => !hasMessageOutcome(current(), id));
  for (const v of await readRecipients(deps.store, unreached, messageId)) {
    if (v.sent !== null) alreadySent.push(v.contactId);
    else if (!notSent.has(v.contactId)) notSent.set(v.contactId, null);
  }

  let completed = current().status === 'completed';
  if (stopped === null && !completed && notSent.size === 0 && current().inDoubt.size === 0) {
    const m = current();
    const done = await ledger.record({
      type: 'CompleteMessage',
      messageId,
      outcome: { sent: alreadySent.length + new Set(sent.map((s) => s.contactId)).size, failed: m.failed.size, skipped: m.skipped.length + m.skippedLate.size },
    });
    if (E.isLeft(done)) warnings.push(done.left.message);
    completed = current().status === 'completed';
  }
  const m = current();
  return E.right({
    messageId,
    channel,
    provider: provider.name,
    sent,
    handedOver,
    alreadySent,
    skipped: [...m.skipped, ...[...m.skippedLate].map(([contactId, reasons]) => ({ contactId, memberId: null, reasons: [...reasons] }))],
    failed: [...m.failed].map(([contactId, error]) => ({ contactId, error })),
    inDoubt: [...m.inDoubt].map(([contactId, detail]) => ({ contactId, detail })),
    notSent: [...notSent].map(([contactId, error]) => ({ contactId, error })),
    resent: resent.filter((id) => sent.some((s) => s.contactId === id)),
    completed,
    stopped,
    warnings,
  });
};

/**
 * Carries on with a message already requested, with the content and audience recorded for it: finishes
 * it, or (with `resendInDoubt`) sends once more to the recipients in doubt.
 */
export const resumeSend = async (deps: SendDeps, messageId: string): Promise<E.Either<SendError, SendReport>> => {
  const opened = await openLedger(deps, messageId, contextOf(deps, messageId));
  if (E.isLeft(opened)) return sendError('store', opened.left.message);
  const m = opened.right.state();
  if (m.status === 'absent') return sendError('not-found', `Message ${messageId} was never requested: check the message id.`);
  return runSend(deps, { messageId, channel: m.channel, subject: m.subject, body: m.body, purpose: m.purpose }, m.audience);
};

/** A message in the outbox not yet completed (queued without a provider, or stopped part-way). */
export interface PendingMessage {
  readonly messageId: string;
  readonly channel: Channel;
  readonly purpose: MessagePurpose;
  /** Its request's log position (oldest first). */
  readonly position: number;
}

/** The school's messages requested and neither completed nor erased by retention, oldest first (a scan of the log). */
export const pendingMessages = async (store: EventStore, schoolId: string): Promise<ReadonlyArray<PendingMessage>> => {
  const open = new Map<string, PendingMessage>();
  for await (const raw of readAllEvents(store)) {
    if (parseStreamId(raw.streamId)?.category !== 'message' || (raw.type !== 'MessageRequested' && raw.type !== 'MessageCompleted' && raw.type !== 'MessageContentErased')) continue;
    const decoded = decodeEvent(raw);
    if (E.isLeft(decoded)) throw new Error(decoded.left.message);
    const e = decoded.right;
    if (e.metadata.schoolId !== schoolId) continue;
    if (e.type === 'MessageRequested') open.set(e.data.messageId, { messageId: e.data.messageId, channel: e.data.channel, purpose: e.data.purpose, position: raw.position });
    // Complete, or its content erased by retention (nothing is left to send): no longer waiting.
    else if (e.type === 'MessageCompleted' || e.type === 'MessageContentErased') open.delete(e.data.messageId);
  }
  return [...open.values()].sort((a, b) => a.position - b.position);
};

/** What `sendPending` did: a report per message sent (or resumed), and the messages still waiting for a provider. */
export interface PendingOutcome {
  readonly reports: ReadonlyArray<SendReport>;
  readonly waiting: ReadonlyArray<PendingMessage>;
  /** Messages that could not be sent, with why (the rest still went). */
  readonly errors: ReadonlyArray<{ readonly messageId: string; readonly message: string }>;
}

/** Sends every message waiting in the outbox whose channel has a provider; the others keep waiting. */
export const sendPending = async (deps: SendDeps, options: { readonly purpose?: MessagePurpose } = {}): Promise<E.Either<SendError, PendingOutcome>> => {
  let pending: ReadonlyArray<PendingMessage>;
  try {
    pending = await pendingMessages(deps.store, deps.schoolId);
  } catch (e) {
    return sendError('store', e instanceof Error ? e.message : String(e));
  }
  const reports: SendReport[] = [];
  const waiting: PendingMessage[] = [];
  const errors: Array<{ messageId: string; message: string }> = [];
  for (const p of pending) {
    if (options.purpose !== undefined && p.purpose !== options.purpose) continue;
    const provider = p.channel === 'email' ? deps.email : deps.sms;
    if (provider === null || provider === undefined) {
      waiting.push(p);
      continue;
    }
    const opened = await openLedger(deps, p.messageId, contextOf(deps, p.messageId));
    if (E.isLeft(opened)) return sendError('store', opened.left.message);
    const m = opened.right.state();
    if (m.status === 'absent') continue;
    const r = await runSend(deps, { messageId: m.messageId, channel: m.channel, subject: m.subject, body: m.body, purpose: m.purpose }, m.audience);
    if (E.isLeft(r)) errors.push({ messageId: p.messageId, message: r.left.message });
    else reports.push(r.right);
  }
  return E.right({ reports, waiting, errors });
};

/** Sends a message to an audience (a group, members' prime parents, contacts with parental responsibility, or given contacts). */
export const send = (deps: SendDeps, message: OutgoingMessage, audience: Audience): Promise<E.Either<SendError, SendReport>> =>
  runSend(deps, { ...message, purpose: 'message' }, audience);
