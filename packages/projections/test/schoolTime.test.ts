/**
 * The views in the school's time (R-DSH-2, R-DSH-3, R-DEL-2), the members the settings no longer import
 * (R-IMP-2: their own status, list and issue, never leavers), and the simulated clock in the audit (R-AUD-1).
 */
import { describe, expect, it } from 'vitest';
import { auditTrail, dashboard, dataIssues, leavers, listMembers, project } from '../src/index.js';
import { email, feedback, importContact, importStudent, link, memberCmd, runHistory, sent, syncLinks, type Step } from './history.js';

const given = (start: string, ...steps: Step[]) => project(runHistory(steps, { start }));
const day = (p: ReturnType<typeof given>, today: string, date: string) => dashboard(p, today).messagesLast7Days.find((d) => d.date === date);

describe('days are the school\'s (Europe/London unless it sets another zone)', () => {
  it('R-DSH-2 a message sent at 23:30 UTC on 1 July counts on 2 July in Europe/London', () => {
    // One hour a step: the contact at 22:30 UTC, the message at 23:30 UTC (00:30 BST on 2 July).
    const p = given('2026-07-01T22:30:00.000Z', importContact('mum'), sent('mum', 'email', 'late'));
    expect(day(p, '2026-07-02', '2026-07-02')).toEqual({ date: '2026-07-02', email: 1, sms: 0 });
    expect(day(p, '2026-07-02', '2026-07-01')).toEqual({ date: '2026-07-01', email: 0, sms: 0 });
  });

  it('R-DSH-2 a school in UTC counts the same message on 1 July; the zone is a school-stream setting, applied when asked', () => {
    const p = given('2026-07-01T22:30:00.000Z', importContact('mum'), sent('mum', 'email', 'late'), { kind: 'school', command: { type: 'SetTimeZone', timeZone: 'UTC' } });
    expect(p.school.timeZone).toBe('UTC');
    expect(day(p, '2026-07-02', '2026-07-01')).toEqual({ date: '2026-07-01', email: 1, sms: 0 });
    expect(day(p, '2026-07-02', '2026-07-02')).toEqual({ date: '2026-07-02', email: 0, sms: 0 });
  });

  it('R-DSH-2 the day the clocks go back has 25 hours, all of them counted once', () => {
    // 23:30 UTC on 24 October is 00:30 BST on the 25th; 22:30 and 23:30 UTC on the 25th are GMT, still the 25th; 00:30 UTC is the 26th.
    const p = given('2026-10-24T22:30:00.000Z', importContact('mum'), sent('mum', 'sms', 'a'), { kind: 'advance', hours: 22 }, sent('mum', 'sms', 'b'), sent('mum', 'sms', 'c'), sent('mum', 'sms', 'd'));
    expect(dashboard(p, '2026-10-26').messagesLast7Days.slice(-3)).toEqual([
      { date: '2026-10-24', email: 0, sms: 0 },
      { date: '2026-10-25', email: 0, sms: 3 },
      { date: '2026-10-26', email: 0, sms: 1 },
    ]);
  });

  it("R-DSH-3 the data-issue date filters are the school's days", () => {
    // Blocked by three failures recorded an hour apart, the last at 23:30 UTC on 1 July: raised on 2 July in London.
    const p = given('2026-07-01T20:30:00.000Z', importContact('mum'), ...[1, 2, 3].map((n) => feedback('mum', 'perm', 'email', `2026-07-01T2${n}:00:00Z`)));
    const bounce = dataIssues(p, { type: 'permanent-bounce' });
    expect(bounce.map((i) => i.raisedAt)).toEqual(['2026-07-01T23:30:00.000Z']);
    expect(dataIssues(p, { type: 'permanent-bounce', from: '2026-07-02', to: '2026-07-02' })).toEqual(bounce);
    expect(dataIssues(p, { type: 'permanent-bounce', to: '2026-07-01' })).toEqual([]);
  });

  it('R-DEL-2 anonymisation is due 14 school days after the school day of the deletion', () => {
    const p = given(
      '2026-07-01T21:30:00.000Z',
      memberCmd({ type: 'AddMember', memberId: 'gov', kind: 'external', name: { given: 'Gov', family: 'Ernor' } }),
      memberCmd({ type: 'QueueDeletion', memberId: 'gov' }),
      memberCmd({ type: 'CompleteDeletion', memberId: 'gov' }),
    );
    const [waiting] = leavers(p, '2026-07-15').awaitingAnonymisation;
    // Deleted at 23:30 UTC on 1 July, 00:30 BST on 2 July: due on the 16th, not the 15th.
    expect(waiting!.deletedAt).toBe('2026-07-01T23:30:00.000Z');
    expect(waiting).toMatchObject({ id: 'gov', dueOn: '2026-07-16', due: false });
    expect(leavers(p, '2026-07-16').awaitingAnonymisation[0]!.due).toBe(true);
  });
});

