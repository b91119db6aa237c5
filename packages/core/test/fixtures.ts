/** Small builders for core tests. */
import { emailDetail, mobileDetail, type ContactCommand, type ContactEvent, type MemberCommand } from '../src/index.js';

export const C = 'contact-under-test';
export const M = 'member-under-test';
export const email = (v = 'ann.parent@example.org', location = 'Home') => emailDetail(v, location);
export const mobile = (v = '07911 123456') => mobileDetail(v, 'Mobile');

export const importContact = (over: Partial<Extract<ContactCommand, { type: 'ImportContact' }>> = {}): ContactCommand => ({
  type: 'ImportContact',
  contactId: C,
  source: { kind: 'mis', system: 'sims', externalId: 'P1' },
  name: { given: 'Ann', family: 'Parent' },
  email: email(),
  mobile: mobile(),
  ...over,
});

export const imported = (over: Partial<Extract<ContactEvent, { type: 'ContactImported' }>['data']> = {}): ContactEvent => ({
  type: 'ContactImported',
  data: { contactId: C, source: { kind: 'mis', system: 'sims', externalId: 'P1' }, name: { given: 'Ann', family: 'Parent' }, email: email(), mobile: mobile(), ...over },
});

let n = 0;
export const failure = (channel: 'email' | 'sms', permanent = true, at = n, address?: string): ContactCommand => ({
  type: 'RecordDeliveryFailure',
  contactId: C,
  channel,
  address: address ?? (channel === 'email' ? email().value : mobile().value),
  permanent,
  detail: null,
  provider: 'test',
  feedbackId: `f-${n++}`,
  providerMessageId: null,
  observedAt: new Date(Date.parse('2026-10-01T00:00:00Z') + at * 60_000).toISOString(),
});

export const success = (channel: 'email' | 'sms', at = n): ContactCommand => ({
  type: 'RecordDeliverySuccess',
  contactId: C,
  channel,
  address: channel === 'email' ? email().value : mobile().value,
  provider: 'test',
  feedbackId: `s-${n++}`,
  providerMessageId: null,
  observedAt: new Date(Date.parse('2026-10-01T00:00:00Z') + at * 60_000).toISOString(),
});

export const spam = (): ContactCommand => ({
  type: 'RecordSpamComplaint',
  contactId: C,
  address: email().value,
  provider: 'test',
  feedbackId: `spam-${n++}`,
  providerMessageId: null,
  observedAt: '2026-10-01T12:00:00.000Z',
});

export const importMember = (over: Partial<Extract<MemberCommand, { type: 'ImportMember' }>> = {}): MemberCommand => ({
  type: 'ImportMember',
  memberId: M,
  source: { kind: 'mis', system: 'sims', externalId: 'S1' },
  kind: 'student',
  name: { given: 'Cai', family: 'Parent' },
  misReference: 'A123456789012',
  enrolment: { status: 'on-roll' },
  stale: false,
  ...over,
});
