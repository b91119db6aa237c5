import { describe, expect, it } from 'vitest';
import { contactsByAddress, contactsByEmail, contactsByMobile, dataIssues, getMember, linkedPeople, listMembers, membersOfContact, project } from '../src/index.js';
import { contactCmd, email, feedback, importContact, importStudent, link, memberCmd, mobile, runHistory, syncLinks, type Step } from './history.js';

const given = (...steps: Step[]) => project(runHistory(steps));

describe('linked people (R-LNK)', () => {
  it('R-LNK-1 lists each linked contact with relationship, priority, prime, parental responsibility, details as held, usable methods, opt-out and blocks', () => {
    // Given a pupil with a mother (prime) and a father whose email bounced three times and who opted out
    const p = given(
      importContact('mum'),
      importContact('dad', { name: { given: 'Bob', family: 'Parent' }, email: email('bob@example.net'), mobile: mobile('07700 900456') }),
      importStudent('pupil'),
      syncLinks('pupil', { mum: link(), dad: link({ relationship: 'Father', priority: 2 as never, prime: false, parentalResponsibility: false }) }),
      feedback('dad', 'perm', 'email', '2026-09-02T10:00:00Z', 'bob@example.net'),
      feedback('dad', 'perm', 'email', '2026-09-03T10:00:00Z', 'bob@example.net'),
      feedback('dad', 'perm', 'email', '2026-09-04T10:00:00Z', 'bob@example.net'),
      contactCmd({ type: 'OptOut', contactId: 'dad', via: 'sms-reply' }),
    );
    // When the office opens the pupil's linked people
    const view = linkedPeople(p, 'pupil')!;
    // Then both show, prime first, with everything R-LNK-1 names
    expect(view.member).toMatchObject({ memberId: 'pupil', kind: 'student', roll: { status: 'on-roll' }, misReference: 'A123456789012', linkedContacts: 2 });
    expect(view.linkedPeople.map((c) => c.contactId)).toEqual(['mum', 'dad']);
    expect(view.linkedPeople[0]).toMatchObject({
      name: { given: 'Ann', family: 'Parent' },
      relationship: 'Mother',
      priority: 1,
      prime: true,
      parentalResponsibility: true,
      email: { value: 'ann.parent@example.org', valid: true },
      mobile: { value: '+447911123456', valid: true },
      usableMethods: ['email', 'sms'],
      optedOut: false,
      blocked: { email: null, sms: null },
    });
    expect(view.linkedPeople[1]).toMatchObject({ relationship: 'Father', priority: 2, prime: false, usableMethods: [], optedOut: true, blocked: { email: 'permanent-bounce', sms: null } });
  });

  it('R-LNK-1 a link to a contact the school does not hold yet shows as absent, not usable', () => {
    const p = given(importStudent('pupil'), syncLinks('pupil', { ghost: link() }));
    expect(linkedPeople(p, 'pupil')!.linkedPeople[0]).toMatchObject({ contactId: 'ghost', status: 'absent', name: null, usableMethods: [] });
    expect(linkedPeople(p, 'nobody')).toBeNull();
  });

  it('R-LNK-2 only a contact with parental responsibility can give consent, book clubs, see balances or reporting', () => {
    const p = given(importContact('mum'), importContact('gran'), importStudent('pupil'), syncLinks('pupil', { mum: link(), gran: link({ relationship: 'Grandparent', parentalResponsibility: false, prime: false }) }));
    const [mum, gran] = linkedPeople(p, 'pupil')!.linkedPeople;
    expect(mum!.capabilities).toEqual({ giveConsent: true, seeReporting: true, bookClubs: true, seeClubBalances: true, bookDinners: true, seeDinnerBalances: true, makePayments: true });
    expect(Object.values(gran!.capabilities).every((v) => v === false)).toBe(true);
  });

  it('R-LNK-3 a pre-admission pupil: no dinner bookings or balances; clubs and payments allowed', () => {
    const p = given(importContact('mum'), importStudent('applicant', { enrolment: { status: 'pre-admission', applicationStatus: 'offered', admissionDate: '2027-09-02' } }), syncLinks('applicant', { mum: link() }));
    const view = linkedPeople(p, 'applicant')!;
    expect(view.member.roll).toEqual({ status: 'pre-admission', applicationStatus: 'offered', admissionDate: '2027-09-02' });
    expect(view.linkedPeople[0]!.capabilities).toMatchObject({ bookDinners: false, seeDinnerBalances: false, bookClubs: true, seeClubBalances: true, makePayments: true });
  });

  it('R-LNK-4 a pre-admission linked to an existing parent shares the contact: both members show it, the address index finds it', () => {
    // Given an older sibling's mother, and an applicant whose import matched her email and mobile
    const p = given(
      importContact('mum'),
      importStudent('older'),
      syncLinks('older', { mum: link() }),
      importStudent('applicant', { enrolment: { status: 'pre-admission', applicationStatus: 'accepted', admissionDate: '2027-09-02' } }),
      syncLinks('applicant', { mum: link() }),
    );
    expect(membersOfContact(p, 'mum')).toEqual(['applicant', 'older']);
    expect(linkedPeople(p, 'applicant')!.linkedPeople[0]!.contactId).toBe('mum');
    // Then a provider callback or an import can find her by either detail, however it is written
    expect(contactsByEmail(p, 'Ann.Parent@EXAMPLE.org')).toEqual(['mum']);
    expect(contactsByMobile(p, '07911 123456')).toEqual(['mum']);
    expect(contactsByAddress(p, 'sms', '+447911123456')).toEqual(['mum']);
    expect(contactsByAddress(p, 'email', 'someone@else.org')).toEqual([]);
  });

  it('R-LNK-4 the address index follows changes: a new address moves the contact, deletion removes it', () => {
    const p = given(importContact('mum'), importContact('mum', { email: email('new@example.org') }), importContact('dad'), contactCmd({ type: 'DeleteContact', contactId: 'dad', cause: 'no-members-left' }));
    expect(contactsByEmail(p, 'ann.parent@example.org')).toEqual([]);
    expect(contactsByEmail(p, 'new@example.org')).toEqual(['mum']);
    expect(contactsByMobile(p, '+447911123456')).toEqual(['mum']);
  });

  it('R-LNK-5 no prime parent, then a prime parent with no usable method, then a reachable one: the issue follows', () => {
    const steps: Step[] = [importContact('mum', { email: null }), importStudent('pupil')];
    let p = given(...steps);
    expect(dataIssues(p, { memberId: 'pupil' }).map((i) => i.type)).toEqual(['no-prime-parent']);
    steps.push(syncLinks('pupil', { mum: link() }), contactCmd({ type: 'OptOut', contactId: 'mum', via: 'staff' }));
    p = given(...steps);
    expect(dataIssues(p, { type: 'no-usable-method' })).toEqual([
      expect.objectContaining({ memberId: 'pupil', contactId: 'mum', detail: 'the prime parent has no usable email or mobile' }),
    ]);
    expect(dataIssues(p, { type: 'no-prime-parent' })).toEqual([]);
    steps.push(contactCmd({ type: 'OptIn', contactId: 'mum', via: 'staff' }));
    p = given(...steps);
    expect(dataIssues(p, { memberId: 'pupil' })).toEqual([]);
  });

  it('R-LNK-5 staff and leavers need no prime parent', () => {
    const p = given(importStudent('teacher', { kind: 'staff' }), importStudent('gone', { enrolment: { status: 'leaver', leftOn: '2026-07-20' } }));
    expect(dataIssues(p)).toEqual([]);
  });

  it('R-LNK-1 the members list shows kind, roll status and MIS reference, filtered', () => {
    const p = given(
      importStudent('a'),
      importStudent('b', { enrolment: { status: 'pre-admission', applicationStatus: 'applied', admissionDate: '2027-09-02' } }),
      importStudent('c', { kind: 'staff', misReference: null }),
      memberCmd({ type: 'MarkLeaver', memberId: 'a', leftOn: '2026-09-01' }),
    );
    expect(listMembers(p).map((m) => [m.memberId, m.kind, m.roll.status, m.misReference])).toEqual([
      ['a', 'student', 'leaver', 'A123456789012'],
      ['b', 'student', 'pre-admission', 'A123456789012'],
      ['c', 'staff', 'on-roll', null],
    ]);
    expect(listMembers(p, { roll: 'leaver' }).map((m) => m.memberId)).toEqual(['a']);
    expect(listMembers(p, { kind: 'staff' }).map((m) => m.memberId)).toEqual(['c']);
    expect(getMember(p, 'a')!.roll).toEqual({ status: 'leaver', leftOn: '2026-09-01', deletionQueued: false });
  });
});
