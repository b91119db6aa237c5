/** A real SMTP round trip on loopback: the server receives exactly the recipients R-CON-9 allows. */
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactStream, emailDetail, messageStream, memoryStore, type HandlerDeps } from '@contactable/core';
import { providerFromUrl, send, storeDirectory, type EmailProvider, type SendDeps } from '@contactable/adapters-messaging';
import { startSmtpSink, type SmtpSink } from './support/smtpSink.js';
import { SCHOOL, blockEmail, createGroup, importContact, importMember, link, makeDeps, optOut, streamEvents } from './support/world.js';

let sink: SmtpSink;
let email: EmailProvider;

beforeAll(async () => {
  sink = await startSmtpSink();
  const set = providerFromUrl(`smtp://127.0.0.1:${sink.port}?from=office@school.example&starttls=off`);
  if (E.isLeft(set)) throw new Error(set.left.message);
  email = set.right.email!;
});
afterAll(async () => {
  await email.close?.();
  await sink.close();
});

const school = async (): Promise<HandlerDeps> => {
  const deps = makeDeps(memoryStore());
  await importContact(deps, { id: 'c-ok', email: 'ok@example.org' });
  await importContact(deps, { id: 'c-out', email: 'out@example.org' });
  await optOut(deps, 'c-out');
  await importContact(deps, { id: 'c-blocked', email: 'spam@example.org' });
  await blockEmail(deps, 'c-blocked', 'spam@example.org');
  await importContact(deps, { id: 'c-invalid', email: emailDetail('not-an-address@', 'Home') });
  await importContact(deps, { id: 'c-missing', mobile: '07700 900123' });
  await importContact(deps, { id: 'c-parent', email: 'Parent@Example.org' });
  await importContact(deps, { id: 'c-mum', email: 'family@example.org' });
  await importContact(deps, { id: 'c-dad', email: 'FAMILY@example.org ' });
  // Siblings share a parent; another member has no prime parent at all.
  await importMember(deps, 'm-1', { 'c-parent': link(true), 'c-mum': link(true), 'c-dad': link(true, true, 2) });
  await importMember(deps, 'm-2', { 'c-parent': link(true) });
  await importMember(deps, 'm-3', { 'c-ok': link(false) });
  await createGroup(deps, 'g-1', [
    { kind: 'member', id: 'm-1' },
    { kind: 'member', id: 'm-2' },
    { kind: 'member', id: 'm-3' },
    ...['c-ok', 'c-out', 'c-blocked', 'c-invalid', 'c-missing'].map((id) => ({ kind: 'contact' as const, id })),
  ]);
  return deps;
};

