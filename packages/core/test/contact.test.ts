import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { contactDecider, contactability, usableMethods, type ContactRecord } from '../src/index.js';
import { runCommands } from '../src/testing/index.js';
import { C, email, failure, importContact, mobile, spam, success } from './fixtures.js';

const run = (...cmds: Parameters<typeof runCommands<any, any, any>>[1]) => runCommands(contactDecider, cmds);
const state = (...cmds: Parameters<typeof run>) => run(...cmds).state as ContactRecord;
const types = (r: ReturnType<typeof run>) => r.events.map((e) => e.type);

describe('contact details (R-CON-1)', () => {
  it('R-CON-1 keeps a badly formed email but never treats it as usable', () => {
    const c = state(importContact({ email: email('ann@@example') }));
    expect(c.email).toEqual({ value: 'ann@@example', valid: false, location: 'Home' });
    expect(contactability(c, 'email')).toMatchObject({ usable: false, reasons: [{ reason: 'invalid' }] });
  });

  it('R-CON-1 treats a mobile with too many digits as invalid and a good one as E.164', () => {
    expect(mobile('077009001234567').valid).toBe(false);
    expect(mobile('07911 123456')).toEqual({ value: '+447911123456', valid: true, location: 'Mobile' });
    const c = state(importContact({ mobile: mobile('077009001234567') }));
    expect(usableMethods(c)).toEqual(['email']);
  });
});

describe('opt-out and opt-in (R-CON-2)', () => {
  it('R-CON-2 an opted-out contact has no usable method; opt-in restores them', () => {
    const out = state(importContact(), { type: 'OptOut', contactId: C, via: 'staff' });
    expect(usableMethods(out)).toEqual([]);
    expect(contactability(out, 'sms').reasons[0]).toMatchObject({ reason: 'opted-out', via: 'staff' });
    const back = state(importContact(), { type: 'OptOut', contactId: C, via: 'staff' }, { type: 'OptIn', contactId: C, via: 'staff' });
    expect(usableMethods(back)).toEqual(['email', 'sms']);
  });

  it('R-CON-2 an import never opts anyone back in', () => {
    const r = run(importContact(), { type: 'OptOut', contactId: C, via: 'sms-reply' }, importContact({ email: email('new@example.org') }));
    expect((r.state as ContactRecord).optedOut).not.toBeNull();
    expect(types(r)).not.toContain('OptedIn');
  });

  it('R-CON-2 opting out twice records once', () => {
    const r = run(importContact(), { type: 'OptOut', contactId: C, via: 'staff' }, { type: 'OptOut', contactId: C, via: 'staff' });
    expect(types(r).filter((t) => t === 'OptedOut')).toHaveLength(1);
  });
});

describe('email blocks (R-CON-3, R-CON-4, R-CON-6)', () => {
  it('R-CON-3 blocks email after three permanent failures', () => {
    const r = run(importContact(), failure('email'), failure('email'), failure('email'));
    expect(types(r)).toEqual(['ContactImported', 'DeliveryFailed', 'DeliveryFailed', 'DeliveryFailed', 'Blocked']);
    expect((r.state as ContactRecord).blocks.email?.cause).toBe('permanent-bounce');
  });

  it('R-CON-3 a success in between restarts the count', () => {
    const c = state(importContact(), failure('email', true, 1), failure('email', true, 2), success('email', 3), failure('email', true, 4), failure('email', true, 5));
    expect(c.blocks.email).toBeNull();
    expect(c.streaks.email.failuresAt).toHaveLength(2);
  });

  it('R-CON-3 temporary failures do not count', () => {
    const c = state(importContact(), failure('email', false), failure('email', false), failure('email', false), failure('email', false));
    expect(c.blocks.email).toBeNull();
  });

  it('R-CON-3 a success that arrives late (older than the failures) does not restart the count', () => {
    const c = state(importContact(), failure('email', true, 10), failure('email', true, 11), success('email', 5), failure('email', true, 12));
    expect(c.blocks.email?.cause).toBe('permanent-bounce');
  });

  it('R-CON-3 failures to an address no longer held do not count', () => {
    const c = state(importContact(), failure('email', true, 1, 'old@example.org'), failure('email', true, 2, 'old@example.org'), failure('email', true, 3, 'old@example.org'));
    expect(c.blocks.email).toBeNull();
  });

  it('R-CON-4 a spam complaint blocks email at once', () => {
    const r = run(importContact(), spam());
    expect(types(r)).toEqual(['ContactImported', 'SpamComplaintReceived', 'Blocked']);
    expect((r.state as ContactRecord).blocks.email?.cause).toBe('spam');
  });

  it('R-CON-6 a block removes the channel from the usable methods, with the reason', () => {
    const c = state(importContact(), spam());
    expect(usableMethods(c)).toEqual(['sms']);
    expect(contactability(c, 'email').reasons).toEqual([{ reason: 'blocked', cause: 'spam', since: expect.any(String) }]);
  });

  it('R-CON-3 the same callback twice counts once', () => {
    const f = failure('email');
    const c = state(importContact(), f, f, f);
    expect(c.streaks.email.failuresAt).toHaveLength(1);
    expect(c.blocks.email).toBeNull();
  });
});

