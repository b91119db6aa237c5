/** runImport: dry runs, how runs are recorded, crashes and concurrent writers. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  contactDecider,
  contactIdFor,
  contactStream,
  fixedClock,
  handleCommand,
  importStream,
  memoryStore,
  runImport,
  sequentialIds,
  type EventStore,
  type MisSnapshot,
} from '@contactable/core';
import { allEvents, contact, entityStates, eventCount, harness, heldOf, link, pupil, SCHOOL, settings, snapshot, TODAY } from './fixtures.js';

const school = (n: number, changed = false): MisSnapshot =>
  snapshot({
    members: Array.from({ length: n }, (_, i) => pupil(`p${i}`)),
    contacts: Array.from({ length: n }, (_, i) => contact(`c${i}`, [{ value: `c${i}${changed && i === 0 ? 'x' : ''}@example.org`, location: 'Home' }])),
    links: Array.from({ length: n }, (_, i) => link(`p${i}`, `c${i}`)),
    groups: [{ externalId: 'g', name: 'Year 7', kind: 'year', active: true, memberExternalIds: Array.from({ length: n }, (_, i) => `p${i}`) }],
  });

/** A store that throws on the n-th append (a crash mid-import). */
const crashingAfter = (inner: EventStore, appends: number): EventStore => {
  let n = 0;
  return {
    ...inner,
    append: async (streamId, events, expected) => {
      if (++n > appends) throw new Error('disk full');
      return inner.append(streamId, events, expected);
    },
  };
};

