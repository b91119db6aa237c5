/** GOV.UK Notify callbacks: bearer token, delivery receipts, complaints and received texts. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contactDecider, contactStream, loadStream, type ContactRecord, type EventStore } from '@contactable/core';
import { ingestCallback } from '@contactable/adapters-messaging';
import { FAMILY, MOBILE, PARENT, callbackDeps, callbackSchool } from './support/callbacks.js';
import { eventCount, streamEvents } from './support/world.js';

const TOKEN = 'a-long-enough-bearer-token';
const NOW = '2026-09-01T10:00:00.000Z';
const webhooks = { notify: { bearerToken: TOKEN } };

let n = 0;
const receipt = (status: string, to: string, type: 'email' | 'sms' = 'email', at = '2026-09-01T09:00:00.000000Z') => ({
  id: `740e5834-3a29-46b4-9a6f-${String(++n).padStart(12, '0')}`,
  reference: 'msg-1:c-1',
  to,
  status,
  created_at: '2026-09-01T08:59:00.000000Z',
  completed_at: at,
  sent_at: '2026-09-01T08:59:30.000000Z',
  notification_type: type,
});
const raw = (body: unknown, token = TOKEN) => ({ body: JSON.stringify(body), headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' } });

const contact = async (store: EventStore, id: string): Promise<ContactRecord> => {
  const r = await loadStream(store, contactDecider, contactStream(id));
  if (E.isLeft(r) || r.right.state.status !== 'active') throw new Error('no contact');
  return r.right.state;
};

describe('GOV.UK Notify callbacks', () => {
  it('R-CON-3 R-CON-5: permanent-failure counts; temporary and technical failures do not; delivered resets; times are completed_at', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    const steps = [
      receipt('permanent-failure', PARENT, 'email', '2026-09-01T09:00:00.000000Z'),
      receipt('temporary-failure', PARENT, 'email', '2026-09-01T09:01:00.000000Z'),
      receipt('technical-failure', PARENT, 'email', '2026-09-01T09:02:00.000000Z'),
      receipt('permanent-failure', PARENT, 'email', '2026-09-01T09:03:00.000000Z'),
      receipt('sending', PARENT),
      receipt('permanent-failure', MOBILE, 'sms', '2026-09-01T09:04:00.000000Z'),
      receipt('permanent-failure', PARENT, 'email', '2026-09-01T09:05:00.000000Z'),
    ];
    for (const s of steps) {
      const r = await ingestCallback(deps, 'notify', raw(s), { verify: true });
      if (E.isLeft(r)) throw new Error(r.left.message);
    }
    const parent = await contact(store, 'c-parent');
    expect(parent.blocks.email?.cause).toBe('permanent-bounce');
    const failed = (await streamEvents(store, contactStream('c-parent'))).filter((e) => e.type === 'DeliveryFailed');
    expect(failed.map((e) => [e.data.detail, e.data.permanent, e.data.observedAt])).toEqual([
      ['permanent-failure', true, '2026-09-01T09:00:00.000Z'],
      ['temporary-failure', false, '2026-09-01T09:01:00.000Z'],
      ['technical-failure', false, '2026-09-01T09:02:00.000Z'],
      ['permanent-failure', true, '2026-09-01T09:03:00.000Z'],
      ['permanent-failure', true, '2026-09-01T09:05:00.000Z'],
    ]);
    expect((await contact(store, 'c-text')).streaks.sms.failuresAt).toEqual(['2026-09-01T09:04:00.000Z']);
  });

  it('R-CON-4: a complaint callback blocks email at once', async () => {
    const store = await callbackSchool();
    const r = await ingestCallback(callbackDeps(store, NOW, webhooks), 'notify', raw({ notification_id: 'n-1', complaint_id: 'cmp-1', reference: 'msg-1:c-mum', to: FAMILY, complaint_date: '2026-09-01T09:00:00.000000Z' }), { verify: true });
    expect(E.isRight(r) && r.right.written).toBe(4);
    expect((await contact(store, 'c-dad')).blocks.email?.cause).toBe('spam');
  });

  it('R-CON-2: a received STOP opts out, START opts back in; the latest reply wins even when an older one arrives late', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    const text = (message: string, at: string, id: string) => raw({ id, source_number: '447911123456', destination_number: '07797792683', message, date_received: at });
    await ingestCallback(deps, 'notify', text('STOP', '2026-09-01T09:00:00.000000Z', 'in-1'), { verify: true });
    expect((await contact(store, 'c-text')).optedOut?.via).toBe('sms-reply');
    await ingestCallback(deps, 'notify', text('START', '2026-09-01T09:10:00.000000Z', 'in-2'), { verify: true });
    // A STOP sent before the START, delivered late, changes nothing.
    const late = await ingestCallback(deps, 'notify', text('stop', '2026-09-01T09:05:00.000000Z', 'in-3'), { verify: true });
    expect(E.isRight(late) && late.right).toMatchObject({ written: 0, unchanged: 1 });
    expect((await contact(store, 'c-text')).optedOut).toBeNull();
  });

  it('R-CON-3: a wrong or missing bearer token is refused and nothing is written; the same receipt twice counts once', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    const count = await eventCount(store);
    const bad = await ingestCallback(deps, 'notify', raw(receipt('permanent-failure', PARENT), 'a-long-enough-bearer-tokeN'), { verify: true });
    expect(E.isLeft(bad) && bad.left).toMatchObject({ reason: 'unauthorised', message: 'notify callback rejected (unauthorised): the bearer token does not match' });
    const none = await ingestCallback(deps, 'notify', { body: JSON.stringify(receipt('permanent-failure', PARENT)), headers: {} }, { verify: true });
    expect(E.isLeft(none) && none.left.reason).toBe('unsigned');
    const malformed = await ingestCallback(deps, 'notify', raw({ status: 'delivered' }), { verify: true });
    expect(E.isLeft(malformed) && malformed.left.reason).toBe('malformed');
    expect(await eventCount(store)).toBe(count);
    const once = receipt('permanent-failure', PARENT);
    await ingestCallback(deps, 'notify', raw(once), { verify: true });
    const replay = await ingestCallback(deps, 'notify', raw(once), { verify: true });
    expect(E.isLeft(replay) && replay.left.reason).toBe('replayed');
    const elsewhere = await ingestCallback(callbackDeps(store, NOW, webhooks), 'notify', raw(once), { verify: true });
    expect(E.isRight(elsewhere) && elsewhere.right.written).toBe(0);
    expect((await contact(store, 'c-parent')).streaks.email.failuresAt).toHaveLength(1);
  });

  it('R-CON-3: a bearer token shorter than Notify allows is a configuration error', async () => {
    const store = await callbackSchool();
    const r = await ingestCallback(callbackDeps(store, NOW, { notify: { bearerToken: 'short' } }), 'notify', raw(receipt('delivered', PARENT), 'short'), { verify: true });
    expect(E.isLeft(r) && r.left.reason).toBe('misconfigured');
  });
});
