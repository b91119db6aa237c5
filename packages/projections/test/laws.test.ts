import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contactDecider,
  ERASED,
  localDayOf,
  primeParentIssue,
  usableMethods,
  type ContactRecord,
  type ContactState,
  type DataIssueFilter,
  type StoredEvent,
} from '@contactable/core';
import { arbContactCommands, runCommands } from '@contactable/core/testing';
import {
  allDataIssues,
  applyEvent,
  asContactState,
  canonicalJson,
  createProjection,
  dashboard,
  dataIssues,
  evolveContactView,
  leavers,
  linkedPeople,
  listMembers,
  needsPrimeParent,
  project,
  projectAsOf,
  restoreProjection,
  serialiseProjection,
  studentReachByScan,
  usableChannels,
  contactsByEmail,
  membersOfContact,
  idsOf,
  byName,
  addressIndex,
  contactView,
  contactViews,
  memberRecord,
  memberRecords,
  savedFilters,
  type ContactView,
  type Projection,
} from '../src/index.js';
import { arbHistory, arbIssueFilter, MEMBERS } from './history.js';

// Each law runs at least 200 times; fast-check prints the seed and a shrunk counterexample on failure.
const runs = { numRuns: 200 };
const TODAY = '2026-09-20';

/** Every query's answer, as one canonical string: what "the same views" means below. */
const views = (p: Projection): string =>
  canonicalJson({
    snapshot: serialiseProjection(p),
    members: listMembers(p),
    linked: MEMBERS.map((m) => linkedPeople(p, m)),
    dashboard: dashboard(p, TODAY),
    issues: dataIssues(p),
    issuesOfMember: MEMBERS.map((m) => dataIssues(p, { memberId: m })),
    filters: savedFilters(p),
    leavers: leavers(p, TODAY),
  });

/** Asks every cached query, so a stale cache would show in a later comparison. */
const touch = (p: Projection): void => {
  dashboard(p, TODAY);
  allDataIssues(p);
};

