/** SendGrid Event Webhook: signatures (generated keys, signed as SendGrid documents), event mapping (our fixtures in SendGrid's shapes), and refusals that write nothing. */
import { generateKeyPairSync, sign } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contactDecider, contactStream, loadStream, type ContactRecord, type EventStore } from '@contactable/core';
import {
  SENDGRID_SIGNATURE_HEADER,
  SENDGRID_TIMESTAMP_HEADER,
  ingestCallback,
  memoryCallbackMemory,
  parseSendGrid,
  verifySendGrid,
} from '@contactable/adapters-messaging';
import { FAMILY, PARENT, callbackDeps, callbackSchool } from './support/callbacks.js';
import { fixtureJson, fixtureText } from './support/fixtures.js';
import { eventCount, streamEvents } from './support/world.js';

const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const PUBLIC = publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
const NOW = '2026-09-01T10:00:00.000Z';
const NOW_S = Date.parse(NOW) / 1000;

const signed = (events: unknown, options: { at?: number; key?: typeof privateKey; alter?: (body: string) => string } = {}) => {
  const body = JSON.stringify(events);
  const ts = String(options.at ?? NOW_S);
  const signature = sign('sha256', Buffer.from(ts + body), { key: options.key ?? privateKey, dsaEncoding: 'der' }).toString('base64');
  return { body: Buffer.from(options.alter?.(body) ?? body), headers: { [SENDGRID_SIGNATURE_HEADER]: signature, [SENDGRID_TIMESTAMP_HEADER]: ts } };
};

let n = 0;
const ev = (event: string, email: string, extra: Record<string, unknown> = {}) => ({
  email,
  timestamp: NOW_S - 60 + n,
  event,
  sg_event_id: `sg-ev-${++n}`,
  sg_message_id: 'msgid123.filter0001.16648.5515E0B88.0',
  ...extra,
});

const contact = async (store: EventStore, id: string): Promise<ContactRecord> => {
  const r = await loadStream(store, contactDecider, contactStream(id));
  if (E.isLeft(r) || r.right.state.status !== 'active') throw new Error('no contact');
  return r.right.state;
};

const webhooks = { sendgrid: { publicKey: PUBLIC } };

describe('SendGrid signature', () => {
  it('R-CON-3: a post signed as SendGrid documents (ECDSA P-256, SHA-256, base64 DER over timestamp + raw body) verifies; a wrong key, signature, body or timestamp is refused', () => {
    // A key pair of our own, and a body as SendGrid posts it (an array of events, bytes as sent).
    const key = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
    const spki = key.publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const rawBody = `${fixtureText('sendgrid/batch.json').trim()}\r\n`;
    const timestamp = String(NOW_S - 20);
    const signature = sign('sha256', Buffer.from(timestamp + rawBody, 'utf8'), { key: key.privateKey, dsaEncoding: 'der' }).toString('base64');
    const headers = { [SENDGRID_SIGNATURE_HEADER]: signature, [SENDGRID_TIMESTAMP_HEADER]: timestamp };
    const at = Date.parse(NOW);
    const raw = { body: rawBody, headers };
    const reason = (r: ReturnType<typeof verifySendGrid>) => (E.isLeft(r) ? r.left.reason : 'ok');
    expect(reason(verifySendGrid(raw, { publicKey: spki }, at))).toBe('ok');
    // The key as PEM, and the headers in the lower case a proxy may give them, also verify.
    expect(reason(verifySendGrid(raw, { publicKey: key.publicKey.export({ type: 'spki', format: 'pem' }).toString() }, at))).toBe('ok');
    expect(reason(verifySendGrid({ body: Buffer.from(rawBody), headers: { [SENDGRID_SIGNATURE_HEADER.toLowerCase()]: signature, [SENDGRID_TIMESTAMP_HEADER.toLowerCase()]: timestamp } }, { publicKey: spki }, at))).toBe('ok');
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const der = Buffer.from(signature, 'base64');
    der.writeUInt8(der.readUInt8(der.length - 1) ^ 0x01, der.length - 1);
    expect(reason(verifySendGrid(raw, { publicKey: otherKey }, at))).toBe('bad-signature');
    expect(reason(verifySendGrid({ ...raw, headers: { ...headers, [SENDGRID_SIGNATURE_HEADER]: der.toString('base64') } }, { publicKey: spki }, at))).toBe('bad-signature');
    expect(reason(verifySendGrid({ ...raw, body: 'payload' }, { publicKey: spki }, at))).toBe('bad-signature');
    expect(reason(verifySendGrid({ ...raw, body: rawBody.trim() }, { publicKey: spki }, at))).toBe('bad-signature');
    expect(reason(verifySendGrid({ ...raw, headers: { ...headers, [SENDGRID_TIMESTAMP_HEADER]: 'timestamp' } }, { publicKey: spki }, at))).toBe('bad-signature');
    // The same genuine post, ten minutes later: stale.
    expect(reason(verifySendGrid(raw, { publicKey: spki }, at + 600_000))).toBe('stale');
  });

  it('R-CON-3: a key that is not ECDSA P-256 is a configuration error', () => {
    const rsa = generateKeyPairSync('rsa', { modulusLength: 1024 }).publicKey.export({ type: 'spki', format: 'der' }).toString('base64');
    const r = verifySendGrid(signed([]), { publicKey: rsa }, Date.parse(NOW));
    expect(E.isLeft(r) && r.left.reason).toBe('misconfigured');
  });
});

