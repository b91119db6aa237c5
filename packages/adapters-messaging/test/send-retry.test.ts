/**
 * Retries with exponential backoff on 5xx and 429 (fake sleep); 4xx are not retried; an account error stops
 * the run; a timeout after the hand-over is in doubt. Timeouts are the client's own (100 ms) against a stub
 * that never answers, so no late reply can race them.
 */
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactStream, messageStream, memoryStore } from '@contactable/core';
import { providerFromUrl, send, storeDirectory, type SendDeps } from '@contactable/adapters-messaging';
import { createServer } from 'node:net';
import { startHttpStub, type HttpStub, type StubReply } from './support/httpStub.js';
import { SCHOOL, importContact, makeDeps, streamEvents } from './support/world.js';

let stub: HttpStub;
beforeAll(async () => {
  stub = await startHttpStub();
});
afterAll(() => stub.close());

const NOTIFY_KEY = 'k-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0';

const setup = async (url: string, contacts = ['c-1']) => {
  const deps = makeDeps(memoryStore());
  for (const [i, id] of contacts.entries()) await importContact(deps, { id, email: `p${i}@example.org` });
  const set = providerFromUrl(url);
  if (E.isLeft(set)) throw new Error(set.left.message);
  const sleeps: number[] = [];
  const sendDeps: SendDeps = { ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email: set.right.email, sleep: async (ms) => void sleeps.push(ms) };
  stub.requests.length = 0;
  return { deps, sendDeps, sleeps };
};

const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

const providerFromUrlOrThrow = (url: string) => {
  const set = providerFromUrl(url);
  if (E.isLeft(set)) throw new Error(set.left.message);
  return set.right.email;
};