describe('not imported: excluded by settings', () => {
  const excludedPupil = (because: 'pre-admissions-off' | 'exception' | 'parents-refused-sharing'): Step[] => [
    importContact('mum', { email: email() }),
    importStudent('kid', { name: { given: 'Kit', family: 'Excluded' } }),
    importStudent('other'),
    syncLinks('kid', { mum: link() }),
    syncLinks('other', { mum: link() }),
    { kind: 'advance', hours: 24 },
    memberCmd({ type: 'ExcludeMember', memberId: 'kid', because }),
  ];

  it('R-IMP-2 an excluded member has their own status, list and data issue: never a leaver, never counted or messaged', () => {
    const p = given('2026-09-01T08:00:00.000Z', ...excludedPupil('exception'));
    expect(listMembers(p, { roll: 'excluded' }).map((m) => [m.memberId, m.roll])).toEqual([['kid', { status: 'excluded', because: 'exception', since: '2026-09-02T13:00:00.000Z', deletionQueued: false }]]);
    expect(listMembers(p, { roll: 'leaver' })).toEqual([]);
    const v = leavers(p, '2026-09-02');
    expect(v.awaitingDeletion).toEqual([]);
    expect(v.excludedBySettings).toEqual([{ memberId: 'kid', kind: 'student', name: { given: 'Kit', family: 'Excluded' }, because: 'exception', since: '2026-09-02T13:00:00.000Z', deletionDue: true, deletionQueued: false }]);
    const issues = dataIssues(p, { memberId: 'kid' });
    expect(issues.map((i) => [i.type, i.raisedAt])).toEqual([['excluded-by-settings', '2026-09-02T13:00:00.000Z']]);
    expect(issues[0]!.detail).toMatch(/not imported: excluded by settings \(the student is in the exceptions\)/);
    expect(issues[0]!.detail).not.toMatch(/Kit|Excluded/);
    // The dashboard counts the other pupil only.
    expect(dashboard(p, '2026-09-02').studentsWithContactablePrimeParent.total).toBe(1);
  });

  it('R-IMP-5 excluded because pre-admissions are off: kept until the settings change or staff delete them; the issue goes when they are imported again', () => {
    const p = given('2026-09-01T08:00:00.000Z', ...excludedPupil('pre-admissions-off'));
    expect(leavers(p, '2026-09-02').excludedBySettings[0]).toMatchObject({ because: 'pre-admissions-off', deletionDue: false });
    const back = given('2026-09-01T08:00:00.000Z', ...excludedPupil('pre-admissions-off'), importStudent('kid', { name: { given: 'Kit', family: 'Excluded' } }));
    expect(dataIssues(back, { memberId: 'kid' })).toEqual([]);
    expect(listMembers(back, { roll: 'on-roll' }).map((m) => m.memberId).sort()).toEqual(['kid', 'other']);
    expect(leavers(back, '2026-09-02').excludedBySettings).toEqual([]);
  });
});

describe('the audit shows a simulated clock', () => {
  it('R-AUD-1 an event written under a simulated clock is marked in the audit trail; others are not', () => {
    const events = runHistory([importContact('mum'), { kind: 'advance', hours: 24 * 14 }, { kind: 'contact', command: { type: 'OptOut', contactId: 'mum', via: 'staff' } }]);
    const marked = events.map((e, i) => (i === events.length - 1 ? { ...e, metadata: { ...e.metadata, simulatedClock: { note: 'retention --today 2026-09-15', wallClockAt: '2026-09-01T09:00:00.000Z' } } } : e));
    const trail = auditTrail(marked);
    expect(trail.map((e) => e.simulatedClock)).toEqual([null, 'retention --today 2026-09-15']);
  });
});