describe('SendGrid events to commands', () => {
  it('R-CON-3 R-CON-4 R-CON-2: delivered, bounces, blocks, spam reports and unsubscribes become the right events', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    const events = [
      ev('delivered', PARENT),
      ev('bounce', PARENT, { type: 'blocked', reason: '421 try later', status: '4.0.0' }),
      ev('bounce', PARENT, { type: 'bounce', reason: '550 5.1.1 no such user parent@example.org', status: '5.1.1' }),
      ev('dropped', PARENT, { reason: 'Bounced Address', status: '5.0.0' }),
      ev('deferred', PARENT, { response: '400 try again later', attempt: '5' }),
      ev('bounce', PARENT, { type: 'bounce', status: '5.1.1' }),
      ev('spamreport', FAMILY),
      ev('open', PARENT),
      ev('group_unsubscribe', 'texter@example.org', { asm_group_id: 1 }),
    ];
    const r = await ingestCallback(deps, 'sendgrid', signed(events), { verify: true });
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right).toMatchObject({ facts: 8, unmatched: 0, ignored: ['open'] });
    // Three permanent failures after the last success block the email (R-CON-3); the temporary ones did not count.
    const parent = await contact(store, 'c-parent');
    expect(parent.blocks.email?.cause).toBe('permanent-bounce');
    expect(parent.streaks.email.failuresAt).toHaveLength(3);
    // A spam report at a shared address blocks both contacts at once (R-CON-4).
    expect((await contact(store, 'c-mum')).blocks.email?.cause).toBe('spam');
    expect((await contact(store, 'c-dad')).blocks.email?.cause).toBe('spam');
    // An unsubscribe opts the contact out (R-CON-2).
    expect((await contact(store, 'c-text')).optedOut?.via).toBe('provider-unsubscribe');
    const failed = (await streamEvents(store, contactStream('c-parent'))).filter((e) => e.type === 'DeliveryFailed');
    expect(failed.map((e) => e.data.permanent)).toEqual([false, true, true, false, true]);
    expect(failed[1]!.data).toMatchObject({ provider: 'sendgrid', providerMessageId: 'msgid123', feedbackId: events[2]!.sg_event_id });
    expect(String(failed[1]!.data.detail)).not.toMatch(/parent@example\.org/);
    const meta = (await streamEvents(store, contactStream('c-parent')))[1]!.metadata;
    expect(meta.actor).toEqual({ kind: 'provider', provider: 'sendgrid', verified: true });
  });

  it('R-CON-3: the same events twice count once; a replayed post is refused; out-of-order callbacks are ordered by their timestamps', async () => {
    const store = await callbackSchool();
    const memory = memoryCallbackMemory();
    const deps = callbackDeps(store, NOW, webhooks, memory);
    const bounce = (id: string, at: number) => ({ email: PARENT, timestamp: at, event: 'bounce', type: 'bounce', sg_event_id: id });
    const post = signed([bounce('b1', NOW_S - 50), bounce('b2', NOW_S - 40)]);
    expect(E.isRight(await ingestCallback(deps, 'sendgrid', post, { verify: true }))).toBe(true);
    const count = await eventCount(store);
    const replay = await ingestCallback(deps, 'sendgrid', post, { verify: true });
    expect(E.isLeft(replay) && replay.left).toMatchObject({ reason: 'replayed' });
    expect(await eventCount(store)).toBe(count);
    // Re-signed (SendGrid's own retry) or in another process: the events are recognised and nothing is written.
    const again = await ingestCallback(callbackDeps(store, NOW, webhooks), 'sendgrid', signed([bounce('b1', NOW_S - 50), bounce('b2', NOW_S - 40)], { at: NOW_S - 1 }), { verify: true });
    expect(E.isRight(again) && again.right).toMatchObject({ written: 0, unchanged: 2 });
    // A delivery observed after the two bounces, then a bounce observed before it arriving late: no block.
    await ingestCallback(deps, 'sendgrid', signed([{ email: PARENT, timestamp: NOW_S - 30, event: 'delivered', sg_event_id: 'd1' }]), { verify: true });
    await ingestCallback(deps, 'sendgrid', signed([bounce('b0', NOW_S - 45)]), { verify: true });
    const parent = await contact(store, 'c-parent');
    expect(parent.blocks.email).toBeNull();
    expect(parent.streaks.email.failuresAt).toEqual([]);
  });

  it('R-CON-3: forged, altered, stale and unsigned posts are refused with a clear error and no event written', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    const count = await eventCount(store);
    const events = [ev('spamreport', PARENT)];
    const other = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const cases = [
      ['forged', signed(events, { key: other }), 'bad-signature'],
      ['altered', signed(events, { alter: (b) => b.replace('spamreport', 'delivered') }), 'bad-signature'],
      ['stale', signed(events, { at: NOW_S - 301 }), 'stale'],
      ['from the future', signed(events, { at: NOW_S + 600 }), 'stale'],
      ['unsigned', { body: JSON.stringify(events), headers: {} }, 'unsigned'],
    ] as const;
    for (const [name, raw, reason] of cases) {
      const r = await ingestCallback(deps, 'sendgrid', raw, { verify: true });
      expect(E.isLeft(r) && r.left.reason, name).toBe(reason);
      expect(E.isLeft(r) && r.left.message, name).toMatch(/^sendgrid callback rejected/);
    }
    expect(await eventCount(store)).toBe(count);
    // Without settings, verification cannot happen: refused, not accepted.
    const none = await ingestCallback({ ...deps, webhooks: {} }, 'sendgrid', signed(events), { verify: true });
    expect(E.isLeft(none) && none.left.reason).toBe('misconfigured');
  });

  it('R-AUD-1: --unverified ingests without a signature and records actor.verified=false', async () => {
    const store = await callbackSchool();
    const r = await ingestCallback(callbackDeps(store, NOW, {}), 'sendgrid', { body: JSON.stringify([ev('delivered', PARENT)]), headers: {} }, { verify: false });
    expect(E.isRight(r) && r.right.written).toBe(1);
    const last = (await streamEvents(store, contactStream('c-parent'))).at(-1)!;
    expect(last.type).toBe('DeliverySucceeded');
    expect(last.metadata.actor).toEqual({ kind: 'provider', provider: 'sendgrid', verified: false });
  });

  it('R-CON-9: a malformed body is refused as malformed', async () => {
    const store = await callbackSchool();
    const deps = callbackDeps(store, NOW, webhooks);
    const body = '{"not":"an array"}';
    const ts = String(NOW_S);
    const signature = sign('sha256', Buffer.from(ts + body), { key: privateKey, dsaEncoding: 'der' }).toString('base64');
    const r = await ingestCallback(deps, 'sendgrid', { body, headers: { [SENDGRID_SIGNATURE_HEADER]: signature, [SENDGRID_TIMESTAMP_HEADER]: ts } }, { verify: true });
    expect(E.isLeft(r) && r.left.reason).toBe('malformed');
  });
});

