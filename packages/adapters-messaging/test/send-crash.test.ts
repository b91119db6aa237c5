/** Crash and re-run: a send interrupted midway and run again reaches each recipient exactly once (the outbox). */
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactStream, messageStream, memoryStore, sequentialIds, type EventStore } from '@contactable/core';
import { providerFromUrl, resumeSend, send, storeDirectory, type EmailProvider, type SendDeps, type SendReport } from '@contactable/adapters-messaging';
import { Crash, crashingStore, dyingWith, fakeEmail } from './support/fakes.js';
import { startHttpStub, type HttpStub } from './support/httpStub.js';
import { startSmtpSink, type SmtpSink } from './support/smtpSink.js';
import { SCHOOL, importContact, makeDeps, streamEvents } from './support/world.js';

const IDS = ['c-1', 'c-2', 'c-3', 'c-4', 'c-5', 'c-6'];
const audience = { kind: 'contacts' as const, contactIds: IDS };
const message = (id: string) => ({ messageId: id, channel: 'email' as const, subject: 'S', body: 'B' });

let sink: SmtpSink;
let smtp: EmailProvider;
let stub: HttpStub;
beforeAll(async () => {
  sink = await startSmtpSink();
  stub = await startHttpStub();
  const set = providerFromUrl(`smtp://127.0.0.1:${sink.port}?from=office@school.example`);
  if (E.isLeft(set)) throw new Error(set.left.message);
  smtp = set.right.email!;
});
afterAll(async () => {
  await smtp.close?.();
  await sink.close();
  await stub.close();
});

const school = async (): Promise<EventStore> => {
  const store = memoryStore();
  const deps = makeDeps(store);
  for (const [i, id] of IDS.entries()) await importContact(deps, { id, email: `parent${i + 1}@example.org` });
  return store;
};

// Each run is a new process: its fresh ids must not repeat an earlier run's (a repeated event id is a no-op append).
let runs = 0;
const depsFor = (store: EventStore, email: EmailProvider, extra: Partial<SendDeps> = {}): SendDeps => ({
  ...makeDeps(store, '2026-09-02T08:00:00.000Z'),
  ids: sequentialIds(`run-${++runs}`),
  schoolId: SCHOOL,
  directory: storeDirectory(store),
  email,
  batchSize: 1,
  sleep: async () => {},
  ...extra,
});

const crashRun = async (run: Promise<unknown>): Promise<void> => {
  await expect(run).rejects.toBeInstanceOf(Crash);
};

