import { describe, expect, it } from 'vitest';
import { contactStream } from '@contactable/core';
import { auditTrail, auditTrailOf, dashboard, dataIssues, explainFromStore, linkedPeople, project, projectAsOf, projectionAsOf, serialiseProjection } from '../src/index.js';
import { contactCmd, email, feedback, importContact, importStudent, link, runHistory, syncLinks, type Step } from './history.js';
import { storeWith } from './store.js';

const history: Step[] = [
  importContact('mum'),
  importStudent('pupil'),
  syncLinks('pupil', { mum: link() }),
  { kind: 'advance', hours: 24 },
  contactCmd({ type: 'OptOut', contactId: 'mum', via: 'staff' }, 'asked at parents evening'),
  { kind: 'advance', hours: 24 },
  importContact('mum', { email: email('new@example.org') }),
  syncLinks('pupil', { mum: link({ priority: 2 as never, prime: false }) }),
];

describe('audit trail (R-AUD-1)', () => {
  it('R-AUD-1 lists every event of a contact in order with time, actor, reason, type and what changed', async () => {
    const store = await storeWith(runHistory(history));
    const { entries, failures } = await auditTrailOf(store, { contactId: 'mum' });
    expect(failures).toEqual([]);
    expect(entries.map((e) => [e.at, e.actor, e.reason, e.type, e.summary])).toEqual([
      ['2026-09-01T08:00:00.000Z', 'import nightly', null, 'ContactImported', 'imported from sims: Ann Parent; email ann.parent@example.org (Home); mobile +447911123456 (Mobile)'],
      ['2026-09-02T11:00:00.000Z', 'J. Smith', 'asked at parents evening', 'OptedOut', 'opted out, recorded by staff'],
      ['2026-09-03T12:00:00.000Z', 'import nightly', null, 'ContactDetailsChanged', 'email ann.parent@example.org (Home) → new@example.org (Home)'],
    ]);
  });

  it('R-AUD-1 R-DEL-4 the reason code stays readable after erasure; the free-text reason reads XXXX in the audit and the explanation', async () => {
    const events = runHistory(history).map((e) =>
      e.type === 'OptedOut' ? { ...e, metadata: { ...e.metadata, reason: 'Ann Parent phoned (07911 123456) asking to stop', reasonCode: 'phoned-to-stop' } } : e,
    );
    const store = await storeWith(events);
    const before = await auditTrailOf(store, { contactId: 'mum' });
    expect(before.entries[1]).toMatchObject({ type: 'OptedOut', reasonCode: 'phoned-to-stop', reason: 'Ann Parent phoned (07911 123456) asking to stop' });
    expect(before.entries[0]!.reasonCode).toBeNull();
    const explainedBefore = await explainFromStore(store, 'mum', 'email', '2026-09-02T12:00:00Z');
    expect(explainedBefore.summary).toContain('reason: phoned-to-stop (Ann Parent phoned (07911 123456) asking to stop)');
    await store.forget(contactStream('mum'));
    const after = await auditTrailOf(store, { contactId: 'mum' });
    expect(after.entries[1]).toMatchObject({ type: 'OptedOut', actor: 'J. Smith', at: '2026-09-02T11:00:00.000Z', reasonCode: 'phoned-to-stop', reason: 'XXXX' });
    const explained = await explainFromStore(store, 'mum', 'email', '2026-09-02T12:00:00Z');
    expect(explained.summary).toContain('reason: phoned-to-stop (XXXX)');
    expect(explained.reasons.find((r) => r.event === 'OptedOut')).toMatchObject({ reasonCode: 'phoned-to-stop', reason: 'XXXX' });
    expect(JSON.stringify([after, explained])).not.toMatch(/Ann|Parent|07911/);
  });

  it('R-AUD-1 a member trail says what changed on a link', async () => {
    const store = await storeWith(runHistory(history));
    const { entries } = await auditTrailOf(store, { memberId: 'pupil' });
    expect(entries.map((e) => e.summary)).toEqual([
      'imported from sims as student Cai Pupil, on roll, MIS reference A123456789012',
      'contact mum linked: Mother, priority 1, prime, parental responsibility (mis)',
      'link to contact mum changed: priority 1 → 2; prime yes → no',
    ]);
  });

  it('R-AUD-2 the audit trail as of an instant stops there', () => {
    const events = runHistory(history).filter((e) => e.streamId === 'contact-mum');
    expect(auditTrail(events, { asOf: '2026-09-02T23:59:59Z' }).map((e) => e.type)).toEqual(['ContactImported', 'OptedOut']);
  });
});

describe('as of any moment (R-AUD-2) and byte-identical replays (R-AUD-4)', () => {
  it('R-AUD-2 every view as of a past instant: before the opt-out the parent was reachable, after it not', async () => {
    const events = runHistory(history);
    const before = projectAsOf(events, '2026-09-02T10:59:59Z');
    const after = projectAsOf(events, '2026-09-02T11:00:00Z');
    expect(linkedPeople(before, 'pupil')!.linkedPeople[0]!.usableMethods).toEqual(['email', 'sms']);
    expect(linkedPeople(after, 'pupil')!.linkedPeople[0]).toMatchObject({ usableMethods: [], optedOut: true });
    expect(dashboard(before, '2026-09-02').studentsWithContactablePrimeParent.byEither).toBe(1);
    expect(dashboard(after, '2026-09-02').studentsWithContactablePrimeParent.byEither).toBe(0);
    expect(dataIssues(after).map((i) => i.type)).toEqual(['no-usable-method']);
    // The store-backed as-of gives the same bytes as the in-memory fold.
    const store = await storeWith(events);
    expect(serialiseProjection(await projectionAsOf(store, '2026-09-02T11:00:00Z'))).toBe(serialiseProjection(after));
  });

  it('R-AUD-2 an instant written with an offset is compared as a time, not as text', () => {
    const events = runHistory(history);
    // 12:30+01:00 is 11:30Z, after the opt-out at 11:00Z; 11:30+01:00 is 10:30Z, before it. As text, both sort after.
    expect(linkedPeople(projectAsOf(events, '2026-09-02T12:30:00+01:00'), 'pupil')!.linkedPeople[0]!.optedOut).toBe(true);
    expect(linkedPeople(projectAsOf(events, '2026-09-02T11:30:00+01:00'), 'pupil')!.linkedPeople[0]!.optedOut).toBe(false);
  });

  it('R-AUD-4 replaying the same log twice gives byte-identical JSON with sorted keys and ids', async () => {
    const events = runHistory([...history, importContact('aaa'), ...[1, 2, 3].map((d) => feedback('aaa', 'perm', 'email', `2026-09-0${d}T10:00:00Z`))]);
    const store = await storeWith(events);
    const a = serialiseProjection(await projectionAsOf(store, '2030-01-01T00:00:00Z'));
    const b = serialiseProjection(project(events));
    expect(a).toBe(b);
    const parsed = JSON.parse(a) as { contacts: Record<string, unknown> };
    expect(Object.keys(parsed.contacts)).toEqual(['aaa', 'mum']);
    expect(Object.keys(parsed)).toEqual([...Object.keys(parsed)].sort());
  });
});