describe('SendGrid sample payloads', () => {
  // Our own Event Webhook bodies, in SendGrid's shape: [file, fact kind, permanent, X-Message-Id].
  const cases: ReadonlyArray<[string, string, boolean | null, string | null]> = [
    ['delivered.json', 'delivered', null, 'q7XbT2vLRm-4kP0sWn9c1A'],
    ['bounce.json', 'failed', true, 'q7XbT2vLRm-4kP0sWn9c1A'],
    ['bounce-blocked.json', 'failed', false, 'q7XbT2vLRm-4kP0sWn9c1A'],
    ['deferred.json', 'failed', false, 'q7XbT2vLRm-4kP0sWn9c1A'],
    ['dropped-bounced-address.json', 'failed', true, '4c7e1a90d2'],
    ['dropped-invalid.json', 'failed', true, 'filter0042'],
    ['dropped-unsubscribed.json', 'opted-out', null, 'filter0042'],
    ['dropped-spam-reporting.json', 'complaint', null, 'filter0042'],
    ['spamreport.json', 'complaint', null, 'q7XbT2vLRm-4kP0sWn9c1A'],
    ['group-unsubscribe.json', 'opted-out', null, 'q7XbT2vLRm-4kP0sWn9c1A'],
    ['delivered-smtp-id-only.json', 'delivered', null, null],
    ['open.json', 'ignored', null, null],
    ['click.json', 'ignored', null, null],
    ['processed.json', 'ignored', null, null],
  ];
  it('R-CON-3: each sample maps to the expected fact', () => {
    for (const [file, kind, permanent, messageId] of cases) {
      const events = fixtureJson<Array<Record<string, unknown>>>(`sendgrid/${file}`);
      const r = parseSendGrid({ body: JSON.stringify(events), headers: {} }, null);
      if (E.isLeft(r)) throw new Error(r.left.message);
      if (kind === 'ignored') {
        expect(r.right.facts, file).toEqual([]);
        expect(r.right.ignored, file).toEqual([events[0]!.event]);
        continue;
      }
      expect(r.right.facts, file).toHaveLength(1);
      const f = r.right.facts[0]!;
      expect(f.kind, file).toBe(kind);
      expect(f.address, file).toBe(events[0]!.email);
      expect(f.feedbackId, file).toBe(events[0]!.sg_event_id);
      expect(f.observedAt, file).toBe(new Date(Number(events[0]!.timestamp) * 1000).toISOString());
      expect(f.providerMessageId, file).toBe(messageId);
      if (permanent !== null && f.kind === 'failed') expect(f.permanent, file).toBe(permanent);
    }
  });

  it('R-CON-3: a post of several events gives a fact for each that matters, in order', () => {
    const r = parseSendGrid({ body: fixtureText('sendgrid/batch.json'), headers: {} }, null);
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.facts.map((f) => [f.kind, f.address, f.observedAt])).toEqual([
      ['delivered', 'amira.haddad@example.org', '2025-09-03T09:01:01.000Z'],
      ['failed', 'no.such.parent@example.org', '2025-09-03T09:02:05.000Z'],
    ]);
    expect(r.right.ignored).toEqual(['processed', 'open']);
  });
});
