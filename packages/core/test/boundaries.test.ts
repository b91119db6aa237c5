/**
 * Examples at the edges mutation testing found unguarded (`pnpm mutation`): each would pass if the
 * rule's code were changed in the way named, so each pins one decision of a policy or a decider.
 */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  contactDecider,
  dueForAnonymisation,
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
    expect(primeContacts({ links: { a: link(3), z: link(1), m: link(2), n: link(2), x: link(0, false) } })).toEqual(['z', 'm', 'n', 'a']);
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
