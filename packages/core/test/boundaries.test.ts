/**
 * Examples at the edges mutation testing found unguarded (`pnpm mutation`): each would pass if the
 * rule's code were changed in the way named, so each pins one decision of a policy or a decider.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  capabilities,
  contactability,
  contactDecider,
  describeUnusable,
  dueForAnonymisation,
  emailDetail,
  existingParentIndex,
  matchExistingParent,
  messageContentDue,
  usableMethods,
  memberDecider,
  primeContacts,
  primeParentIssue,
  type ContactCommand,
  type ContactRecord,
  type ContactState,
  type Link,
  type MemberCommand,
} from '../src/index.js';
import { runCommands } from '../src/testing/index.js';
import { failure, importContact, importMember, M, spam } from './fixtures.js';

const link = (priority: number, prime = true): Link => ({ relationship: 'Mother', priority: priority as Link['priority'], parentalResponsibility: true, prime, source: 'mis' });
const contactAs = (id: string, ...extra: ContactCommand[]): ContactState =>
  runCommands(contactDecider, [importContact({ contactId: id }), ...extra.map((c) => ({ ...c, contactId: id }) as ContactCommand)]).state;
const optedOut = (id: string): ContactState => contactAs(id, { type: 'OptOut', contactId: id, via: 'staff' });
const deleted = (id: string): ContactState => contactAs(id, { type: 'DeleteContact', contactId: id, cause: 'no-members-left' });
const lookup = (contacts: Record<string, ContactState>) => (id: string): ContactState => contacts[id] ?? { status: 'absent' };

describe('prime parents (R-LNK-5)', () => {
  it('R-LNK-5 a deleted prime parent does not count: the member has no prime parent', () => {
    expect(primeParentIssue({ links: { a: link(1) } }, lookup({ a: deleted('a') }))).toEqual({ type: 'no-prime-parent' });
  });

  it('R-LNK-5 beside a deleted prime parent, only the living one is judged and named', () => {
    expect(primeParentIssue({ links: { a: link(1), b: link(2) } }, lookup({ a: deleted('a'), b: contactAs('b') }))).toBeNull();
    expect(primeParentIssue({ links: { a: link(1), b: link(2) } }, lookup({ a: deleted('a'), b: optedOut('b') }))).toEqual({ type: 'no-usable-method', contactIds: ['b'] });
  });

  it('R-LNK-5 one reachable prime parent is enough, whichever of them it is', () => {
    const links = { a: link(1), b: link(2) };
    expect(primeParentIssue({ links }, lookup({ a: optedOut('a'), b: contactAs('b') }))).toBeNull();
    expect(primeParentIssue({ links }, lookup({ a: contactAs('a'), b: optedOut('b') }))).toBeNull();
    expect(primeParentIssue({ links }, lookup({ a: optedOut('a'), b: optedOut('b') }))).toEqual({ type: 'no-usable-method', contactIds: ['a', 'b'] });
  });

  it('R-LNK-5 prime parents come by priority first, then by id; others are left out', () => {
    expect(primeContacts({ links: { a: link(3), z: link(1), n: link(2), m: link(2), x: link(0, false) } })).toEqual(['z', 'm', 'n', 'a']);
    const issue = primeParentIssue({ links: { a: link(2), z: link(1) } }, lookup({ a: optedOut('a'), z: optedOut('z') }));
    expect(issue).toEqual({ type: 'no-usable-method', contactIds: ['z', 'a'] });
  });
});

describe('spam complaints (R-CON-4)', () => {
  const decide = (state: ContactState, cmd: ContactCommand) => {
    const r = contactDecider.decide(cmd, state);
    if (E.isLeft(r)) throw new Error(r.left.message);
    return r.right.map((e) => [e.type, 'cause' in e.data ? e.data.cause : undefined]);
  };

  it('R-CON-4 a repeat complaint is recorded, and blocks nothing a second time', () => {
    const blocked = runCommands(contactDecider, [importContact(), spam()]).state;
    expect((blocked as ContactRecord).blocks.email?.cause).toBe('spam');
    expect(decide(blocked, spam())).toEqual([['SpamComplaintReceived', undefined]]);
  });

  it('R-CON-4 a first complaint records the complaint and a spam block', () => {
    const fresh = runCommands(contactDecider, [importContact()]).state;
    expect(decide(fresh, spam())).toEqual([['SpamComplaintReceived', undefined], ['Blocked', 'spam']]);
  });

  it('R-CON-4 R-CON-3 a complaint about an address blocked by bounces re-blocks it as spam', () => {
    const bounced = runCommands(contactDecider, [importContact(), failure('email', true, 1), failure('email', true, 2), failure('email', true, 3)]).state;
    expect((bounced as ContactRecord).blocks.email?.cause).toBe('permanent-bounce');
    expect(decide(bounced, spam())).toEqual([['SpamComplaintReceived', undefined], ['Blocked', 'spam']]);
  });

  it('R-CON-3 R-CON-7 after a re-enable, three new bounces block again', () => {
    const { state } = runCommands(contactDecider, [
      importContact(),
      failure('email', true, 1),
      failure('email', true, 2),
      failure('email', true, 3),
      { type: 'ReEnable', contactId: 'contact-under-test', channel: 'email', confirmedWithContact: true },
      failure('email', true, 4),
      failure('email', true, 5),
    ]);
    expect((state as ContactRecord).blocks.email).toBeNull();
    expect(decide(state, failure('email', true, 6))).toEqual([['DeliveryFailed', undefined], ['Blocked', 'permanent-bounce']]);
  });
});

describe('retention (R-DEL-2)', () => {
  const deletedOn = '2026-09-01T10:00:00.000Z';

  it('R-DEL-2 due on the 14th day after deletion, not on the 13th', () => {
    expect(dueForAnonymisation(deletedOn, '2026-09-14')).toBe(false);
    expect(dueForAnonymisation(deletedOn, '2026-09-15')).toBe(true);
    expect(dueForAnonymisation(deletedOn, '2026-10-01')).toBe(true);
    expect(dueForAnonymisation(null, '2027-09-01')).toBe(false);
  });

  it("R-DEL-3 a message's content is due when its retention has run out, counted in the school's days, or once all its recipients are anonymised", () => {
    // Requested at 00:30 BST on 2 September (23:30 UTC on the 1st), kept 1 day.
    const m = { messageId: 'm-1', requestedAt: '2026-09-01T23:30:00.000Z', retentionDays: 1, recipients: ['c-1', 'c-2'] };
    expect(messageContentDue(m, '2026-09-02', 365, new Set())).toBe(false);
    expect(messageContentDue(m, '2026-09-03', 365, new Set())).toBe(true);
    // The same instant is still the 1st in UTC: a day earlier there.
    expect(messageContentDue(m, '2026-09-02', 365, new Set(), 'UTC')).toBe(true);
    // No rule of its own: the school's.
    const plain = { ...m, retentionDays: null };
    expect(messageContentDue(plain, '2026-10-01', 30, new Set())).toBe(false);
    expect(messageContentDue(plain, '2026-10-02', 30, new Set())).toBe(true);
    // Everyone it was sent to erased: due at once; only some of them, not.
    expect(messageContentDue(plain, '2026-09-02', 365, new Set(['c-1']))).toBe(false);
    expect(messageContentDue(plain, '2026-09-02', 365, new Set(['c-1', 'c-2']))).toBe(true);
    expect(messageContentDue({ ...plain, recipients: [] }, '2026-09-02', 365, new Set())).toBe(false);
  });

  it('R-DEL-2 a deleted contact is anonymised from the 14th day, refused the day before', () => {
    const { state } = runCommands(contactDecider, [importContact(), { type: 'DeleteContact', contactId: 'contact-under-test', cause: 'no-members-left' }], { start: deletedOn });
    const on = (today: string) => contactDecider.decide({ type: 'AnonymiseContact', contactId: 'contact-under-test', today }, state);
    expect(on('2026-09-14')).toEqual(E.left(expect.objectContaining({ code: 'too-early' })));
    expect(on('2026-09-15')).toEqual(E.right([{ type: 'ContactAnonymised', data: { contactId: 'contact-under-test' } }]));
  });

  it('R-DEL-2 a deleted member is anonymised from the 14th day, refused the day before', () => {
    const cmds: MemberCommand[] = [importMember(), { type: 'MarkLeaver', memberId: M, leftOn: '2026-08-31' }, { type: 'QueueDeletion', memberId: M }, { type: 'CompleteDeletion', memberId: M }];
    const { state } = runCommands(memberDecider, cmds, { start: deletedOn });
    const on = (today: string) => memberDecider.decide({ type: 'AnonymiseMember', memberId: M, today }, state);
    expect(on('2026-09-14')).toEqual(E.left(expect.objectContaining({ code: 'too-early' })));
    expect(on('2026-09-15')).toEqual(E.right([{ type: 'MemberAnonymised', data: { memberId: M } }]));
  });
});

describe('contactability, reason by reason (R-CON-1, R-CON-2, R-CON-6, R-AUD-3)', () => {
  const at = '2026-09-01T08:00:01.000Z';

  it('R-CON-1 a missing or badly formed detail is a reason of its own, per channel', () => {
    const noEmail = contactAs('a', { type: 'EditContact', contactId: 'a', email: null } as ContactCommand);
    expect(contactability(noEmail, 'email')).toEqual({ channel: 'email', usable: false, reasons: [{ reason: 'missing' }] });
    expect(contactability(noEmail, 'sms')).toEqual({ channel: 'sms', usable: true, reasons: [] });
    const bad = runCommands(contactDecider, [importContact({ contactId: 'b', email: emailDetail('not an address', 'Home'), mobile: null })]).state;
    expect(contactability(bad, 'email').reasons).toEqual([{ reason: 'invalid' }]);
    expect(contactability(bad, 'sms').reasons).toEqual([{ reason: 'missing' }]);
  });

  it('R-CON-2 R-CON-6 an opt-out and a block both stand, with their times', () => {
    const c = runCommands(contactDecider, [importContact(), { type: 'OptOut', contactId: 'contact-under-test', via: 'sms-reply' }, spam()]).state;
    expect(contactability(c, 'email').reasons).toEqual([
      { reason: 'opted-out', since: at, via: 'sms-reply' },
      { reason: 'blocked', cause: 'spam', since: '2026-09-01T08:00:02.000Z' },
    ]);
    expect(usableMethods(c)).toEqual([]);
  });

  it('R-CON-9 a contact not held, deleted or joined into another is never usable, and says why', () => {
    expect(contactability({ status: 'absent' }, 'sms')).toEqual({ channel: 'sms', usable: false, reasons: [{ reason: 'not-held' }] });
    expect(contactability(deleted('d'), 'email')).toEqual({ channel: 'email', usable: false, reasons: [{ reason: 'deleted' }] });
    const joined = { ...(contactAs('j') as ContactRecord), status: 'merged' as const, mergedInto: 'k' };
    expect(contactability(joined, 'email')).toEqual({ channel: 'email', usable: false, reasons: [{ reason: 'merged', into: 'k' }] });
  });

  it('R-AUD-3 each reason reads as a sentence for the office, naming no personal value', () => {
    const since = '2026-05-09T10:00:00.000Z';
    expect(describeUnusable({ reason: 'not-held' }, 'email')).toBe('the contact is not held by this school');
    expect(describeUnusable({ reason: 'deleted' }, 'email')).toBe('the contact was deleted');
    expect(describeUnusable({ reason: 'merged', into: 'k' }, 'sms')).toBe('this record was joined into another contact of the same person, who is messaged there');
    expect(describeUnusable({ reason: 'missing' }, 'email')).toBe('no email address is held');
    expect(describeUnusable({ reason: 'missing' }, 'sms')).toBe('no mobile number is held');
    expect(describeUnusable({ reason: 'invalid' }, 'email')).toBe('the email address is badly formed');
    expect(describeUnusable({ reason: 'invalid' }, 'sms')).toBe('the mobile number is badly formed');
    expect(describeUnusable({ reason: 'opted-out', since, via: 'staff' }, 'email')).toBe('opted out on 2026-05-09');
    expect(describeUnusable({ reason: 'opted-out', since, via: 'sms-reply' }, 'sms')).toBe('opted out on 2026-05-09 by text reply');
    expect(describeUnusable({ reason: 'opted-out', since, via: 'provider-unsubscribe' }, 'email')).toBe('opted out on 2026-05-09 by unsubscribing');
    expect(describeUnusable({ reason: 'blocked', cause: 'permanent-bounce', since }, 'email')).toBe('email blocked on 2026-05-09 (permanent-bounce)');
  });
});

describe('capabilities and existing parents (R-LNK-2, R-LNK-3, R-LNK-4)', () => {
  it('R-LNK-2 R-LNK-3 without parental responsibility nothing is allowed, pre-admission or not', () => {
    const none = { giveConsent: false, seeReporting: false, bookClubs: false, seeClubBalances: false, bookDinners: false, seeDinnerBalances: false, makePayments: false };
    expect(capabilities({ enrolment: { status: 'pre-admission', applicationStatus: 'offered', admissionDate: '2027-09-02' } } as never, { ...link(1), parentalResponsibility: false })).toEqual(none);
    expect(capabilities({ enrolment: { status: 'on-roll' } } as never, { ...link(1), parentalResponsibility: false })).toEqual(none);
    expect(capabilities({ enrolment: { status: 'pre-admission', applicationStatus: 'offered', admissionDate: '2027-09-02' } } as never, link(1))).toEqual({
      giveConsent: true, seeReporting: true, bookClubs: true, seeClubBalances: true, bookDinners: false, seeDinnerBalances: false, makePayments: true,
    });
  });

  it('R-LNK-4 matches ignore the email case, skip deleted and badly formed contacts, and keep the first holder', () => {
    const first = contactAs('first') as ContactRecord;
    const second = contactAs('second') as ContactRecord;
    const gone = deleted('gone') as ContactRecord;
    const index = existingParentIndex([{ ...gone, email: first.email, mobile: first.mobile }, first, second]);
    expect(matchExistingParent(index, emailDetail(first.email!.value.toUpperCase(), 'Home'), first.mobile)).toBe('first');
    const invalid = { ...first, contactId: 'invalid', email: { ...first.email!, valid: false } };
    expect(existingParentIndex([invalid]).size).toBe(0);
    expect(matchExistingParent(index, { ...first.email!, valid: false }, first.mobile)).toBeNull();
    expect(matchExistingParent(index, first.email, { ...first.mobile!, valid: false })).toBeNull();
  });
});
