/**
 * Example (a) runs in CI: the HTTP service on loopback over the in-memory store, a generated school
 * exported as CTF, provider callbacks signed the way SendGrid and Twilio sign them, and the
 * scheduled sync racing a staff opt-out.
 */
import { createHmac, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { contactIdFor, dateOf, memberIdFor, memoryStore, type EventStore, type MisSnapshot, type NewEvent } from '@contactable/core';
import { ctfChunks, generateSchool } from '@contactable/adapters-sims';
import type { LinkedPeopleView, LinkedPerson } from '@contactable/projections';
import { createService, delayUntil, type Service, type ServiceOptions, type SyncResult } from './service.js';

const SCHOOL = 'default';
const PUBLIC_URL = 'https://contacts.school.example';
const TWILIO_TOKEN = 'test-twilio-auth-token';
const TODAY = dateOf(new Date().toISOString());

// ---- fixtures -----------------------------------------------------------------------------------

const cleanups: Array<() => Promise<void> | void> = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});

const school = (): MisSnapshot => generateSchool({ seed: 'http-service-example', pupils: 60, today: TODAY }).snapshot;

const workDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), 'contactable-http-'));
  cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
};

/** Writes an export as CTF, atomically (a sync never reads half a file). */
const writeCtf = (path: string, snapshot: MisSnapshot): void => {
  writeFileSync(`${path}.tmp`, [...ctfChunks(snapshot)].join(''));
  renameSync(`${path}.tmp`, path);
};

const sendgridKeys = (() => {
  const { publicKey, privateKey } = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  return { publicKey: publicKey.export({ format: 'der', type: 'spki' }).toString('base64'), privateKey };
})();

/** A SendGrid Event Webhook post: ECDSA P-256 over timestamp + body. */
const sendgridPost = (events: ReadonlyArray<Record<string, unknown>>, o: { key?: KeyObject; atMs?: number } = {}) => {
  const body = JSON.stringify(events);
  const timestamp = String(Math.floor((o.atMs ?? Date.now()) / 1000));
  const signature = sign('sha256', Buffer.from(timestamp + body), o.key ?? sendgridKeys.privateKey).toString('base64');
  return { body, headers: { 'content-type': 'application/json', 'X-Twilio-Email-Event-Webhook-Signature': signature, 'X-Twilio-Email-Event-Webhook-Timestamp': timestamp } };
};

/** A Twilio post: HMAC-SHA1 over the public URL + the sorted parameters. */
const twilioPost = (params: Record<string, string>, token = TWILIO_TOKEN) => {
  const url = `${PUBLIC_URL}/webhooks/twilio`;
  const data = url + Object.keys(params).sort().map((k) => k + params[k]).join('');
  const signature = createHmac('sha1', token).update(data).digest('base64');
  return { body: new URLSearchParams(params).toString(), headers: { 'content-type': 'application/x-www-form-urlencoded', 'X-Twilio-Signature': signature } };
};

interface Deferred {
  readonly promise: Promise<void>;
  readonly resolve: () => void;
}
const deferred = (): Deferred => {
  let resolve!: () => void;
  const promise = new Promise<void>((r) => (resolve = r));
  return { promise, resolve };
};

/**
 * A store whose appends can be watched and held: `onImportAppend` sees each import batch before it is
 * written, and may hold it; conflicts met per stream are counted.
 */
const watchedStore = (inner: EventStore) => {
  const conflicts = new Map<string, number>();
  const state: { onImportAppend: ((streamIds: ReadonlyArray<string>) => Promise<void> | void) | null } = { onImportAppend: null };
  const byImport = (events: ReadonlyArray<NewEvent>): boolean => events[0]?.metadata.actor.kind === 'import';
  const noteConflict = (streamId: string): void => void conflicts.set(streamId, (conflicts.get(streamId) ?? 0) + 1);
  const appendMany = inner.appendMany;
  const store: EventStore = {
    ...inner,
    append: async (streamId, events, expected) => {
      if (byImport(events)) await state.onImportAppend?.([streamId]);
      const r = await inner.append(streamId, events, expected);
      if (r._tag === 'Left') noteConflict(r.left.streamId);
      return r;
    },
    ...(appendMany === undefined
      ? {}
      : {
          appendMany: async (batches) => {
            if (batches.some((b) => byImport(b.events))) await state.onImportAppend?.(batches.map((b) => b.streamId));
            const r = await appendMany(batches);
            if (r._tag === 'Left') noteConflict(r.left.streamId);
            return r;
          },
        }),
  };
  return { store, state, conflicts };
};