describe('runImport', () => {
  it('a dry run returns the plan and writes nothing', async () => {
    const h = harness();
    const r = await h.run(school(3), settings(), TODAY, { dryRun: true });
    expect(r.plan.members).toHaveLength(3);
    expect(r.recorded).toBe(false);
    expect(await eventCount(h.store)).toBe(0);
  });

  it('R-IMP-1 a real run records ImportRunStarted, the changes, then ImportRunFinished with counts', async () => {
    const h = harness();
    const r = await h.run(snapshot({ ...school(2), permissionFailures: ['timetables'] }));
    const run = (await allEvents(h.store)).filter((e) => e.streamId === importStream('run-1'));
    expect(run.map((e) => e.type)).toEqual(['ImportRunStarted', 'ImportPermissionFailed', 'ImportRunFinished']);
    expect(run[2]!.data).toMatchObject({ counts: { membersAdded: 2, contactsAdded: 2, groupsChanged: 1 } });
    expect(r.counts.eventsAppended).toBe((await eventCount(h.store)) - 3);
    expect(run.every((e) => e.metadata.actor.kind === 'import')).toBe(true);
  });

  it('R-IMP-1 a no-change run records nothing; one whose permission failures changed records the run', async () => {
    const h = harness();
    await h.run(snapshot({ ...school(2), permissionFailures: ['timetables'] }));
    const n = await eventCount(h.store);
    expect((await h.run(snapshot({ ...school(2), permissionFailures: ['timetables'] }))).recorded).toBe(false);
    expect(await eventCount(h.store)).toBe(n);
    const fixed = await h.run(school(2));
    expect(fixed.recorded).toBe(true);
    expect(await eventCount(h.store)).toBe(n + 2);
  });

  it('a re-run with the same run id writes nothing twice', async () => {
    const store = memoryStore();
    const deps = { store, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds('x') };
    const opts = { runId: 'same', format: 'test', sourceName: 't', schoolId: SCHOOL };
    await runImport(deps, school(3), settings(), TODAY, opts);
    const n = await eventCount(store);
    const again = await runImport(deps, school(3, true), settings(), TODAY, opts);
    expect(E.isRight(again)).toBe(true);
    expect(await eventCount(store)).toBe(n + 1);
  });

  it('stopping an import after any append and re-running gives the state of an uninterrupted run', async () => {
    const clean = harness();
    await clean.run(school(4));
    await clean.run(school(4, true));
    const expected = entityStates(await heldOf(clean.store));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 12 }), fc.boolean(), async (crashAt, crashSecond) => {
        const inner = memoryStore();
        const deps = (s: EventStore) => ({ store: s, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds('t') });
        const opts = (runId: string) => ({ runId, format: 'test', sourceName: 't', schoolId: SCHOOL });
        const first = await runImport(deps(crashSecond ? inner : crashingAfter(inner, crashAt)), school(4), settings(), TODAY, opts('a'));
        if (E.isLeft(first)) {
          expect(first.left._tag).toBe('ImportInterrupted');
          expect(first.left.message).not.toContain('example.org');
          await runImport(deps(inner), school(4), settings(), TODAY, opts('a2'));
        }
        const second = await runImport(deps(crashSecond ? crashingAfter(inner, crashAt) : inner), school(4, true), settings(), TODAY, opts('b'));
        if (E.isLeft(second)) await runImport(deps(inner), school(4, true), settings(), TODAY, opts('b2'));
        expect(entityStates(await heldOf(inner))).toBe(expected);
        const settled = await runImport(deps(inner), school(4, true), settings(), TODAY, opts('c'));
        expect(E.isRight(settled) && settled.right.counts.eventsAppended).toBe(0);
      }),
      { numRuns: 60 },
    );
  });

  it('R-OPS-2 an opt-out recorded while the import runs survives it', async () => {
    const inner = memoryStore();
    const h = harness(inner);
    await h.run(school(2));
    const target = contactStream(contactIdFor(SCHOOL, 'sims', 'c0'));
    let injected = false;
    const racing: EventStore = {
      ...inner,
      append: async (streamId, events, expected) => {
        if (streamId === target && !injected) {
          injected = true;
          await handleCommand({ ...h.deps, store: inner }, contactDecider, target, { type: 'OptOut', contactId: contactIdFor(SCHOOL, 'sims', 'c0'), via: 'sms-reply' }, { schoolId: SCHOOL, actor: { kind: 'person', name: 'Office' } });
        }
        return inner.append(streamId, events, expected);
      },
    };
    const r = await runImport({ ...h.deps, store: racing }, school(2, true), settings(), TODAY, { runId: 'race', format: 'test', sourceName: 't', schoolId: SCHOOL, held: await heldOf(inner) });
    expect(E.isRight(r)).toBe(true);
    expect(injected).toBe(true);
    const c = (await heldOf(inner)).contacts.get(contactIdFor(SCHOOL, 'sims', 'c0'))!.state;
    expect(c.status === 'active' && c.optedOut !== null).toBe(true);
    expect(c.status === 'active' && c.email?.value).toBe('c0x@example.org');
  });

  it('R-IMP-1 a store that hands data back with its keys reordered (jsonb) still sees no change', async () => {
    const inner = memoryStore();
    const sortKeys = (v: unknown): unknown =>
      Array.isArray(v) ? v.map(sortKeys) : v !== null && typeof v === 'object' ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, x]) => [k, sortKeys(x)])) : v;
    const jsonb: EventStore = {
      ...inner,
      readStream: async (id, o) => (await inner.readStream(id, o)).map((e) => ({ ...e, data: sortKeys(e.data) })),
      readAll: async (o) => (await inner.readAll(o)).map((e) => ({ ...e, data: sortKeys(e.data) })),
    };
    const h = harness(jsonb);
    const snap = snapshot({ ...school(2), members: [...school(2).members, pupil('a1', { status: 'applicant', application: { status: 'Offered', standardStatus: 'offered' }, intakeAdmissionDate: '2026-12-01' })] });
    await h.run(snap, settings({ preAdmissions: true }));
    const again = await h.run(snap, settings({ preAdmissions: true }));
    expect(again.counts.eventsAppended).toBe(0);
  });

  it('hands back what the school holds after the run, so the next run need not read the log', async () => {
    const h = harness();
    const first = await h.run(school(3));
    const r = await runImport(h.deps, school(3), settings(), TODAY, { runId: 'next', format: 'test', sourceName: 't', schoolId: SCHOOL, held: first.held });
    expect(E.isRight(r) && r.right.recorded).toBe(false);
    expect(entityStates(first.held)).toBe(entityStates(await heldOf(h.store)));
  });
});