// Only tests against a stub that never answers use the short timeout: elsewhere a slow machine must not turn a reply into a timeout.
const sendgrid = (timeoutMs = 10_000) => `sendgrid://KEY@h?from=office@school.example&timeout=${timeoutMs}&base=${stub.url}`;
const message = (id: string) => ({ messageId: id, channel: 'email' as const, subject: 'S', body: 'B' });
const ok = <T>(r: E.Either<{ message: string }, T>): T => {
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

describe('retry and backoff', () => {
  it('R-CON-9: 500 then 503 then 202: retried after 0.5 s and 1 s, sent once', async () => {
    const { sendDeps, sleeps } = await setup(sendgrid());
    stub.respond = (_r, i) => (i < 2 ? { status: i === 0 ? 500 : 503, body: { errors: [{ message: 'oops' }] } } : { status: 202, headers: { 'x-message-id': 'sg-1' } });
    const report = ok(await send(sendDeps, message('m-5xx'), { kind: 'contacts', contactIds: ['c-1'] }));
    expect(stub.requests).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
    expect(report.sent).toEqual([{ contactId: 'c-1', providerMessageId: 'sg-1' }]);
  });

  it('R-CON-9: 429 waits as long as Retry-After asks (capped by the policy)', async () => {
    const { sendDeps, sleeps } = await setup(sendgrid());
    stub.respond = (_r, i): StubReply => (i === 0 ? { status: 429, headers: { 'retry-after': '3' }, body: { errors: [] } } : { status: 202, headers: { 'x-message-id': 'sg-2' } });
    ok(await send(sendDeps, message('m-429'), { kind: 'contacts', contactIds: ['c-1'] }));
    expect(sleeps).toEqual([3000]);
  });

  it('R-CON-9: with retryAmbiguous on, a timeout is retried (a second copy knowingly risked)', async () => {
    const { sendDeps, sleeps } = await setup(sendgrid(100));
    stub.respond = (_r, i) => (i === 0 ? { status: 202, hang: true } : { status: 202, headers: { 'x-message-id': 'sg-3' } });
    const report = ok(await send({ ...sendDeps, retry: { retryAmbiguous: true } }, message('m-timeout'), { kind: 'contacts', contactIds: ['c-1'] }));
    expect(sleeps).toEqual([500]);
    expect(report.sent[0]!.providerMessageId).toBe('sg-3');
  });

  it('R-CON-9: by default a timeout after the hand-over is not retried where the provider cannot be asked: in doubt, not failed', async () => {
    const { sendDeps } = await setup(sendgrid(100));
    stub.respond = () => ({ status: 202, hang: true });
    const report = ok(await send(sendDeps, message('m-timeout-once'), { kind: 'contacts', contactIds: ['c-1'] }));
    expect(stub.requests).toHaveLength(1);
    expect(report.inDoubt).toEqual([{ contactId: 'c-1', detail: expect.stringMatching(/no answer within 100 ms; the provider may have taken it/) }]);
    expect(report.failed).toEqual([]);
    expect(report.completed).toBe(false);
  });

  it('R-CON-9: a 4xx is not retried: one request, a recorded failure, the others still sent', async () => {
    const { deps, sendDeps, sleeps } = await setup(sendgrid(), ['c-1', 'c-2']);
    stub.respond = (req) => (req.body.includes('p0@') ? { status: 400, body: { errors: [{ field: 'personalizations.0.to', message: 'invalid' }] } } : { status: 202, headers: { 'x-message-id': 'sg-4' } });
    const report = ok(await send(sendDeps, message('m-4xx'), { kind: 'contacts', contactIds: ['c-1', 'c-2'] }));
    expect(stub.requests).toHaveLength(2);
    expect(sleeps).toEqual([]);
    expect(report.failed).toEqual([{ contactId: 'c-1', error: 'sendgrid refused the message (400): personalizations.0.to: invalid' }]);
    expect(report.sent.map((s) => s.contactId)).toEqual(['c-2']);
    const events = await streamEvents(deps.store, messageStream('m-4xx'));
    expect(events.filter((e) => e.type === 'MessageSendFailed').map((e) => e.data.contactId)).toEqual(['c-1']);
    expect(events[events.length - 1]!.data).toMatchObject({ sent: 1, failed: 1, skipped: 0 });
  });

  it('R-CON-9: retries are bounded: after the last attempt the recipient is not sent (not failed), and a re-run sends it once', async () => {
    const { deps, sendDeps, sleeps } = await setup(sendgrid());
    stub.respond = () => ({ status: 502, body: '' });
    const report = ok(await send({ ...sendDeps, retry: { maxAttempts: 3 } }, message('m-bounded'), { kind: 'contacts', contactIds: ['c-1'] }));
    expect(stub.requests).toHaveLength(3);
    expect(sleeps).toEqual([500, 1000]);
    expect(report.failed).toEqual([]);
    expect(report.notSent).toEqual([{ contactId: 'c-1', error: expect.stringMatching(/^sendgrid could not take the message \(502\)/) }]);
    expect(report.completed).toBe(false);
    expect((await streamEvents(deps.store, messageStream('m-bounded'))).map((e) => e.type)).toContain('SendAttemptsReleased');
    stub.respond = () => ({ status: 202, headers: { 'x-message-id': 'sg-5' } });
    const again = ok(await send(sendDeps, message('m-bounded'), { kind: 'contacts', contactIds: ['c-1'] }));
    expect(again).toMatchObject({ sent: [{ contactId: 'c-1', providerMessageId: 'sg-5' }], notSent: [], completed: true });
    expect(stub.requests).toHaveLength(4);
  });

  it('R-CON-9: a provider that refuses the connection stops the run: nobody failed or in doubt, all not sent; a re-run sends each once', async () => {
    const { sendDeps, sleeps } = await setup(`sendgrid://KEY@h?from=office@school.example&timeout=100&base=http://127.0.0.1:${await closedPort()}`, ['c-1', 'c-2', 'c-3']);
    const report = ok(await send({ ...sendDeps, batchSize: 2 }, message('m-refused'), { kind: 'contacts', contactIds: ['c-1', 'c-2', 'c-3'] }));
    expect(report.stopped).toMatch(/could not reach the provider \(ECONNREFUSED\)/);
    expect(report).toMatchObject({ sent: [], failed: [], inDoubt: [], completed: false });
    expect(report.notSent.map((n) => n.contactId).sort()).toEqual(['c-1', 'c-2', 'c-3']);
    expect(sleeps.length).toBeGreaterThan(0);
    const fixed = { ...sendDeps, email: providerFromUrlOrThrow(sendgrid()) };
    stub.respond = (_r, i) => ({ status: 202, headers: { 'x-message-id': `sg-${i}` } });
    const again = ok(await send(fixed, message('m-refused'), { kind: 'contacts', contactIds: ['c-1', 'c-2', 'c-3'] }));
    expect(again).toMatchObject({ notSent: [], inDoubt: [], completed: true });
    expect(stub.requests.map((r) => JSON.parse(r.body).personalizations[0].to[0].email).sort()).toEqual(['p0@example.org', 'p1@example.org', 'p2@example.org']);
  });

  it('R-CON-9: a connection dropped after the request went out is in doubt, not retried', async () => {
    const { sendDeps } = await setup(sendgrid());
    stub.respond = () => ({ status: 202, drop: true });
    const report = ok(await send(sendDeps, message('m-dropped'), { kind: 'contacts', contactIds: ['c-1'] }));
    expect(stub.requests).toHaveLength(1);
    expect(report.inDoubt).toEqual([{ contactId: 'c-1', detail: expect.stringMatching(/connection to the provider was lost/) }]);
  });

  it('R-CON-9: a 401 stops the run without failing anyone; once fixed, a re-run sends each recipient once', async () => {
    const { deps, sendDeps } = await setup(sendgrid(), ['c-1', 'c-2', 'c-3']);
    stub.respond = () => ({ status: 401, body: { errors: [{ message: 'The provided authorization grant is invalid, expired, or revoked' }] } });
    const first = ok(await send({ ...sendDeps, batchSize: 2 }, message('m-401'), { kind: 'contacts', contactIds: ['c-1', 'c-2', 'c-3'] }));
    expect(first.completed).toBe(false);
    expect(first.stopped).toMatch(/sendgrid refused the message \(401\)/);
    expect(first.failed).toEqual([]);
    expect((await streamEvents(deps.store, messageStream('m-401'))).map((e) => e.type)).toContain('SendAttemptsReleased');
    stub.requests.length = 0;
    stub.respond = (_r, i) => ({ status: 202, headers: { 'x-message-id': `sg-${i}` } });
    const second = ok(await send({ ...sendDeps, batchSize: 2 }, message('m-401'), { kind: 'contacts', contactIds: ['c-1', 'c-2', 'c-3'] }));
    expect(second.completed).toBe(true);
    expect(second.inDoubt).toEqual([]);
    expect(first.notSent.map((n) => n.contactId).sort()).toEqual(['c-1', 'c-2', 'c-3']);
    expect(stub.requests.map((r) => JSON.parse(r.body).personalizations[0].to[0].email).sort()).toEqual(['p0@example.org', 'p1@example.org', 'p2@example.org']);
  });

  it('R-CON-9: after a Notify timeout the reference is looked up before retrying, so the message is not sent twice', async () => {
    const { deps, sendDeps } = await setup(`notify://${NOTIFY_KEY}@h?template=t&timeout=100&base=${stub.url}`);
    stub.respond = (req) =>
      req.method === 'GET'
        ? { status: 200, body: { notifications: [{ id: 'n-taken', reference: 'm-notify:c-1' }] } }
        : { status: 201, hang: true };
    const report = ok(await send(sendDeps, message('m-notify'), { kind: 'contacts', contactIds: ['c-1'] }));
    expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(1);
    expect(report.sent).toEqual([{ contactId: 'c-1', providerMessageId: 'n-taken' }]);
    const sent = (await streamEvents(deps.store, contactStream('c-1'))).filter((e) => e.type === 'MessageSent');
    expect(sent.map((e) => e.data.providerMessageId)).toEqual(['n-taken']);
  });
});
