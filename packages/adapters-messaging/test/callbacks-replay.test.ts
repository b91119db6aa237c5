/**
 * The guards every verified callback passes: its provider's freshness window (older is refused as
 * stale) and the replay guard kept in the event log (a callback applied once is refused as replayed, in
 * any process). Twilio JSON bodies must be covered by bodySHA256. Refusals write nothing.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { sequentialIds, steppingClock, type EventStore } from '@contactable/core';
import { appliedCallbackStream, ingestCallback, storeDirectory, type CallbackDeps, type CallbackProvider, type RawCallback } from '@contactable/adapters-messaging';
import { MOBILE, PARENT, callbackSchool } from './support/callbacks.js';
import { makeSigners, malleated, notifyPost, sendgridPost, snsPost, twilioForm, twilioJson, type Signers } from './support/signers.js';
import { SCHOOL, eventCount, streamEvents } from './support/world.js';

const NOW = '2026-09-01T10:00:00.000Z';
const NOW_S = Date.parse(NOW) / 1000;
const s: Signers = makeSigners();

// A new process each time: no memory but the log (the default guard).
const process_ = (store: EventStore, now = NOW): CallbackDeps => ({
  store,
  clock: steppingClock(now, 1),
  ids: sequentialIds(`p-${Math.random()}`),
  schoolId: SCHOOL,
  directory: storeDirectory(store),
  webhooks: s.webhooks,
});

const reason = (r: E.Either<{ reason: string }, unknown>): string => (E.isLeft(r) ? r.left.reason : 'accepted');

let n = 0;
const sid = () => `SM${String(++n).padStart(32, '0')}`;

describe('callback freshness and replay', () => {
  it('R-CON-5: a Twilio JSON body without bodySHA256 in the signed URL is refused (its body is not authenticated); with it, accepted', async () => {
    const store = await callbackSchool();
    const body = { AccountSid: 'AC1', MessageSid: sid(), MessageStatus: 'undelivered', ErrorCode: '30005', To: MOBILE };
    const count = await eventCount(store);
    const without = await ingestCallback(process_(store), 'twilio', twilioJson(s, body, { bodyHash: false }), { verify: true });
    expect(E.isLeft(without) && without.left).toMatchObject({ reason: 'unsigned', message: expect.stringMatching(/bodySHA256/) });
    expect(await eventCount(store)).toBe(count);
    // The same JSON relabelled as a form post: its signature covers no parameters, so it fails.
    const relabelled = { ...twilioJson(s, body, { bodyHash: false }), headers: { ...twilioJson(s, body, { bodyHash: false }).headers, 'Content-Type': 'application/x-www-form-urlencoded' } };
    expect(reason(await ingestCallback(process_(store), 'twilio', relabelled, { verify: true }))).not.toBe('accepted');
    const signed = await ingestCallback(process_(store), 'twilio', twilioJson(s, body, { bodyHash: true }), { verify: true });
    expect(E.isRight(signed) && signed.right.written).toBe(1);
  });

  it('R-CON-5: Twilio signed times are held to the window: the send time t in the URL and RawDlrDoneDate; too old or in the future is stale', async () => {
    const store = await callbackSchool();
    const status = (extra: Record<string, string> = {}) => ({ AccountSid: 'AC1', MessageSid: sid(), MessageStatus: 'delivered', To: MOBILE, ...extra });
    const at = (seconds: number) => `${s.twilioUrl}&t=${seconds}`;
    const count = await eventCount(store);
    expect(reason(await ingestCallback(process_(store), 'twilio', twilioForm(s, status(), { url: at(NOW_S - 4 * 86_400) }), { verify: true }))).toBe('stale');
    expect(reason(await ingestCallback(process_(store), 'twilio', twilioForm(s, status(), { url: at(NOW_S + 3_600) }), { verify: true }))).toBe('stale');
    expect(reason(await ingestCallback(process_(store), 'twilio', twilioForm(s, status({ RawDlrDoneDate: '2608010900' })), { verify: true }))).toBe('stale');
    expect(await eventCount(store)).toBe(count);
    expect(reason(await ingestCallback(process_(store), 'twilio', twilioForm(s, status({ RawDlrDoneDate: '2609010955' }), { url: at(NOW_S - 2 * 86_400) }), { verify: true }))).toBe('accepted');
  });

  it('R-CON-2 R-CON-5: a Twilio callback is known by its signed MessageSid and status: a retry with another idempotency token, in another process, is replayed', async () => {
    const store = await callbackSchool();
    const stop = twilioForm(s, { AccountSid: 'AC1', MessageSid: sid(), SmsStatus: 'received', From: MOBILE, To: '+447700900000', Body: 'STOP' });
    const first = await ingestCallback(process_(store), 'twilio', { ...stop, headers: { ...stop.headers, 'I-Twilio-Idempotency-Token': 'one' } }, { verify: true });
    expect(E.isRight(first) && first.right).toMatchObject({ written: 1, callbackId: expect.stringMatching(/^twilio:SM\d+:received$/) });
    const count = await eventCount(store);
    const again = await ingestCallback(process_(store), 'twilio', { ...stop, headers: { ...stop.headers, 'I-Twilio-Idempotency-Token': 'two' } }, { verify: true });
    expect(E.isLeft(again) && again.left).toMatchObject({ reason: 'replayed', message: expect.stringMatching(/was already applied .*; nothing was written/) });
    expect(await eventCount(store)).toBe(count);
  });

  it('R-CON-3: Notify callbacks are held to a day by their own times; a receipt with no time, or dated ahead, is refused', async () => {
    const store = await callbackSchool();
    const receipt = (times: Record<string, string>) => ({ id: `n-${++n}`, reference: 'm:c', to: PARENT, status: 'permanent-failure', notification_type: 'email', ...times });
    const count = await eventCount(store);
    expect(reason(await ingestCallback(process_(store), 'notify', notifyPost(s, receipt({ created_at: '2026-08-30T09:00:00.000000Z', completed_at: '2026-08-31T09:00:00.000000Z' })), { verify: true }))).toBe('stale');
    expect(reason(await ingestCallback(process_(store), 'notify', notifyPost(s, receipt({})), { verify: true }))).toBe('stale');
    expect(reason(await ingestCallback(process_(store), 'notify', notifyPost(s, receipt({ created_at: '2026-09-01T11:00:00.000000Z' })), { verify: true }))).toBe('stale');
    expect(reason(await ingestCallback(process_(store), 'notify', notifyPost(s, { id: 'in-old', source_number: '447911123456', message: 'STOP', date_received: '2026-08-20T09:00:00.000000Z' }), { verify: true }))).toBe('stale');
    expect(await eventCount(store)).toBe(count);
    // Sent days ago, completed an hour ago: fresh.
    expect(reason(await ingestCallback(process_(store), 'notify', notifyPost(s, receipt({ created_at: '2026-08-28T09:00:00.000000Z', completed_at: '2026-09-01T09:00:00.000000Z' })), { verify: true }))).toBe('accepted');
    // Unverified (a saved file, read knowingly) is not held to the window.
    expect(reason(await ingestCallback(process_(store), 'notify', { ...notifyPost(s, receipt({ created_at: '2026-01-01T09:00:00.000000Z' })), headers: {} }, { verify: false }))).toBe('accepted');
  });

  it('R-CON-3: a SendGrid post whose signature is re-encoded (still valid ECDSA) is the same callback: replayed', async () => {
    const store = await callbackSchool();
    const post = sendgridPost(s, [{ email: PARENT, timestamp: NOW_S - 30, event: 'bounce', type: 'bounce', sg_event_id: 'sg-malleable' }], NOW_S - 10);
    expect(reason(await ingestCallback(process_(store), 'sendgrid', post, { verify: true }))).toBe('accepted');
    const twin = malleated(post, s);
    expect(twin.headers).not.toEqual(post.headers);
    expect(reason(await ingestCallback(process_(store), 'sendgrid', twin, { verify: true }))).toBe('replayed');
  });

  it('R-CON-3 R-CON-4 R-AUD-1: for every provider an applied callback is recorded once, by id and counts only, and refused as replayed in another process', async () => {
    const store = await callbackSchool();
    const posts: Array<[CallbackProvider, RawCallback]> = [
      ['sendgrid', sendgridPost(s, [{ email: PARENT, timestamp: NOW_S - 30, event: 'delivered', sg_event_id: 'sg-1' }], NOW_S - 5)],
      ['twilio', twilioForm(s, { AccountSid: 'AC1', MessageSid: sid(), MessageStatus: 'delivered', To: MOBILE })],
      ['ses', snsPost(s, { notificationType: 'Complaint', complaint: { complainedRecipients: [{ emailAddress: PARENT }], complaintFeedbackType: 'abuse', feedbackId: 'cmp-1' }, mail: { messageId: 'm' } }, { timestamp: '2026-09-01T09:59:00.000Z', messageId: 'sns-1' })],
      ['notify', notifyPost(s, { id: 'n-x', reference: 'm:c', to: PARENT, status: 'delivered', notification_type: 'email', created_at: '2026-09-01T09:00:00.000000Z' })],
    ];
    for (const [provider, raw] of posts) {
      const r = await ingestCallback(process_(store), provider, raw, { verify: true });
      if (E.isLeft(r)) throw new Error(r.left.message);
      const recorded = await streamEvents(store, appliedCallbackStream(SCHOOL, r.right.callbackId!));
      expect(recorded.map((e) => [e.type, e.data])).toEqual([['CallbackApplied', { provider, callbackId: r.right.callbackId, facts: r.right.facts, eventsWritten: r.right.written }]]);
      expect(JSON.stringify(recorded)).not.toContain(PARENT);
      const count = await eventCount(store);
      expect(reason(await ingestCallback(process_(store), provider, raw, { verify: true })), provider).toBe('replayed');
      expect(await eventCount(store)).toBe(count);
    }
  });

  it('R-CON-3: a callback whose commands could not all land is not remembered, so the provider may retry it', async () => {
    const base = await callbackSchool();
    let fail = true;
    const flaky: EventStore = { ...base, append: async (id, ev, x) => (fail && id.startsWith('contact-') ? Promise.reject(new Error('store away')) : base.append(id, ev, x)) };
    const raw = notifyPost(s, { id: 'n-retry', reference: 'm:c', to: PARENT, status: 'permanent-failure', notification_type: 'email', created_at: '2026-09-01T09:00:00.000000Z' });
    await expect(ingestCallback(process_(flaky), 'notify', raw, { verify: true })).rejects.toThrow();
    fail = false;
    const retry = await ingestCallback(process_(flaky), 'notify', raw, { verify: true });
    expect(E.isRight(retry) && retry.right.written).toBe(1);
  });
});
