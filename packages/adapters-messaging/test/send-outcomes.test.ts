/**
 * Sending outcomes over SMTP: a server that refuses the connection takes nothing, so everyone is "not
 * sent" and a re-run sends them; only a connection lost after the hand-over may have delivered (in doubt);
 * any SMTP reply is definite. The SMTP Message-ID is our reference, so a copy can be recognised.
 */
import * as E from 'fp-ts/lib/Either.js';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { handleCommand, memoryStore, messageDecider, messageStream, sequentialIds, type EventStore } from '@contactable/core';
import { providerFromUrl, resumeSend, send, smtpError, storeDirectory, type EmailProvider, type SendDeps, type SendReport } from '@contactable/adapters-messaging';
import { startSmtpDropper } from './support/smtpDropper.js';
import { startSmtpSink, type SmtpSink } from './support/smtpSink.js';
import { SCHOOL, importContact, makeDeps, streamEvents } from './support/world.js';

const IDS = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5'];
const audience = { kind: 'contacts' as const, contactIds: IDS };
const message = (id: string) => ({ messageId: id, channel: 'email' as const, subject: 'S', body: 'B' });

let sink: SmtpSink;
beforeAll(async () => {
  sink = await startSmtpSink();
});
afterAll(() => sink.close());

const smtpAt = (port: number, timeoutMs = 5_000): EmailProvider => {
  const set = providerFromUrl(`smtp://127.0.0.1:${port}?from=office@school.example&starttls=off&timeout=${timeoutMs}`);
  if (E.isLeft(set)) throw new Error(set.left.message);
  return set.right.email!;
};

const school = async (): Promise<EventStore> => {
  const store = memoryStore();
  const deps = makeDeps(store);
  for (const [i, id] of IDS.entries()) await importContact(deps, { id, email: `parent${i + 1}@example.org` });
  return store;
};

let runs = 0;
const depsFor = (store: EventStore, email: EmailProvider, extra: Partial<SendDeps> = {}): SendDeps => ({
  ...makeDeps(store, '2026-09-02T08:00:00.000Z'),
  ids: sequentialIds(`run-${++runs}`),
  schoolId: SCHOOL,
  directory: storeDirectory(store),
  email,
  batchSize: 2,
  sleep: async () => {},
  ...extra,
});