describe('SMS blocks (R-CON-5)', () => {
  it('R-CON-5 blocks SMS after three failed texts in a row', () => {
    const c = state(importContact(), failure('sms'), failure('sms'), failure('sms'));
    expect(c.blocks.sms?.cause).toBe('text-delivery-failure');
    expect(usableMethods(c)).toEqual(['email']);
  });

  it('R-CON-5 a delivered text breaks the run', () => {
    const c = state(importContact(), failure('sms', true, 1), failure('sms', true, 2), success('sms', 3), failure('sms', true, 4));
    expect(c.blocks.sms).toBeNull();
  });
});

describe('re-enable (R-CON-7)', () => {
  it('R-CON-7 refuses without confirmation that the contact was checked, and records nothing', () => {
    const { state: s } = run(importContact(), spam());
    const refused = contactDecider.decide({ type: 'ReEnable', contactId: C, channel: 'email', confirmedWithContact: false }, s);
    expect(refused).toEqual(E.left(expect.objectContaining({ code: 'confirmation-required', message: expect.stringMatching(/checked with the contact/) })));
  });

  it('R-CON-7 lifts a block when confirmed, recording who did it', () => {
    const r = runCommands(contactDecider, [importContact(), spam(), { type: 'ReEnable', contactId: C, channel: 'email', confirmedWithContact: true }], {
      actor: (c) => (c.type === 'ReEnable' ? { kind: 'person', name: 'J. Smith' } : { kind: 'system', name: 'test' }),
    });
    const reEnabled = r.events.find((e) => e.type === 'ReEnabled');
    expect(reEnabled?.metadata.actor).toEqual({ kind: 'person', name: 'J. Smith' });
    expect(usableMethods(r.state)).toEqual(['email', 'sms']);
  });

  it('R-CON-7 refuses to re-enable a channel that is not blocked', () => {
    const { state: s } = run(importContact());
    expect(contactDecider.decide({ type: 'ReEnable', contactId: C, channel: 'sms', confirmedWithContact: true }, s)).toEqual(
      E.left(expect.objectContaining({ code: 'not-blocked' })),
    );
  });
});

describe('blocks and new details (R-CON-8)', () => {
  it('R-CON-8 a new email from the MIS lapses a bounce block', () => {
    const r = run(importContact(), failure('email'), failure('email'), failure('email'), importContact({ email: email('new@example.org') }));
    expect(types(r).slice(-2)).toEqual(['ContactDetailsChanged', 'BlockLapsed']);
    expect((r.state as ContactRecord).blocks.email).toBeNull();
  });

  it('R-CON-8 a new mobile lapses a text-failure block', () => {
    const c = state(importContact(), failure('sms'), failure('sms'), failure('sms'), importContact({ mobile: mobile('07400 123456') }));
    expect(c.blocks.sms).toBeNull();
  });

  it('R-CON-8 a spam block stays when the address changes', () => {
    const c = state(importContact(), spam(), importContact({ email: email('new@example.org') }));
    expect(c.blocks.email?.cause).toBe('spam');
  });

  it('R-CON-8 the same detail again (only its location changed) keeps the block', () => {
    const c = state(importContact(), failure('email'), failure('email'), failure('email'), importContact({ email: email(undefined, 'Work') }));
    expect(c.blocks.email?.cause).toBe('permanent-bounce');
  });
});