const ok = (r: E.Either<{ message: string }, SendReport>): SendReport => {
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

const receivedCounts = (from: number): Record<string, number> => {
  const counts: Record<string, number> = {};
  for (const r of sink.received.slice(from)) for (const to of r.to) counts[to] = (counts[to] ?? 0) + 1;
  return counts;
};

const everyoneOnce = Object.fromEntries(IDS.map((_, i) => [`parent${i + 1}@example.org`, 1]));

describe('crash and re-run (outbox)', () => {
  it('R-CON-9: a crash between two recipients: the re-run sends the rest, each recipient exactly once', async () => {
    const store = await school();
    const before = sink.received.length;
    // Dies as the 4th attempt marker is written (before its provider call).
    let batches = 0;
    const c = crashingStore(store, (_s, events) => events[0]?.type === 'SendBatchStarted' && ++batches === 4);
    await crashRun(send(depsFor(c.store, dyingWith(smtp, c.crashed)), message('m-a'), audience));
    expect(sink.received.length - before).toBe(3);
    const report = ok(await send(depsFor(store, smtp), message('m-a'), audience));
    expect(receivedCounts(before)).toEqual(everyoneOnce);
    expect(report.alreadySent).toEqual(['c-1', 'c-2', 'c-3']);
    expect(report.inDoubt).toEqual([]);
    expect(report.completed).toBe(true);
  });

  it('R-CON-9: a crash after the provider took a message but before MessageSent landed: the re-run does not send it again (in doubt)', async () => {
    const store = await school();
    const before = sink.received.length;
    const c = crashingStore(store, (streamId) => streamId === contactStream('c-3'));
    await crashRun(send(depsFor(c.store, dyingWith(smtp, c.crashed)), message('m-b'), audience));
    const report = ok(await send(depsFor(store, smtp), message('m-b'), audience));
    // parent3 got it once, from the first run; nobody got it twice.
    expect(receivedCounts(before)).toEqual(everyoneOnce);
    expect(report.inDoubt).toEqual([{ contactId: 'c-3', detail: expect.stringMatching(/stopped before recording the outcome/) }]);
    expect(report.failed).toEqual([]);
    // In doubt is not an outcome: the message waits for a decision.
    expect(report.completed).toBe(false);
    expect((await streamEvents(store, messageStream('m-b'))).map((e) => e.type)).not.toContain('MessageCompleted');
    // A plain re-run changes nothing and still lists them.
    const again = ok(await send(depsFor(store, smtp), message('m-b'), audience));
    expect(again).toMatchObject({ sent: [], inDoubt: [{ contactId: 'c-3' }], completed: false });
    expect(receivedCounts(before)).toEqual(everyoneOnce);
  });

  it('R-CON-9 R-AUD-1: staff decide to resend to the in-doubt recipients: sent once more with the same Message-ID, the decision recorded with who made it', async () => {
    const store = await school();
    const before = sink.received.length;
    const c = crashingStore(store, (streamId) => streamId === contactStream('c-3'));
    await crashRun(send(depsFor(c.store, dyingWith(smtp, c.crashed)), message('m-b2'), audience));
    expect(ok(await send(depsFor(store, smtp), message('m-b2'), audience)).inDoubt.map((d) => d.contactId)).toEqual(['c-3']);
    const byStaff = { kind: 'person' as const, name: 'J. Bursar' };
    const resend = ok(await resumeSend(depsFor(store, smtp, { resendInDoubt: true, actor: byStaff }), 'm-b2'));
    expect(resend).toMatchObject({ resent: ['c-3'], inDoubt: [], completed: true });
    // parent3 had it from the first run: the copy carries the same Message-ID, so the receiving side can tell.
    const copies = sink.received.slice(before).filter((r) => r.to.includes('parent3@example.org'));
    expect(copies).toHaveLength(2);
    expect(new Set(copies.map((r) => r.messageId)).size).toBe(1);
    const decided = (await streamEvents(store, messageStream('m-b2'))).find((e) => e.type === 'InDoubtResendDecided')!;
    expect(decided.data).toEqual({ messageId: 'm-b2', contactIds: ['c-3'] });
    expect(decided.metadata.actor).toEqual(byStaff);
    // Sent once: a further resend finds nobody in doubt and sends nothing.
    const after = sink.received.length;
    expect(ok(await resumeSend(depsFor(store, smtp, { resendInDoubt: true, actor: byStaff }), 'm-b2'))).toMatchObject({ resent: [], sent: [] });
    expect(sink.received.length).toBe(after);
    const sentEvents = (await streamEvents(store, contactStream('c-3'))).filter((e) => e.type === 'MessageSent');
    expect(sentEvents).toHaveLength(1);
  });

  it('R-CON-9: a crash after the marker but before the provider call: in doubt; the decided resend sends it once', async () => {
    const store = await school();
    const before = sink.received.length;
    const crashAt = new Set(['parent4@example.org']);
    let crashed = false;
    const dying: EmailProvider = { ...smtp, send: async (m) => {
      if (crashed || crashAt.has(m.to)) {
        crashed = true;
        throw new Crash();
      }
      return smtp.send(m);
    } };
    await crashRun(send(depsFor(store, dying), message('m-c'), audience));
    const resumed = ok(await send(depsFor(store, smtp), message('m-c'), audience));
    expect(resumed.sent.map((s) => s.contactId)).toEqual(['c-5', 'c-6']);
    expect(resumed.inDoubt.map((d) => d.contactId)).toEqual(['c-4']);
    const report = ok(await send(depsFor(store, smtp, { resendInDoubt: true, actor: { kind: 'person', name: 'Office' } }), message('m-c'), audience));
    expect(receivedCounts(before)).toEqual(everyoneOnce);
    expect(report.sent.map((s) => s.contactId)).toEqual(['c-4']);
    expect(report).toMatchObject({ resent: ['c-4'], inDoubt: [], completed: true });
  });

  it('R-CON-9: with GOV.UK Notify an in-doubt recipient is settled by looking up our reference, not by sending again', async () => {
    const store = await school();
    stub.requests.length = 0;
    const taken = new Map<string, string>();
    stub.respond = (req) => {
      if (req.method === 'GET') {
        const ref = new URL(req.path, 'http://x').searchParams.get('reference')!;
        return { status: 200, body: { notifications: taken.has(ref) ? [{ id: taken.get(ref), reference: ref }] : [] } };
      }
      const body = JSON.parse(req.body) as { reference: string };
      taken.set(body.reference, `n-${taken.size + 1}`);
      return { status: 201, body: { id: taken.get(body.reference), reference: body.reference } };
    };
    const set = providerFromUrl(`notify://k-26785a09-ab16-4eb0-8407-a37497a57506-3d844edf-8d35-48ac-975b-e847b4f122b0@h?template=t&base=${stub.url}`);
    if (E.isLeft(set)) throw new Error(set.left.message);
    const notify = set.right.email!;
    const c = crashingStore(store, (streamId) => streamId === contactStream('c-2'));
    await crashRun(send(depsFor(c.store, dyingWith(notify, c.crashed)), message('m-d'), audience));
    const report = ok(await send(depsFor(store, notify), message('m-d'), audience));
    expect(stub.requests.filter((r) => r.method === 'POST')).toHaveLength(6);
    expect(report.inDoubt).toEqual([]);
    expect(report.sent.find((s) => s.contactId === 'c-2')?.providerMessageId).toBe(taken.get('m-d:c-2'));
    expect(report.completed).toBe(true);
  });

  const crashThenRerun = async (crashAt: number, batchSize: number, resendInDoubt: boolean) => {
    const store = await school();
    const fake = fakeEmail();
    const c = crashingStore(store, (_s, _e, n) => n === crashAt);
    try {
      await send(depsFor(c.store, dyingWith(fake.provider, c.crashed), { batchSize }), message('m-law'), audience);
    } catch (e) {
      if (!(e instanceof Crash)) throw e;
    }
    let report = ok(await send(depsFor(store, fake.provider, { batchSize }), message('m-law'), audience));
    const inDoubt = report.inDoubt.map((d) => d.contactId);
    if (resendInDoubt) report = ok(await send(depsFor(store, fake.provider, { batchSize, resendInDoubt, actor: { kind: 'person', name: 'Office' } }), message('m-law'), audience));
    const counts = new Map<string, number>();
    for (const m of fake.sent) counts.set(m.contactId, (counts.get(m.contactId) ?? 0) + 1);
    return { report, inDoubt, count: (id: string) => counts.get(id) ?? 0 };
  };

  it('R-CON-9 law: wherever the process dies, after a re-run nobody has been sent to twice, everyone not in doubt exactly once, and the message completes exactly when nobody is in doubt', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 3 }), async (crashAt, batchSize) => {
        const { report, inDoubt, count } = await crashThenRerun(crashAt, batchSize, false);
        return report.completed === (inDoubt.length === 0) && inDoubt.length <= batchSize && IDS.every((id) => count(id) <= 1 && (inDoubt.includes(id) || count(id) === 1));
      }),
      { numRuns: 200 },
    );
  });

  it('R-CON-9 law: with the decided resend, everyone is reached and the message completes; only an in-doubt recipient can be reached twice', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 40 }), fc.integer({ min: 1, max: 3 }), async (crashAt, batchSize) => {
        const { report, inDoubt, count } = await crashThenRerun(crashAt, batchSize, true);
        const twice = IDS.filter((id) => count(id) > 1);
        return report.completed && report.inDoubt.length === 0 && IDS.every((id) => count(id) >= 1 && count(id) <= 2) && twice.every((id) => inDoubt.includes(id));
      }),
      { numRuns: 200 },
    );
  });
});
