import { describe, expect, it } from 'vitest';
import { applyEvent, byName, contactView, createProjection, dashboard, dataIssues, dataIssuesBySavedFilter, memberRecord, project, savedFilters, studentReachByScan } from '../src/index.js';
import { contactCmd, email, feedback, importContact, importStudent, link, memberCmd, mobile, runHistory, sent, syncLinks, type Step } from './history.js';

const given = (...steps: Step[]) => project(runHistory(steps));

describe('dashboard (R-DSH-1, R-DSH-2)', () => {
  it('R-DSH-1 counts on-roll students reachable through a prime parent by email, by mobile, by either, and lists those without', () => {
    const p = given(
      importContact('both'),
      importContact('emailOnly', { mobile: null }),
      importContact('smsOnly', { email: email('bad@@example') }),
      importContact('none', { email: null, mobile: mobile('077009001234567') }),
      importStudent('s1', { name: { given: 'Ann', family: 'Ash' } }),
      importStudent('s2', { name: { given: 'Bea', family: 'Birch' } }),
      importStudent('s3', { name: { given: 'Cal', family: 'Cedar' } }),
      importStudent('s4', { name: { given: 'Dot', family: 'Alder' } }),
      importStudent('s5', { name: { given: 'Eve', family: 'Elm' } }),
      syncLinks('s1', { both: link() }),
      syncLinks('s2', { emailOnly: link() }),
      syncLinks('s3', { smsOnly: link() }),
      syncLinks('s4', { none: link() }),
      // s5's only contact is not prime: not reachable through a prime parent
      syncLinks('s5', { both: link({ prime: false }) }),
    );
    const d = dashboard(p, '2026-09-01').studentsWithContactablePrimeParent;
    expect(d).toMatchObject({ scope: 'on-roll students', total: 5, byEmail: 2, byMobile: 2, byEither: 3 });
    expect(d.without).toEqual([
      { memberId: 's4', name: { given: 'Dot', family: 'Alder' } },
      { memberId: 's5', name: { given: 'Eve', family: 'Elm' } },
    ]);
  });

  it('R-DSH-1 pre-admissions, leavers, staff and deleted members are not counted', () => {
    const p = given(
      importContact('mum'),
      importStudent('on', {}),
      importStudent('pre', { enrolment: { status: 'pre-admission', applicationStatus: 'offered', admissionDate: '2027-09-02' } }),
      importStudent('staff', { kind: 'staff' }),
      importStudent('left'),
      syncLinks('on', { mum: link() }),
      syncLinks('pre', { mum: link() }),
      memberCmd({ type: 'MarkLeaver', memberId: 'left', leftOn: null }),
    );
    expect(dashboard(p, '2026-09-01').studentsWithContactablePrimeParent).toMatchObject({ total: 1, byEither: 1, without: [] });
  });

  it('R-DSH-1 the counts move as a prime parent opts out, is blocked and re-enabled', () => {
    const steps: Step[] = [importContact('mum'), importStudent('s'), syncLinks('s', { mum: link() })];
    const counts = () => {
      const d = dashboard(given(...steps), '2026-09-01').studentsWithContactablePrimeParent;
      return [d.byEmail, d.byMobile, d.byEither, d.without.length];
    };
    expect(counts()).toEqual([1, 1, 1, 0]);
    steps.push(feedback('mum', 'perm', 'sms', '2026-09-02T00:00:00Z'), feedback('mum', 'perm', 'sms', '2026-09-02T01:00:00Z'), feedback('mum', 'perm', 'sms', '2026-09-02T02:00:00Z'));
    expect(counts()).toEqual([1, 0, 1, 0]);
    steps.push(contactCmd({ type: 'OptOut', contactId: 'mum', via: 'staff' }));
    expect(counts()).toEqual([0, 0, 0, 1]);
    steps.push(contactCmd({ type: 'OptIn', contactId: 'mum', via: 'staff' }), contactCmd({ type: 'ReEnable', contactId: 'mum', channel: 'sms', confirmedWithContact: true }));
    expect(counts()).toEqual([1, 1, 1, 0]);
  });

  it('R-DSH-1 the list of those without stays in name order through a few changes (patched) and many (sorted afresh)', () => {
    const names = ['Ng', 'Ash', 'Khan', 'Birch', 'Oak', 'Elm'];
    const steps: Step[] = [importContact('mum')];
    for (let i = 0; i < 100; i++) steps.push(importStudent(`s${String(i).padStart(3, '0')}`, { name: { given: `G${i % 7}`, family: names[i % names.length]! } }));
    const events = runHistory(steps);
    const p = createProjection();
    const expected = () => studentReachByScan(p).without.map((id) => ({ memberId: id, name: memberRecord(p, id)!.name })).sort(byName);
    let at = 0;
    const feed = (more: Step[]) => {
      const all = runHistory([...steps, ...more]);
      for (const e of all.slice(at)) applyEvent(p, e);
      at = all.length;
    };
    for (const e of events) applyEvent(p, e);
    at = events.length;
    expect(dashboard(p, '2026-09-01').studentsWithContactablePrimeParent.without).toEqual(expected());
    const links: Step[] = [syncLinks('s003', { mum: link() }), syncLinks('s050', { mum: link() })];
    feed(links);
    expect(dashboard(p, '2026-09-01').studentsWithContactablePrimeParent.without).toEqual(expected());
    const many: Step[] = [...links];
    for (let i = 0; i < 80; i++) many.push(syncLinks(`s${String(i).padStart(3, '0')}`, { mum: link() }));
    feed(many);
    expect(dashboard(p, '2026-09-01').studentsWithContactablePrimeParent.without).toEqual(expected());
    expect(dashboard(p, '2026-09-01').studentsWithContactablePrimeParent.without).toHaveLength(20);
  });

  it('R-DSH-2 counts messages sent per day and channel over the 7 days ending today', () => {
    const p = given(
      importContact('mum'),
      sent('mum', 'email', 'old'), // 2026-09-01
      { kind: 'advance', hours: 24 * 6 },
      sent('mum', 'email', 'a'), // 2026-09-07
      sent('mum', 'sms', 'b'),
      { kind: 'advance', hours: 24 },
      sent('mum', 'sms', 'c'), // 2026-09-08
      { kind: 'advance', hours: 24 * 5 },
      sent('mum', 'email', 'future'), // 2026-09-13
    );
    expect(dashboard(p, '2026-09-08').messagesLast7Days).toEqual([
      { date: '2026-09-02', email: 0, sms: 0 },
      { date: '2026-09-03', email: 0, sms: 0 },
      { date: '2026-09-04', email: 0, sms: 0 },
      { date: '2026-09-05', email: 0, sms: 0 },
      { date: '2026-09-06', email: 0, sms: 0 },
      { date: '2026-09-07', email: 1, sms: 1 },
      { date: '2026-09-08', email: 0, sms: 1 },
    ]);
  });
});

