/** Confirmations of new or changed details (R-CON-10) go through the same outbox and policy, with purpose `confirmation`. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contactStream, emailDetail, memoryStore, messageStream } from '@contactable/core';
import { defaultConfirmationText, sendConfirmations, storeDirectory } from '@contactable/adapters-messaging';
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
    const [emails, texts] = r.right;
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
    expect(r).toEqual(E.right([]));
    expect(await deps.store.readAll()).toHaveLength(0);
  });
});