const ok = (r: E.Either<{ message: string }, SendReport>): SendReport => {
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const freePort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

describe('sending outcomes over SMTP', () => {
  it('R-CON-9: with the SMTP server down the send stops: nobody failed, nobody in doubt, everyone not sent; once it is back a re-run sends each exactly once', async () => {
    const store = await school();
    const down = smtpAt(await freePort());
    const first = ok(await send(depsFor(store, down), message('m-down'), audience));
    await down.close?.();
    expect(first).toMatchObject({ sent: [], failed: [], inDoubt: [], completed: false });
    expect(first.stopped).toMatch(/could not connect to the SMTP server .*ECONNREFUSED/);
    expect(first.notSent.map((n) => n.contactId).sort()).toEqual(IDS);
    const types = (await streamEvents(store, messageStream('m-down'))).map((e) => e.type);
    expect(types).not.toContain('MessageSendFailed');
    expect(types).not.toContain('RecipientInDoubt');
    expect(types).not.toContain('MessageCompleted');

    const up = smtpAt(sink.port);
    const before = sink.received.length;
    const second = ok(await send(depsFor(store, up), message('m-down'), audience));
    await up.close?.();
    expect(second).toMatchObject({ notSent: [], inDoubt: [], failed: [], completed: true });
    const got = sink.received.slice(before).flatMap((r) => r.to).sort();
    expect(got).toEqual(IDS.map((_, i) => `parent${i + 1}@example.org`));
  });

  it('R-CON-9: a connection lost after the whole message went over is in doubt, not failed and not retried', async () => {
    const store = await school();
    const server = await startSmtpDropper();
    const provider = smtpAt(server.port);
    const report = ok(await send(depsFor(store, provider, { batchSize: 1 }), message('m-drop'), { kind: 'contacts', contactIds: ['c-1'] }));
    await provider.close?.();
    await server.close();
    expect(server.dropped).toEqual(['parent1@example.org']);
    expect(report.failed).toEqual([]);
    expect(report.notSent).toEqual([]);
    expect(report.inDoubt).toEqual([{ contactId: 'c-1', detail: expect.stringMatching(/the provider may have taken it/) }]);
    expect(report.completed).toBe(false);
  });

  it('R-CON-9 R-DEL-3: a message whose content retention erased is never sent again, even to its recipients in doubt (it would send XXXX)', async () => {
    const store = await school();
    const server = await startSmtpDropper();
    const dropper = smtpAt(server.port);
    const first = ok(await send(depsFor(store, dropper, { batchSize: 1 }), message('m-erased'), { kind: 'contacts', contactIds: ['c-1'] }));
    await dropper.close?.();
    await server.close();
    expect(first.inDoubt.map((d) => d.contactId)).toEqual(['c-1']);
    const erased = await handleCommand(makeDeps(store), messageDecider, messageStream('m-erased'), { type: 'RecordMessageContentErased', messageId: 'm-erased' }, { schoolId: SCHOOL, actor: { kind: 'system', name: 'retention' }, reasonCode: 'retention' });
    expect(E.isRight(erased)).toBe(true);

    const up = smtpAt(sink.port);
    const before = sink.received.length;
    const again = await resumeSend(depsFor(store, up, { resendInDoubt: true, actor: { kind: 'person', name: 'Office' } }), 'm-erased');
    await up.close?.();
    expect(E.isLeft(again) && again.left).toMatchObject({ code: 'refused', message: expect.stringMatching(/content was erased/) });
    expect(sink.received.length).toBe(before);
    expect((await streamEvents(store, messageStream('m-erased'))).map((e) => e.type)).not.toContain('InDoubtResendDecided');
  });

  it('R-CON-9: the classification: replies are definite, no connection is not sent, a lost connection is in doubt', () => {
    const cases: Array<[string, unknown, Partial<{ kind: string; scope: string; ambiguous: boolean }>]> = [
      ['refused', { code: 'ESOCKET', syscall: 'connect', message: 'connect ECONNREFUSED 127.0.0.1:25' }, { kind: 'retryable', scope: 'account', ambiguous: false }],
      ['no such host', { code: 'EDNS', syscall: 'getaddrinfo', message: 'getaddrinfo ENOTFOUND smtp.invalid' }, { kind: 'retryable', scope: 'account', ambiguous: false }],
      ['no greeting', { code: 'ETIMEDOUT', message: 'Greeting never received' }, { kind: 'retryable', scope: 'account', ambiguous: false }],
      ['4xx at RCPT', { code: 'EENVELOPE', responseCode: 451, response: '451 try later' }, { kind: 'retryable', scope: 'recipient', ambiguous: false }],
      ['5xx at RCPT', { code: 'EENVELOPE', responseCode: 550, response: '550 no such user' }, { kind: 'permanent', scope: 'recipient', ambiguous: false }],
      ['5xx at MAIL FROM', { code: 'EENVELOPE', responseCode: 553, response: '553 sender rejected' }, { kind: 'permanent', scope: 'account', ambiguous: false }],
      ['auth', { code: 'EAUTH', responseCode: 535, response: '535 bad credentials' }, { kind: 'permanent', scope: 'account', ambiguous: false }],
      ['lost mid-conversation', { code: 'ECONNECTION', message: 'Connection closed unexpectedly' }, { kind: 'retryable', ambiguous: true }],
      ['silent after the message', { code: 'ETIMEDOUT', message: 'Timeout' }, { kind: 'retryable', ambiguous: true }],
    ];
    for (const [name, err, want] of cases) expect({ name, ...smtpError(err) }).toMatchObject({ name, ...want });
  });
});