describe('send over SMTP (R-CON-9)', () => {
  it('R-CON-9: the SMTP server receives exactly the usable recipients; opted-out, blocked, invalid and missing are skipped with reasons', async () => {
    const deps = await school();
    const sendDeps: SendDeps = { ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email };
    const before = sink.received.length;
    const result = await send(sendDeps, { messageId: 'msg-1', channel: 'email', subject: 'Trip', body: 'The trip is on Friday.' }, { kind: 'group', groupId: 'g-1' });
    if (E.isLeft(result)) throw new Error(result.left.message);
    const report = result.right;
    const got = sink.received.slice(before);
    // One message per address: the shared family address gets one, the sibling's parent one.
    expect(got.map((r) => r.to).flat().sort()).toEqual(['family@example.org', 'ok@example.org', 'parent@example.org']);
    expect(got.every((r) => r.subject === 'Trip')).toBe(true);
    expect(report.completed).toBe(true);
    expect(report.sent.map((s) => s.contactId).sort()).toEqual(['c-dad', 'c-mum', 'c-ok', 'c-parent']);
    const reasons = Object.fromEntries(report.skipped.map((s) => [s.contactId ?? s.memberId, s.reasons.join('; ')]));
    expect(reasons).toEqual({
      'm-3': 'the member has no prime parent',
      'c-out': 'opted out on 2026-09-01',
      'c-blocked': 'email blocked on 2026-09-01 (spam)',
      'c-invalid': 'the email address is badly formed',
      'c-missing': 'no email address is held',
    });
    // The outbox: intent first, then one attempt marker, then completion.
    const types = (await streamEvents(deps.store, messageStream('msg-1'))).map((e) => e.type);
    expect(types[0]).toBe('MessageRequested');
    expect(types[1]).toBe('RecipientsResolved');
    expect(types).toContain('SendBatchStarted');
    expect(types[types.length - 1]).toBe('MessageCompleted');
    // MessageSent on each contact's stream with the SMTP Message-ID; the shared address's id twice.
    const sentOn = async (id: string) => (await streamEvents(deps.store, contactStream(id))).filter((e) => e.type === 'MessageSent');
    const mum = await sentOn('c-mum');
    const dad = await sentOn('c-dad');
    expect(mum).toHaveLength(1);
    expect(dad[0]!.data.providerMessageId).toBe(mum[0]!.data.providerMessageId);
    expect(mum[0]!.data).toMatchObject({ messageId: 'msg-1', channel: 'email', provider: 'smtp', purpose: 'message' });
    expect(got.map((r) => r.messageId)).toContain(mum[0]!.data.providerMessageId);
    expect(await sentOn('c-out')).toHaveLength(0);
  });

  it('R-CON-9: a re-run of a completed message sends nothing again', async () => {
    const deps = await school();
    const sendDeps: SendDeps = { ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email };
    const message = { messageId: 'msg-2', channel: 'email' as const, subject: 'Hi', body: 'Hello' };
    await send(sendDeps, message, { kind: 'contacts', contactIds: ['c-ok', 'c-parent'] });
    const before = sink.received.length;
    const again = await send(sendDeps, message, { kind: 'contacts', contactIds: ['c-ok', 'c-parent'] });
    expect(sink.received.length).toBe(before);
    expect(E.isRight(again) && [...again.right.alreadySent].sort()).toEqual(['c-ok', 'c-parent']);
  });

  it('R-CON-9: the same message id with different content is refused, and nothing is sent', async () => {
    const deps = await school();
    const sendDeps: SendDeps = { ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email };
    await send(sendDeps, { messageId: 'msg-3', channel: 'email', subject: 'A', body: 'one' }, { kind: 'contacts', contactIds: ['c-ok'] });
    const before = sink.received.length;
    const other = await send(sendDeps, { messageId: 'msg-3', channel: 'email', subject: 'A', body: 'two' }, { kind: 'contacts', contactIds: ['c-ok'] });
    expect(E.isLeft(other) && other.left.code).toBe('refused');
    expect(sink.received.length).toBe(before);
  });

  it('R-CON-9: an unknown group is refused before anything is recorded', async () => {
    const deps = await school();
    const sendDeps: SendDeps = { ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email };
    const r = await send(sendDeps, { messageId: 'msg-4', channel: 'email', subject: null, body: 'x' }, { kind: 'group', groupId: 'nope' });
    expect(E.isLeft(r) && r.left).toMatchObject({ code: 'audience', message: 'Group nope is not held by this school.' });
    expect(await streamEvents(deps.store, messageStream('msg-4'))).toHaveLength(0);
  });

  it('R-CON-9: no text provider configured is a clear error, not a silent skip', async () => {
    const deps = await school();
    const r = await send({ ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email }, { messageId: 'msg-5', channel: 'sms', subject: null, body: 'x' }, { kind: 'contacts', contactIds: ['c-missing'] });
    expect(E.isLeft(r) && r.left.code).toBe('no-provider');
  });

  it('R-CON-9: an SMTP 5xx for one recipient is a permanent failure for that recipient only', async () => {
    const deps = await school();
    sink.rejectRecipient.set('ok@example.org', 550);
    try {
      const r = await send({ ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email, sleep: async () => {} }, { messageId: 'msg-6', channel: 'email', subject: 'x', body: 'x' }, { kind: 'contacts', contactIds: ['c-ok', 'c-parent'] });
      if (E.isLeft(r)) throw new Error(r.left.message);
      expect(r.right.sent.map((s) => s.contactId)).toEqual(['c-parent']);
      expect(r.right.failed).toHaveLength(1);
      expect(r.right.failed[0]!.contactId).toBe('c-ok');
      expect(r.right.failed[0]!.error).toMatch(/^smtp refused the message \(550/);
      expect(r.right.failed[0]!.error).not.toMatch(/ok@example\.org/);
    } finally {
      sink.rejectRecipient.clear();
    }
  });
});