describe('data issues (R-DSH-3)', () => {
  it('R-DSH-3 raises every contact issue type with a detail that names no personal value, and resolves each when the log says so', () => {
    const steps: Step[] = [
      importContact('bounce'),
      importContact('spam'),
      importContact('texts'),
      importContact('bad', { email: email('ann@@example'), mobile: mobile('077009001234567') }),
      importContact('local'),
      ...[1, 2, 3].map((d) => feedback('bounce', 'perm', 'email', `2026-09-0${d}T10:00:00Z`)),
      feedback('spam', 'spam', 'email', '2026-09-02T10:00:00Z'),
      ...[1, 2, 3].map((d) => feedback('texts', 'perm', 'sms', `2026-09-0${d}T10:00:00Z`)),
      contactCmd({ type: 'EditContact', contactId: 'local', mobile: mobile('07912 345678') }),
      importContact('local'),
    ];
    const p = given(...steps);
    const found = dataIssues(p).map((i) => [i.type, i.contactId, i.detail]);
    expect(found).toEqual(
      expect.arrayContaining([
        ['permanent-bounce', 'bounce', 'email blocked after 3 permanent delivery failures'],
        ['spam', 'spam', 'email blocked after a spam complaint'],
        ['text-delivery-failure', 'texts', 'texts blocked after 3 failed texts in a row'],
        ['invalid-email', 'bad', 'the email address held is badly formed'],
        ['invalid-mobile', 'bad', 'the mobile number held is badly formed'],
        ['local-override-overwritten', 'local', 'a local mobile edit was overwritten by the MIS sync: update it at source'],
      ]),
    );
    expect(found).toHaveLength(6);
    expect(JSON.stringify(dataIssues(p))).not.toMatch(/@|\+44|Ann|Parent/);
    // When: the bounce block lapses on a new address, spam is re-enabled, texts re-enabled, details fixed, the MIS catches up
    steps.push(
      importContact('bounce', { email: email('fresh@example.org') }),
      contactCmd({ type: 'ReEnable', contactId: 'spam', channel: 'email', confirmedWithContact: true }),
      contactCmd({ type: 'ReEnable', contactId: 'texts', channel: 'sms', confirmedWithContact: true }),
      importContact('bad'),
      contactCmd({ type: 'EditContact', contactId: 'local', mobile: mobile('07912 345678') }),
      importContact('local', { mobile: mobile('07912 345678') }),
    );
    expect(dataIssues(given(...steps))).toEqual([]);
  });

  it('R-DSH-3 the raisedAt of a block is when the log blocked it', () => {
    const p = given(importContact('c'), ...[1, 2, 3].map((d) => feedback('c', 'perm', 'email', `2026-09-0${d}T10:00:00Z`)));
    const [issue] = dataIssues(p, { type: 'permanent-bounce' });
    expect(issue!.raisedAt).toBe(contactView(p, 'c')!.blocks.email!.at);
  });

  it('R-DSH-3 permission issues name the data and the permission group; a later finished run without the failure resolves them', () => {
    const steps: Step[] = [{ kind: 'import-run', runId: 'r1', failed: [['contacts', 'Admissions officer'], ['medical-conditions', 'Medical officer']], finished: true }];
    expect(dataIssues(given(...steps)).map((i) => i.detail)).toEqual([
      'contacts did not import; permission group: Admissions officer',
      'medical-conditions did not import; permission group: Medical officer',
    ]);
    // A run that has not finished yet resolves nothing; one that finished with only the medical failure resolves contacts.
    steps.push({ kind: 'import-run', runId: 'r2', failed: [], finished: false });
    expect(dataIssues(given(...steps))).toHaveLength(2);
    steps.push({ kind: 'import-run', runId: 'r3', failed: [['medical-conditions', 'Medical officer']], finished: true });
    const p = given(...steps);
    expect(dataIssues(p).map((i) => i.id)).toEqual(['permissions/-/-/medical-conditions']);
    // The issue keeps the time it was first raised while it lasts.
    expect(dataIssues(p)[0]!.raisedAt).toBe('2026-09-01T08:00:00.000Z');
  });

  it('R-DSH-3 R-IMP-6 a stale pre-admission is an issue until the MIS closes it', () => {
    const stale = importStudent('app', { enrolment: { status: 'pre-admission', applicationStatus: 'accepted', admissionDate: '2025-09-03' }, stale: true });
    const p = given(stale);
    expect(dataIssues(p, { type: 'stale-pre-admission' })).toEqual([
      expect.objectContaining({ memberId: 'app', detail: 'pre-admission for the intake of 2025-09-03 is still open in the MIS' }),
    ]);
    expect(dataIssues(given(stale, importStudent('app')), { type: 'stale-pre-admission' })).toEqual([]);
  });

  it('R-DSH-3 filters by type, member (with their contacts), contact and date range', () => {
    const p = given(
      importContact('mum'),
      importContact('other', { email: email('x@@y') }),
      importStudent('pupil'),
      syncLinks('pupil', { mum: link() }),
      { kind: 'advance', hours: 48 },
      ...[1, 2, 3].map((n) => feedback('mum', 'perm', 'email', `2026-09-03T0${n}:00:00Z`)),
      importStudent('lonely'),
    );
    expect(dataIssues(p, { type: 'invalid-email' }).map((i) => i.contactId)).toEqual(['other']);
    expect(dataIssues(p, { memberId: 'pupil' }).map((i) => [i.type, i.contactId])).toEqual([['permanent-bounce', 'mum']]);
    expect(dataIssues(p, { memberId: 'lonely' }).map((i) => i.type)).toEqual(['no-prime-parent']);
    expect(dataIssues(p, { contactId: 'mum' }).map((i) => i.type)).toEqual(['permanent-bounce']);
    expect(dataIssues(p, { from: '2026-09-03' }).map((i) => i.type)).toEqual(['permanent-bounce', 'no-prime-parent']);
    expect(dataIssues(p, { to: '2026-09-01' }).map((i) => i.type)).toEqual(['invalid-email']);
  });

  it('R-DSH-3 a filter saved on the school stream is listed and applied by name', () => {
    const p = given(
      importContact('other', { email: email('x@@y') }),
      { kind: 'school', command: { type: 'SaveDataIssueFilter', name: 'Bad emails', filter: { type: 'invalid-email' } } },
      { kind: 'school', command: { type: 'SaveDataIssueFilter', name: 'Bounces', filter: { type: 'permanent-bounce' } } },
      { kind: 'school', command: { type: 'RemoveDataIssueFilter', name: 'Bounces' } },
    );
    expect(savedFilters(p)).toEqual([{ name: 'Bad emails', filter: { type: 'invalid-email' } }]);
    expect(dataIssuesBySavedFilter(p, 'Bad emails')!.map((i) => i.contactId)).toEqual(['other']);
    expect(dataIssuesBySavedFilter(p, 'Bounces')).toBeNull();
  });

  it('R-DSH-3 a deleted contact has no open issues', () => {
    const p = given(importContact('c', { email: email('x@@y') }), contactCmd({ type: 'DeleteContact', contactId: 'c', cause: 'no-members-left' }));
    expect(dataIssues(p)).toEqual([]);
  });
});