const countEvents = async (store: EventStore): Promise<number> => (await store.readAll({ after: 0, limit: 1_000_000 })).length;

interface Running {
  readonly service: Service;
  readonly base: string;
  readonly logs: string[];
}

const start = async (options: Partial<ServiceOptions> & { store: EventStore }): Promise<Running> => {
  const logs: string[] = [];
  const service = createService({
    schoolId: SCHOOL,
    publicUrl: PUBLIC_URL,
    webhooks: { sendgrid: { publicKey: sendgridKeys.publicKey }, twilio: { authToken: TWILIO_TOKEN } },
    today: () => TODAY,
    logger: { info: (l) => logs.push(l), error: (l) => logs.push(`ERROR ${l}`) },
    ...options,
  });
  const { host, port } = await service.listen(0);
  expect(host).toBe('127.0.0.1');
  cleanups.push(() => service.close());
  return { service, base: `http://${host}:${port}`, logs };
};

const post = async (base: string, path: string, body: string, headers: Record<string, string> = {}) => {
  const r = await fetch(base + path, { method: 'POST', body, headers });
  return { status: r.status, json: (await r.json()) as Record<string, unknown> };
};

const linked = async (base: string, memberId: string): Promise<LinkedPeopleView> => {
  const r = await fetch(`${base}/members/${encodeURIComponent(memberId)}/linked-people`);
  expect(r.status).toBe(200);
  return (await r.json()) as LinkedPeopleView;
};

/** A student on roll whose prime parent can be emailed and texted, found through the endpoint. */
const primeParent = async (base: string, snapshot: MisSnapshot): Promise<{ memberId: string; contact: LinkedPerson }> => {
  for (const m of snapshot.members) {
    if (m.kind !== 'student' || m.roll.status !== 'on-roll') continue;
    const memberId = memberIdFor(SCHOOL, snapshot.source.system, m.externalId);
    const view = await linked(base, memberId);
    const contact = view.linkedPeople.find((c) => c.prime && c.usableMethods.length === 2 && c.email !== null && c.mobile !== null);
    if (contact !== undefined) return { memberId, contact };
  }
  throw new Error('the generated school has no prime parent with both an email and a mobile');
};

const personOf = (view: LinkedPeopleView, contactId: string): LinkedPerson => {
  const c = view.linkedPeople.find((x) => x.contactId === contactId);
  if (c === undefined) throw new Error(`contact ${contactId} is not linked`);
  return c;
};

/** A service over a fresh store with the school already imported by one sync. */
const imported = async (options: Partial<ServiceOptions> = {}) => {
  const snapshot = school();
  const exportPath = join(workDir(), 'export.xml');
  writeCtf(exportPath, snapshot);
  const store = memoryStore();
  const running = await start({ store, exportPath, ...options });
  const first = await running.service.runNightlySync();
  expect(first).toMatchObject({ status: 'done', recorded: true, refused: 0 });
  return { ...running, store, snapshot, exportPath };
};

// ---- the tests ----------------------------------------------------------------------------------

