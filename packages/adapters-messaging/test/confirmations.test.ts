/** Confirmations of new or changed details (R-CON-10) go through the same outbox and policy, with purpose `confirmation`. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contactStream, emailDetail, memoryStore, messageStream, mobileDetail } from '@contactable/core';
import { defaultConfirmationText, pendingMessages, providersFromUrls, sendConfirmations, sendPending, storeDirectory } from '@contactable/adapters-messaging';
import { fakeEmail, fakeSms } from './support/fakes.js';
import { SCHOOL, contactCommand, importContact, makeDeps, optOut, streamEvents } from './support/world.js';

describe('confirmations (R-CON-10)', () => {
  it('R-CON-10: one confirmation per new or changed detail, per channel, recorded with purpose confirmation; R-CON-9 still applies', async () => {
    const deps = makeDeps(memoryStore());
    await importContact(deps, { id: 'c-1', email: 'new@example.org', mobile: '07911 123456' });
    await importContact(deps, { id: 'c-2', email: 'changed@example.org' });
    await importContact(deps, { id: 'c-3', email: 'out@example.org' });
    await optOut(deps, 'c-3');
    await importContact(deps, { id: 'c-4', email: 'moved-on@example.org' });
    // c-4's address changed again after the import planned its confirmation.
    await contactCommand(deps, { type: 'EditContact', contactId: 'c-4', email: emailDetail('latest@example.org', 'Home') });
    const email = fakeEmail();
    const sms = fakeSms();
    const r = await sendConfirmations(
      { ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email: email.provider, sms: sms.provider },
      [
        { contactId: 'c-1', channel: 'email', address: 'new@example.org' },
        { contactId: 'c-1', channel: 'sms', address: '+447911123456' },
        { contactId: 'c-2', channel: 'email', address: 'changed@example.org' },
        { contactId: 'c-3', channel: 'email', address: 'out@example.org' },
        { contactId: 'c-4', channel: 'email', address: 'moved-on@example.org' },
      ],
      { messageId: 'import-run-7' },
    );
    if (E.isLeft(r)) throw new Error(r.left.message);
    const [emails, texts] = r.right.reports;
    expect(r.right.pending).toEqual([]);
    expect(emails!.messageId).toBe('import-run-7-email');
    expect(email.sent.map((m) => m.to).sort()).toEqual(['changed@example.org', 'new@example.org']);
    expect(email.sent[0]!.subject).toBe(defaultConfirmationText.emailSubject);
    expect(sms.sent.map((m) => m.to)).toEqual(['+447911123456']);
    expect(texts!.messageId).toBe('import-run-7-sms');
    expect(Object.fromEntries(emails!.skipped.map((s) => [s.contactId, s.reasons]))).toEqual({
      'c-3': ['opted out on 2026-09-01'],
      'c-4': ['the email address changed again before it could be confirmed'],
    });
    const sent = (await streamEvents(deps.store, contactStream('c-1'))).filter((e) => e.type === 'MessageSent');
    expect(sent.map((e) => [e.data.channel, e.data.purpose])).toEqual([['email', 'confirmation'], ['sms', 'confirmation']]);
    expect((await streamEvents(deps.store, messageStream('import-run-7-email')))[0]!.data).toMatchObject({ purpose: 'confirmation', audience: { kind: 'contacts', contactIds: ['c-1', 'c-2', 'c-3', 'c-4'] } });
    // Running the same confirmations again sends nothing more.
    const again = await sendConfirmations({ ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email: email.provider, sms: sms.provider }, [{ contactId: 'c-1', channel: 'email', address: 'new@example.org' }, { contactId: 'c-2', channel: 'email', address: 'changed@example.org' }, { contactId: 'c-3', channel: 'email', address: 'out@example.org' }, { contactId: 'c-4', channel: 'email', address: 'moved-on@example.org' }, { contactId: 'c-1', channel: 'sms', address: '+447911123456' }], { messageId: 'import-run-7' });
    expect(E.isRight(again)).toBe(true);
    expect(email.sent).toHaveLength(2);
    expect(sms.sent).toHaveLength(1);
  });

  it('R-CON-10: no confirmations, nothing recorded', async () => {
    const deps = makeDeps(memoryStore());
    const r = await sendConfirmations({ ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store) }, []);
    expect(r).toEqual(E.right({ queued: [], reports: [], pending: [] }));
    expect(await deps.store.readAll()).toHaveLength(0);
  });

  it('R-CON-10: with no provider at all every confirmation waits in the outbox, and send-pending sends each once', async () => {
    const deps = makeDeps(memoryStore());
    await importContact(deps, { id: 'c-1', email: 'new@example.org', mobile: '07911 123456' });
    await importContact(deps, { id: 'c-2', email: 'other@example.org' });
    const outbox = { ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store) };
    const planned = [
      { contactId: 'c-1', channel: 'email' as const, address: 'new@example.org' },
      { contactId: 'c-1', channel: 'sms' as const, address: '+447911123456' },
      { contactId: 'c-2', channel: 'email' as const, address: 'other@example.org' },
    ];
    const queued = await sendConfirmations(outbox, planned, { messageId: 'run-1' });
    if (E.isLeft(queued)) throw new Error(queued.left.message);
    expect(queued.right.reports).toEqual([]);
    expect(queued.right.pending.map((q) => [q.messageId, q.channel, q.recipients])).toEqual([['run-1-email', 'email', 2], ['run-1-sms', 'sms', 1]]);
    expect((await pendingMessages(deps.store, SCHOOL)).map((p) => p.messageId)).toEqual(['run-1-email', 'run-1-sms']);
    // Another school's outbox is its own.
    expect(await pendingMessages(deps.store, 'another-school')).toEqual([]);

    // The email provider only: the emails go, the text keeps waiting.
    const email = fakeEmail();
    const first = await sendPending({ ...outbox, email: email.provider });
    if (E.isLeft(first)) throw new Error(first.left.message);
    expect(first.right.reports.map((r) => [r.messageId, r.handedOver, r.completed])).toEqual([['run-1-email', 2, true]]);
    expect(first.right.waiting.map((w) => w.messageId)).toEqual(['run-1-sms']);
    expect(email.sent.map((m) => m.to).sort()).toEqual(['new@example.org', 'other@example.org']);

    // Then a text provider: the text goes; the outbox is empty; a third run sends nothing again.
    const sms = fakeSms();
    const second = await sendPending({ ...outbox, email: email.provider, sms: sms.provider });
    if (E.isLeft(second)) throw new Error(second.left.message);
    expect(second.right.reports.map((r) => [r.messageId, r.handedOver])).toEqual([['run-1-sms', 1]]);
    expect(sms.sent.map((m) => m.to)).toEqual(['+447911123456']);
    expect(await pendingMessages(deps.store, SCHOOL)).toEqual([]);
    const third = await sendPending({ ...outbox, email: email.provider, sms: sms.provider });
    expect(E.isRight(third) && third.right.reports).toEqual([]);
    expect(email.sent).toHaveLength(2);
    expect(sms.sent).toHaveLength(1);
  });

  it('R-CON-10: one provider per channel sends both at once; counts are what was handed over', async () => {
    const deps = makeDeps(memoryStore());
    await importContact(deps, { id: 'c-1', email: 'new@example.org', mobile: '07911 123456' });
    await importContact(deps, { id: 'c-2', email: 'new@example.org' });
    const email = fakeEmail();
    const sms = fakeSms();
    const r = await sendConfirmations(
      { ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store), email: email.provider, sms: sms.provider },
      [
        { contactId: 'c-1', channel: 'email', address: 'new@example.org' },
        { contactId: 'c-2', channel: 'email', address: 'new@example.org' },
        { contactId: 'c-1', channel: 'sms', address: '+447911123456' },
      ],
      { messageId: 'run-2' },
    );
    if (E.isLeft(r)) throw new Error(r.left.message);
    // Two contacts sharing one address get one email: handed over once, recorded as sent for both.
    expect(r.right.reports.map((x) => [x.channel, x.handedOver, x.sent.length])).toEqual([['email', 1, 2], ['sms', 1, 1]]);
    expect(email.sent).toHaveLength(1);
    expect(sms.sent).toHaveLength(1);
    expect(r.right.pending).toEqual([]);
  });

  it('R-CON-10: a detail changed again between queueing and send-pending is not confirmed', async () => {
    const deps = makeDeps(memoryStore());
    await importContact(deps, { id: 'c-1', mobile: '07911 123456' });
    const outbox = { ...deps, schoolId: SCHOOL, directory: storeDirectory(deps.store) };
    const queued = await sendConfirmations(outbox, [{ contactId: 'c-1', channel: 'sms', address: '+447911123456' }], { messageId: 'run-3' });
    expect(E.isRight(queued) && queued.right.pending).toHaveLength(1);
    await contactCommand(deps, { type: 'EditContact', contactId: 'c-1', mobile: mobileDetail('07911 123457', 'Mobile') });
    const sms = fakeSms();
    const r = await sendPending({ ...outbox, sms: sms.provider });
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(sms.sent).toEqual([]);
    expect(r.right.reports[0]!.skipped.map((x) => x.reasons)).toEqual([['the mobile number changed again before it could be confirmed']]);
  });

  it('R-CON-10: provider URLs give one provider per channel; two for one channel are refused', () => {
    const both = providersFromUrls(['smtp://127.0.0.1:2525?from=office@school.example', 'twilio://AC123:token@api.twilio.com?from=%2B447700900123']);
    expect(E.isRight(both) && [both.right.email?.channel, both.right.sms?.channel]).toEqual(['email', 'sms']);
    const twice = providersFromUrls(['smtp://127.0.0.1:2525?from=office@school.example', 'sendgrid://KEY@api.sendgrid.com?from=office@school.example']);
    expect(E.isLeft(twice) && twice.left.message).toMatch(/Two providers were given for email/);
    expect(E.isLeft(twice) && twice.left.message).not.toContain('KEY');
    expect(E.isRight(providersFromUrls([])) && providersFromUrls([])).toEqual(E.right({ email: null, sms: null }));
  });
});
