import { describe, expect, it } from 'vitest';
import {
  capabilities,
  contactDecider,
  existingParentIndex,
  matchExistingParent,
  memberDecider,
  primeParentIssue,
  type ContactRecord,
  type ContactState,
  type MemberRecord,
} from '../src/index.js';
import { runCommands } from '../src/testing/index.js';
import { C, email, importContact, importMember, M, mobile } from './fixtures.js';

const link = (over: object = {}) => ({ relationship: 'Mother', priority: 1, parentalResponsibility: true, prime: true, source: 'mis' as const, ...over }) as never;
const member = (links: Record<string, unknown>, enrolment: MemberRecord['enrolment'] = { status: 'on-roll' }) =>
  runCommands(memberDecider, [importMember({ enrolment }), { type: 'SyncLinks', memberId: M, links: links as never }]).state as MemberRecord;
const contact = (...extra: Parameters<typeof runCommands<any, any, any>>[1]) => runCommands(contactDecider, [importContact(), ...extra]).state as ContactRecord;

describe('linked people (R-LNK-1)', () => {
  it('R-LNK-1 a link carries relationship, priority, parental responsibility and prime', () => {
    const m = member({ [C]: link({ relationship: 'Carer', priority: 2, prime: false }) });
    expect(m.links[C]).toEqual({ relationship: 'Carer', priority: 2, parentalResponsibility: true, prime: false, source: 'mis' });
  });
});

describe('capabilities (R-LNK-2, R-LNK-3)', () => {
  it('R-LNK-2 only parental responsibility gives consent, bookings, balances and reporting', () => {
    const on = member({});
    expect(capabilities(on, link({ parentalResponsibility: false }))).toEqual({ giveConsent: false, seeReporting: false, bookClubs: false, seeClubBalances: false, bookDinners: false, seeDinnerBalances: false, makePayments: false });
    expect(capabilities(on, link())).toEqual({ giveConsent: true, seeReporting: true, bookClubs: true, seeClubBalances: true, bookDinners: true, seeDinnerBalances: true, makePayments: true });
  });

  it('R-LNK-3 pre-admission: no dinner bookings or balances; clubs and payments allowed', () => {
    const pre = member({}, { status: 'pre-admission', applicationStatus: 'offered', admissionDate: '2027-09-02' });
    expect(capabilities(pre, link())).toMatchObject({ bookDinners: false, seeDinnerBalances: false, bookClubs: true, seeClubBalances: true, makePayments: true });
  });
});

describe('existing parent accounts (R-LNK-4)', () => {
  it('R-LNK-4 matches only when both email and mobile are the same', () => {
    const index = existingParentIndex([contact()]);
    expect(matchExistingParent(index, email('ANN.PARENT@example.org'), mobile('+44 7911 123456'))).toBe(C);
    expect(matchExistingParent(index, email(), mobile('07400 123456'))).toBeNull();
    expect(matchExistingParent(index, email(), null)).toBeNull();
  });
});

describe('prime parent (R-LNK-5)', () => {
  const lookup = (c: ContactState) => (id: string): ContactState => (id === C ? c : { status: 'absent' });

  it('R-LNK-5 a member with no prime parent is an issue', () => {
    expect(primeParentIssue(member({ [C]: link({ prime: false }) }), lookup(contact()))).toEqual({ type: 'no-prime-parent' });
    expect(primeParentIssue(member({}), lookup(contact()))).toEqual({ type: 'no-prime-parent' });
  });

  it('R-LNK-5 a prime parent with no usable method is an issue', () => {
    const out = contact({ type: 'OptOut', contactId: C, via: 'staff' });
    expect(primeParentIssue(member({ [C]: link() }), lookup(out))).toEqual({ type: 'no-usable-method', contactIds: [C] });
  });

  it('R-LNK-5 a reachable prime parent is no issue', () => {
    expect(primeParentIssue(member({ [C]: link() }), lookup(contact()))).toBeNull();
  });
});