describe('example: HTTP service', () => {
  it('R-OPS-1 the daily sync is armed for the next HH:MM (UTC)', () => {
    const at = (iso: string) => Date.parse(iso);
    expect(delayUntil('02:00', at('2026-09-07T01:00:00.000Z'))).toBe(3_600_000);
    expect(delayUntil('02:00', at('2026-09-07T02:00:00.000Z'))).toBe(86_400_000);
    expect(delayUntil('02:00', at('2026-09-07T23:30:00.000Z'))).toBe(9_000_000);
    expect(() => delayUntil('2am', 0)).toThrow(/HH:MM/);
    expect(() => createService({ store: memoryStore(), syncAt: '24:00' })).toThrow(/HH:MM/);
  });

  it('R-OPS-1 R-IMP-1 the scheduled sync imports the school by itself, skips a trigger while it runs, and appends nothing on unchanged data', async () => {
    const snapshot = school();
    const exportPath = join(workDir(), 'export.xml');
    writeCtf(exportPath, snapshot);
    const watched = watchedStore(memoryStore());
    let service: Service | null = null;
    let second: Promise<SyncResult> | null = null;
    // While the first scheduled run writes, a second trigger arrives.
    watched.state.onImportAppend = () => {
      if (second === null && service !== null) second = service.runNightlySync();
    };
    const running = await start({ store: watched.store, exportPath, syncEveryMs: 40 });
    service = running.service;

    await vi.waitFor(() => expect(running.logs.some((l) => /^sync \S+ \(ctf\): members \+\d+/.test(l))).toBe(true), { timeout: 10_000, interval: 20 });
    expect(second).not.toBeNull();
    expect(await second!).toEqual({ status: 'skipped', reason: 'the previous sync is still running' });
    expect(running.logs).toContain('sync skipped: the previous sync is still running');
    const recorded = running.logs.find((l) => /^sync \S+ \(ctf\): members/.test(l))!;
    expect(recorded).toMatch(/members \+[1-9]\d* ~0, leavers 0, contacts \+[1-9]\d* ~0, groups ~\d+, [1-9]\d* events, 0 refused, \d+ confirmations queued in the outbox, [\d.]+ s$/);
    // No personal data in the log: no address, number or name from the export.
    const personal = snapshot.contacts.flatMap((c) => [...c.emails.map((e) => e.value), ...c.phones.map((p) => p.value), c.name.family]);
    for (const line of running.logs) for (const v of personal) expect(line).not.toContain(v);

    // The next scheduled runs find nothing to change and record nothing (R-IMP-1).
    const after = await countEvents(watched.store);
    const noChange = (): number => running.logs.filter((l) => / no change, nothing recorded, /.test(l)).length;
    await vi.waitFor(() => expect(noChange()).toBeGreaterThanOrEqual(2), { timeout: 10_000, interval: 20 });
    expect(await countEvents(watched.store)).toBe(after);
    const runs = (await watched.store.readAll({ after: 0, limit: 1_000_000 })).filter((e) => e.type === 'ImportRunStarted');
    expect(runs).toHaveLength(1);

    const health = (await (await fetch(`${running.base}/health`)).json()) as { ok: boolean; position: number };
    expect(health.ok).toBe(true);
    expect(health.position).toBe(after);
  });

  it('R-CON-3 three signed SendGrid bounces block the email; forged, unsigned, stale and replayed callbacks write nothing', async () => {
    const { base, store, snapshot } = await imported();
    const { memberId, contact } = await primeParent(base, snapshot);
    const email = contact.email!.value;
    const t0 = Date.now() - 120_000;
    const bounce = (i: number) => ({ email, timestamp: Math.floor((t0 + i * 10_000) / 1000), event: 'bounce', type: 'bounce', reason: '550 5.1.1 mailbox unavailable', sg_event_id: `bounce-${i}`, sg_message_id: `msg-${i}.filter0001` });

    const posts = [0, 1, 2].map((i) => sendgridPost([bounce(i)]));
    for (const [i, p] of posts.entries()) {
      const r = await post(base, '/webhooks/sendgrid', p.body, p.headers);
      expect(r.status).toBe(200);
      expect(r.json).toMatchObject({ provider: 'sendgrid', facts: 1, unmatched: 0 });
      expect(r.json.written).toBeGreaterThanOrEqual(1);
      // At least three failed deliveries: the first two do not block.
      const after = personOf(await linked(base, memberId), contact.contactId);
      expect(after.blocked.email).toBe(i < 2 ? null : 'permanent-bounce');
    }
    const blocked = personOf(await linked(base, memberId), contact.contactId);
    expect(blocked.usableMethods).toEqual(['sms']);

    const events = await countEvents(store);
    // Forged: a signed post whose body was altered afterwards.
    const signed = sendgridPost([{ ...bounce(3), event: 'delivered' }]);
    const forged = await post(base, '/webhooks/sendgrid', signed.body.replace('delivered', 'spamreport'), signed.headers);
    expect(forged.status).toBe(403);
    expect(String(forged.json.error)).toContain('bad-signature');
    expect(String(forged.json.error)).not.toContain(email);
    // Signed with another key.
    const otherKey = generateKeyPairSync('ec', { namedCurve: 'prime256v1' }).privateKey;
    const wrongKey = sendgridPost([{ ...bounce(4), event: 'delivered' }], { key: otherKey });
    expect((await post(base, '/webhooks/sendgrid', wrongKey.body, wrongKey.headers)).status).toBe(403);
    // Unsigned.
    expect((await post(base, '/webhooks/sendgrid', signed.body, { 'content-type': 'application/json' })).status).toBe(401);
    // Stale: signed ten minutes ago.
    const stale = sendgridPost([{ ...bounce(5), event: 'delivered' }], { atMs: Date.now() - 600_000 });
    const staleAnswer = await post(base, '/webhooks/sendgrid', stale.body, stale.headers);
    expect(staleAnswer.status).toBe(403);
    expect(String(staleAnswer.json.error)).toContain('stale');
    // Replayed: the first bounce again, byte for byte.
    const replay = await post(base, '/webhooks/sendgrid', posts[0]!.body, posts[0]!.headers);
    expect(replay).toEqual({ status: 200, json: { replayed: true, written: 0 } });
    // Malformed (signed, but not JSON), and a provider with no settings.
    const ts = String(Math.floor(Date.now() / 1000));
    const malformedSig = sign('sha256', Buffer.from(`${ts}not json`), sendgridKeys.privateKey).toString('base64');
    expect((await post(base, '/webhooks/sendgrid', 'not json', { 'X-Twilio-Email-Event-Webhook-Signature': malformedSig, 'X-Twilio-Email-Event-Webhook-Timestamp': ts })).status).toBe(400);
    const notify = await post(base, '/webhooks/notify', '{}', { authorization: 'Bearer something-long-enough' });
    expect(notify.status).toBe(500);
    expect(notify.json).toEqual({ error: expect.stringContaining('misconfigured') });
    // Too big.
    expect((await post(base, '/webhooks/sendgrid', 'x'.repeat(1_100_000), signed.headers)).status).toBe(413);

    expect(await countEvents(store)).toBe(events);
    expect(personOf(await linked(base, memberId), contact.contactId).blocked.email).toBe('permanent-bounce');
  });

  it('R-CON-2 a signed Twilio STOP opts the contact out; a wrong or missing signature is refused and writes nothing', async () => {
    const { base, store, snapshot } = await imported();
    const { memberId, contact } = await primeParent(base, snapshot);
    const stop = { AccountSid: 'ACtest', MessageSid: 'SMstop0001', SmsStatus: 'received', From: contact.mobile!.value, To: '+447700900000', Body: 'STOP' };

    const events = await countEvents(store);
    const wrong = twilioPost(stop, 'not-the-auth-token');
    const refused = await post(base, '/webhooks/twilio', wrong.body, wrong.headers);
    expect(refused.status).toBe(403);
    expect(String(refused.json.error)).toContain('bad-signature');
    expect((await post(base, '/webhooks/twilio', wrong.body, { 'content-type': 'application/x-www-form-urlencoded' })).status).toBe(401);
    // Signed for the URL, then a parameter altered.
    const signed = twilioPost(stop);
    expect((await post(base, '/webhooks/twilio', signed.body.replace('STOP', 'START'), signed.headers)).status).toBe(403);
    expect(await countEvents(store)).toBe(events);
    expect(personOf(await linked(base, memberId), contact.contactId).optedOut).toBe(false);

    const ok = await post(base, '/webhooks/twilio', signed.body, signed.headers);
    expect(ok.status).toBe(200);
    expect(ok.json).toMatchObject({ provider: 'twilio', facts: 1, unmatched: 0 });
    expect(ok.json.written).toBeGreaterThanOrEqual(1);
    const after = personOf(await linked(base, memberId), contact.contactId);
    expect(after.optedOut).toBe(true);
    expect(after.usableMethods).toEqual([]);
  });

  it('R-CON-2 staff opt-out: 400 without "by", 404 for an unknown contact, recorded with who did it', async () => {
    const { base, snapshot } = await imported();
    const { memberId, contact } = await primeParent(base, snapshot);
    const path = `/contacts/${contact.contactId}/opt-out`;
    expect(await post(base, path, JSON.stringify({ reason: 'asked by phone' }), { 'content-type': 'application/json' })).toEqual({ status: 400, json: { error: expect.stringContaining('"by"') } });
    expect((await post(base, path, '{not json', {})).status).toBe(400);
    expect((await post(base, '/contacts/no-such-contact/opt-out', JSON.stringify({ by: 'J. Smith' }))).status).toBe(404);
    expect((await fetch(`${base}/members/no-such-member/linked-people`)).status).toBe(404);
    const r = await post(base, path, JSON.stringify({ by: 'J. Smith (office)', reason: 'asked by phone' }), { 'content-type': 'application/json' });
    expect(r).toEqual({ status: 200, json: { contactId: contact.contactId, changed: true, recorded: ['OptedOut'] } });
    expect(personOf(await linked(base, memberId), contact.contactId).optedOut).toBe(true);
    // Again: nothing to change.
    expect((await post(base, path, JSON.stringify({ by: 'J. Smith (office)' }))).json).toMatchObject({ changed: false });
  });

  it('staff endpoints need the staff token when one is set; webhooks and health do not', async () => {
    const { base } = await start({ store: memoryStore(), staffToken: 'staff-secret-token' });
    const view = (headers: Record<string, string>) => fetch(`${base}/members/m1/linked-people`, { headers }).then((r) => r.status);
    expect(await view({})).toBe(401);
    expect(await view({ authorization: 'Bearer wrong' })).toBe(403);
    expect(await view({ authorization: 'Bearer staff-secret-token' })).toBe(404);
    expect((await post(base, '/contacts/c1/opt-out', JSON.stringify({ by: 'J. Smith' }))).status).toBe(401);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    expect((await fetch(`${base}/health`, { method: 'POST' })).status).toBe(405);
  });

  it('R-OPS-1 R-OPS-2 an opt-out recorded while the scheduled sync changes the same contact survives it, and the sync change lands too', async () => {
    const snapshot = school();
    const exportPath = join(workDir(), 'export.xml');
    writeCtf(exportPath, snapshot);
    const watched = watchedStore(memoryStore());
    const { base, logs } = await start({ store: watched.store, exportPath, syncEveryMs: 50 });
    const recordedRuns = (): string[] => logs.filter((l) => /^sync \S+ \(ctf\): members/.test(l));
    await vi.waitFor(() => expect(recordedRuns()).toHaveLength(1), { timeout: 10_000, interval: 20 });

    // The next export changes this parent's mobile (and every other parent's, to give the sync some work).
    const { memberId, contact } = await primeParent(base, snapshot);
    const stream = `contact-${contact.contactId}`;
    const external = snapshot.contacts.find((c) => contactIdFor(SCHOOL, snapshot.source.system, c.externalId) === contact.contactId)!;
    let n = 0;
    const newMobile = (): string => `07199 ${String(100_000 + n++).padStart(6, '0')}`;
    const changed: MisSnapshot = {
      ...snapshot,
      contacts: snapshot.contacts.map((c) => ({ ...c, phones: c.phones.map((p) => (p.location === 'Mobile' ? { ...p, value: c === external ? '07199 654321' : newMobile() } : p)) })),
    };

    // Hold the sync the moment it is about to write that contact: the opt-out goes in between.
    const reached = deferred();
    const release = deferred();
    watched.state.onImportAppend = async (streamIds) => {
      if (!streamIds.includes(stream)) return;
      watched.state.onImportAppend = null;
      reached.resolve();
      await release.promise;
    };
    writeCtf(exportPath, changed);
    await reached.promise;

    // The sync is running (and holding): staff keep using the service.
    expect(recordedRuns()).toHaveLength(1);
    expect((await fetch(`${base}/health`)).status).toBe(200);
    const optOut = await post(base, `/contacts/${contact.contactId}/opt-out`, JSON.stringify({ by: 'J. Smith (office)', reason: 'asked by phone' }), { 'content-type': 'application/json' });
    expect(optOut).toEqual({ status: 200, json: { contactId: contact.contactId, changed: true, recorded: ['OptedOut'] } });
    // Scheduled triggers meanwhile are skipped, not run alongside.
    await vi.waitFor(() => expect(logs).toContain('sync skipped: the previous sync is still running'), { timeout: 5_000, interval: 10 });
    release.resolve();

    await vi.waitFor(() => expect(recordedRuns()).toHaveLength(2), { timeout: 10_000, interval: 20 });
    expect(recordedRuns()[1]).toMatch(/, 0 refused, /);
    // The sync met the opt-out (a version conflict on that stream), re-read and decided again.
    expect(watched.conflicts.get(stream) ?? 0).toBeGreaterThanOrEqual(1);
    const after = personOf(await linked(base, memberId), contact.contactId);
    expect(after.optedOut).toBe(true);
    expect(after.mobile?.value).toBe('+447199654321');
    // In the contact's stream the staff opt-out comes first, the sync's change after it.
    const types = (await watched.store.readStream(stream)).map((e) => e.type);
    expect(types.indexOf('OptedOut')).toBeGreaterThan(0);
    expect(types.slice(types.indexOf('OptedOut') + 1)).toContain('ContactDetailsChanged');
  });
});