describe('laws of the projections', () => {
  it('R-AUD-2 applying events one at a time (with queries between) equals rebuilding from scratch', () => {
    fc.assert(
      fc.property(arbHistory(), fc.integer({ min: 1, max: 5 }), (events, every) => {
        const p = createProjection();
        events.forEach((e, i) => {
          applyEvent(p, e);
          if (i % every === 0) touch(p);
        });
        expect(views(p)).toBe(views(project(events)));
      }),
      runs,
    );
  });

  it('R-AUD-2 the view as of T equals the view of only the events up to T, and the live view when it passed T', () => {
    fc.assert(
      fc.property(arbHistory(), fc.nat(), fc.integer({ min: -2, max: 2 }), (events, pick, nudgeHours) => {
        const anchor = events[pick % events.length]!.metadata.occurredAt;
        const at = new Date(Date.parse(anchor) + nudgeHours * 1_800_000).toISOString();
        const asOf = projectAsOf(events, at);
        const upTo = events.filter((e) => Date.parse(e.metadata.occurredAt) <= Date.parse(at));
        expect(views(asOf)).toBe(views(project(upTo)));
        // Histories here are in time order, so the as-of view is exactly what the live fold showed at T.
        const live = createProjection();
        for (const e of upTo) applyEvent(live, e);
        expect(serialiseProjection(asOf)).toBe(serialiseProjection(live));
      }),
      runs,
    );
  });

  it('R-AUD-4 rebuilding twice gives byte-identical JSON, and a snapshot restores to the same views', () => {
    fc.assert(
      fc.property(arbHistory(), fc.nat(), (events, cut) => {
        const once = serialiseProjection(project(events));
        const twice = serialiseProjection(project(events.map((e) => JSON.parse(JSON.stringify(e)) as StoredEvent)));
        expect(twice).toBe(once);
        // Restore a snapshot taken part way, carry on, and land on the same bytes.
        const k = cut % (events.length + 1);
        const resumed = restoreProjection(serialiseProjection(project(events.slice(0, k))));
        for (const e of events.slice(k)) applyEvent(resumed, e);
        expect(views(resumed)).toBe(views(project(events)));
      }),
      runs,
    );
  });

  it('R-DSH-1 dashboard counts equal the counts taken over the linked-people views', () => {
    fc.assert(
      fc.property(arbHistory(), (events) => {
        const p = createProjection();
        for (const e of events) {
          applyEvent(p, e);
          const students = listMembers(p).filter((m) => m.kind === 'student' && m.roll.status === 'on-roll');
          let byEmail = 0;
          let byMobile = 0;
          let byEither = 0;
          const without: string[] = [];
          for (const s of students) {
            const primes = linkedPeople(p, s.memberId)!.linkedPeople.filter((c) => c.prime);
            const email = primes.some((c) => c.usableMethods.includes('email'));
            const sms = primes.some((c) => c.usableMethods.includes('sms'));
            if (email) byEmail++;
            if (sms) byMobile++;
            if (email || sms) byEither++;
            else without.push(s.memberId);
          }
          const d = dashboard(p, TODAY).studentsWithContactablePrimeParent;
          expect({ total: d.total, byEmail: d.byEmail, byMobile: d.byMobile, byEither: d.byEither, without: d.without.map((w) => w.memberId).sort() }).toEqual({
            total: students.length,
            byEmail,
            byMobile,
            byEither,
            without,
          });
          // The list is in name order, with each student's name as it stands.
          expect(d.without).toEqual([...d.without].sort(byName));
          for (const w of d.without) expect(w.name).toEqual(memberRecord(p, w.memberId)!.name);
          const scan = studentReachByScan(p);
          expect([scan.total, scan.byEmail, scan.byMobile, scan.byEither]).toEqual([d.total, d.byEmail, d.byMobile, d.byEither]);
        }
      }),
      { numRuns: 200 },
    );
  });

  it('R-AUD-4 delivering every event twice, or replaying from an earlier position, gives the same views', () => {
    fc.assert(
      fc.property(arbHistory(), fc.array(fc.nat(), { maxLength: 4 }), (events, replays) => {
        const once = views(project(events));
        expect(views(project(events.flatMap((e) => [e, e])))).toBe(once);
        // A subscription that resumes from older positions now and then.
        const p = createProjection();
        const starts = new Set(replays.map((r) => r % (events.length + 1)));
        events.forEach((e, i) => {
          applyEvent(p, e);
          if (starts.has(i)) for (const again of events.slice(Math.max(0, i - 5), i + 1)) expect(applyEvent(p, again)).toBe(false);
        });
        expect(views(p)).toBe(once);
      }),
      runs,
    );
  });

  it('R-LNK-1 the lean contact fold agrees with the core evolveContact on every field they share and on usable methods', () => {
    const shared = (s: ContactState) =>
      s.status === 'absent'
        ? null
        : {
            status: s.status,
            name: s.name,
            email: s.email,
            mobile: s.mobile,
            optedOut: s.optedOut === null ? null : { at: s.optedOut.at, via: s.optedOut.via },
            blocks: { email: s.blocks.email === null ? null : { cause: s.blocks.email.cause, at: s.blocks.email.at }, sms: s.blocks.sms === null ? null : { cause: s.blocks.sms.cause, at: s.blocks.sms.at } },
            overwritten: Object.fromEntries(Object.entries(s.overwritten).map(([k, v]) => [k, v!.at])),
            deletedAt: s.deletedAt,
            source: s.source.kind,
          };
    const lean = (v: ContactView | undefined) =>
      v === undefined
        ? null
        : { status: v.status, name: v.name, email: v.email, mobile: v.mobile, optedOut: v.optedOut, blocks: v.blocks, overwritten: v.overwritten, deletedAt: v.deletedAt, source: v.source };
    fc.assert(
      fc.property(arbContactCommands(40), (cmds) => {
        const { events } = runCommands(contactDecider, [...cmds, { type: 'DeleteContact', contactId: cmds[0]!.contactId, cause: 'no-members-left' }]);
        let core: ContactState = contactDecider.initialState;
        let view: ContactView | undefined;
        for (const e of events) {
          core = contactDecider.evolve(core, e);
          view = evolveContactView(view, e as never);
          expect(canonicalJson(lean(view))).toBe(canonicalJson(shared(core)));
          expect(usableChannels(view)).toEqual(usableMethods(core));
          expect(usableMethods(asContactState(view))).toEqual(usableMethods(core));
        }
        // Erasure: the view forgets what the core would mask.
        const anonymised = evolveContactView(view, { type: 'ContactAnonymised', data: { contactId: (core as ContactRecord).contactId }, metadata: events[0]!.metadata } as never)!;
        expect(JSON.stringify(anonymised.name)).toBe(JSON.stringify({ given: ERASED, family: ERASED }));
      }),
      { numRuns: 300 },
    );
  });

  it('R-DSH-3 R-LNK-5 the open issues are exactly those the views show, and name no personal value', () => {
    fc.assert(
      fc.property(arbHistory(), fc.array(arbIssueFilter, { minLength: 1, maxLength: 4 }), (events, filters) => {
        const p = project(events);
        const expected: string[] = [];
        for (const c of contactViews(p)) {
          if (c.status !== 'active') continue;
          if (c.blocks.email !== null) expect.soft(c.blocks.email.cause === 'spam' || c.blocks.email.cause === 'permanent-bounce').toBe(true);
          if (c.blocks.email !== null) expected.push(`${c.blocks.email.cause}/-/${c.contactId}`);
          if (c.blocks.sms !== null) expected.push(`${c.blocks.sms.cause}/-/${c.contactId}`);
          if (c.email !== null && !c.email.valid) expected.push(`invalid-email/-/${c.contactId}`);
          if (c.mobile !== null && !c.mobile.valid) expected.push(`invalid-mobile/-/${c.contactId}`);
          for (const f of Object.keys(c.overwritten)) expected.push(`local-override-overwritten/-/${c.contactId}/${f}`);
        }
        for (const m of memberRecords(p)) {
          if (m.status === 'active' && m.enrolment.status === 'pre-admission' && m.staleSince !== null) expected.push(`stale-pre-admission/${m.memberId}/-`);
          if (m.status === 'active' && m.excluded !== null) expected.push(`excluded-by-settings/${m.memberId}/-`);
          const issue = needsPrimeParent(m) ? primeParentIssue(m, (id) => asContactState(contactView(p, id))) : null;
          if (issue !== null) expected.push(`${issue.type}/${m.memberId}/-`);
        }
        for (const area of p.permissionFailures.keys()) expected.push(`permissions/-/-/${area}`);
        for (const code of p.warningsRaised.keys()) expected.push(`import-warning/-/-/${code}`);
        const open = allDataIssues(p);
        expect(open.map((i) => i.id).sort()).toEqual(expected.sort());
        for (const i of open) expect(i.detail).not.toMatch(/@|\+44|Ann|Bob|Cai|Dee|Smith|Jones|Khan|Ng\b|UPN/);
        // Every filter answers what a plain scan of the list answers.
        const scan = (f: DataIssueFilter) =>
          open.filter(
            (i) =>
              (f.type === undefined || i.type === f.type) &&
              (f.contactId === undefined || i.contactId === f.contactId) &&
              (f.memberId === undefined || i.memberId === f.memberId || (i.memberId === null && i.contactId !== null && memberRecord(p, f.memberId)?.links[i.contactId] !== undefined)) &&
              // Days are the school's, in its zone.
              (f.from === undefined || localDayOf(i.raisedAt, p.school.timeZone) >= f.from) &&
              (f.to === undefined || localDayOf(i.raisedAt, p.school.timeZone) <= f.to),
          );
        for (const f of filters) expect(dataIssues(p, f)).toEqual(scan(f));
      }),
      runs,
    );
  });

  it('R-LNK-1 the indexes equal what the members and contacts say, whether built first and kept up to date or built at the end', () => {
    fc.assert(
      fc.property(arbHistory(), (events) => {
        const p = project(events);
        for (const c of ['c1', 'c2', 'c3', 'c4']) {
          const linking = [...memberRecords(p)].filter((m) => m.links[c] !== undefined).map((m) => m.memberId).sort();
          expect(membersOfContact(p, c)).toEqual(linking);
        }
        for (const c of contactViews(p)) {
          if (c.status === 'active' && c.email !== null) expect(contactsByEmail(p, c.email.value.toUpperCase())).toContain(c.contactId);
        }
        const late = addressIndex(p);
        for (const [key, ids] of late.byEmail) for (const id of idsOf(ids)) expect(contactView(p, id)!.email!.value.toLowerCase()).toBe(key);
        // The same index, built before the first event and kept up to date event by event.
        const early = createProjection();
        addressIndex(early);
        for (const e of events) applyEvent(early, e);
        expect(canonicalJson(addressIndex(early))).toBe(canonicalJson(late));
      }),
      runs,
    );
  });
});