describe('the MIS is the source of truth (R-IMP-8, R-IMP-9)', () => {
  it('R-IMP-8 a sync overwrites MIS-sourced details', () => {
    const c = state(importContact(), importContact({ name: { given: 'Anne', family: 'Parent' }, mobile: null }));
    expect(c.name.given).toBe('Anne');
    expect(c.mobile).toBeNull();
  });

  it('R-IMP-8 an import never touches an address-book contact', () => {
    const { state: s } = run({ type: 'AddContact', contactId: C, name: { given: 'Gov', family: 'Ernor' }, email: email('gov@example.org'), mobile: null });
    expect(E.isLeft(contactDecider.decide(importContact(), s))).toBe(true);
  });

  it('R-IMP-8 an unchanged sync records nothing', () => {
    const r = run(importContact(), importContact(), importContact());
    expect(types(r)).toEqual(['ContactImported']);
  });

  it('R-IMP-9 a local edit is a temporary override; the next sync overwrites it and says so', () => {
    const r = run(importContact(), { type: 'EditContact', contactId: C, mobile: mobile('07400 123456') });
    expect(types(r)).toEqual(['ContactImported', 'LocalOverrideSet']);
    expect((r.state as ContactRecord).mobile?.value).toBe('+447400123456');
    const after = run(importContact(), { type: 'EditContact', contactId: C, mobile: mobile('07400 123456') }, importContact());
    expect(types(after).slice(2)).toEqual(['LocalOverrideOverwritten', 'ContactDetailsChanged']);
    const c = after.state as ContactRecord;
    expect(c.mobile?.value).toBe('+447911123456');
    expect(c.overwritten.mobile?.value?.value).toBe('+447400123456');
  });

  it('R-IMP-9 when the MIS catches up with the local value, the override is settled', () => {
    const edited = mobile('07400 123456');
    const direct = run(importContact(), { type: 'EditContact', contactId: C, mobile: edited }, importContact({ mobile: edited }));
    expect(types(direct).slice(2)).toEqual(['LocalOverrideCaughtUp']);
    const later = run(importContact(), { type: 'EditContact', contactId: C, mobile: edited }, importContact(), importContact({ mobile: edited }));
    expect(types(later).slice(-2)).toEqual(['ContactDetailsChanged', 'LocalOverrideCaughtUp']);
    expect((later.state as ContactRecord).overwritten).toEqual({});
  });

  it('R-IMP-9 an MIS contact name is changed at source, not locally', () => {
    const { state: s } = run(importContact());
    expect(contactDecider.decide({ type: 'EditContact', contactId: C, name: { given: 'X', family: 'Y' } }, s)).toEqual(
      E.left(expect.objectContaining({ code: 'edit-at-source' })),
    );
  });
});

describe('address book (R-GRP-1)', () => {
  it('R-GRP-1 an external contact can be added, edited and deleted by hand', () => {
    const r = run(
      { type: 'AddContact', contactId: C, name: { given: 'Gov', family: 'Ernor' }, email: email('gov@example.org'), mobile: null },
      { type: 'EditContact', contactId: C, email: email('governor@example.org') },
      { type: 'DeleteContact', contactId: C, cause: 'by-hand' },
    );
    expect(types(r)).toEqual(['ContactAdded', 'ContactDetailsChanged', 'ContactDeleted']);
    expect(r.state.status).toBe('deleted');
  });

  it('R-GRP-1 an MIS contact cannot be deleted by hand', () => {
    const { state: s } = run(importContact());
    expect(contactDecider.decide({ type: 'DeleteContact', contactId: C, cause: 'by-hand' }, s)).toEqual(E.left(expect.objectContaining({ code: 'edit-at-source' })));
  });
});

describe('consent replies through a provider (R-CON-2)', () => {
  const reply = (type: 'OptOut' | 'OptIn', id: string, minute: number) => ({
    type,
    contactId: C,
    via: 'sms-reply' as const,
    feedback: { provider: 'twilio', feedbackId: id, observedAt: new Date(Date.parse('2026-10-01T10:00:00Z') + minute * 60_000).toISOString() },
  });

  it('R-CON-2 the latest wish by the provider clock wins: an older START arriving late changes nothing', () => {
    const c = state(importContact(), reply('OptOut', 'stop-2', 2), reply('OptIn', 'start-1', 1));
    expect(c.optedOut).not.toBeNull();
  });

  it('R-CON-2 a STOP while already opted out still counts as the latest wish', () => {
    const c = state(importContact(), { type: 'OptOut', contactId: C, via: 'staff' }, reply('OptOut', 'stop-9', 9), reply('OptIn', 'start-5', 5));
    expect(c.optedOut?.via).toBe('staff');
  });

  it('R-CON-2 the same reply twice is recorded once', () => {
    const r = run(importContact(), reply('OptOut', 'stop-1', 1), reply('OptIn', 'start-2', 2), reply('OptOut', 'stop-1', 1));
    expect(types(r).filter((t) => t.startsWith('Opted'))).toEqual(['OptedOut', 'OptedIn']);
    expect((r.state as ContactRecord).optedOut).toBeNull();
  });
});
