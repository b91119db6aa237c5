/** Example (b) runs in CI: a small history, replayed as of two moments. */
import { describe, expect, it } from 'vitest';
import {
  contactDecider,
  contactStream,
  emailDetail,
  handleCommand,
  memberDecider,
  memberStream,
  memoryStore,
  mobileDetail,
  sequentialIds,
  steppingClock,
  type ContactCommand,
} from '@contactable/core';
import { buildReport, renderReport } from './report.js';

const history = async () => {
  const store = memoryStore();
  const deps = { store, clock: steppingClock('2026-10-01T08:00:00.000Z', 3_600_000), ids: sequentialIds('report') };
  const ctx = { schoolId: 'default', actor: { kind: 'import' as const, runId: 'nightly' } };
  await handleCommand(deps, memberDecider, memberStream('m1'), { type: 'ImportMember', memberId: 'm1', source: { kind: 'mis', system: 'sims', externalId: 'S1' }, kind: 'student', name: { given: 'Cai', family: 'Parent' }, misReference: 'A1', enrolment: { status: 'on-roll' }, stale: false }, ctx);
  await handleCommand(deps, contactDecider, contactStream('c1'), { type: 'ImportContact', contactId: 'c1', source: { kind: 'mis', system: 'sims', externalId: 'P1' }, name: { given: 'Ann', family: 'Parent' }, email: emailDetail('ann@example.org', 'Home'), mobile: mobileDetail('07911 123456', 'Mobile') }, ctx);
  await handleCommand(deps, memberDecider, memberStream('m1'), { type: 'SyncLinks', memberId: 'm1', links: { c1: { relationship: 'Mother', priority: 1, parentalResponsibility: true, prime: true, source: 'mis' } as never } }, ctx);
  for (let i = 0; i < 3; i++) {
    const fail: ContactCommand = { type: 'RecordDeliveryFailure', contactId: 'c1', channel: 'email', address: 'ann@example.org', permanent: true, detail: 'mailbox unavailable', provider: 'sendgrid', feedbackId: `b${i}`, providerMessageId: null, observedAt: `2026-10-0${i + 2}T09:00:00.000Z` };
    await handleCommand(deps, contactDecider, contactStream('c1'), fail, { schoolId: 'default', actor: { kind: 'provider', provider: 'sendgrid', verified: true }, reason: 'bounce' });
  }
  return store;
};

describe('example: compliance replay report', () => {
  it('R-AUD-2 R-AUD-3 as of a moment before the bounces the parent was reachable; after, the report says why not', async () => {
    const store = await history();
    const before = await buildReport(store, '2026-10-01T12:00:00.000Z');
    expect(before.students).toEqual({ total: 1, byEmail: 1, byMobile: 1, byEither: 1 });
    expect(before.unreachable).toEqual([]);
    const after = await buildReport(store, '2026-10-02T00:00:00.000Z');
    expect(after.unreachable).toEqual([expect.objectContaining({ contactId: 'c1', channel: 'email' })]);
    expect(after.openIssues).toEqual({ 'permanent-bounce': 1 });
    const md = renderReport(after);
    expect(md).toContain('### contact c1 (member m1), email');
    expect(md).toMatch(/block/i);
  });
});
