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
import { arbSettings, arbSnapshot } from './arbitraries.js';
import { allEvents, contact, entityStates, eventCount, harness, heldOf, link, pupil, SCHOOL, settings, snapshot, TODAY } from './fixtures.js';

const school = (n: number, changed = false): MisSnapshot =>
  snapshot({
    members: Array.from({ length: n }, (_, i) => pupil(`p${i}`)),
    contacts: Array.from({ length: n }, (_, i) => contact(`c${i}`, [{ value: `c${i}${changed && i === 0 ? 'x' : ''}@example.org`, location: 'Home' }])),
    links: Array.from({ length: n }, (_, i) => link(`p${i}`, `c${i}`)),
    groups: [{ externalId: 'g', name: 'Year 7', kind: 'year', active: true, memberExternalIds: Array.from({ length: n }, (_, i) => `p${i}`) }],
  });

/** The same store without `appendMany`: the import then appends stream by stream. */
const perStream = (store: EventStore): EventStore => {
  const { appendMany: _, ...rest } = store;
  return rest;
};

/** The two ways an import writes: many streams per call (the memory store has appendMany), or one stream per call. */
const PATHS = [
  { name: 'batched', wrap: (s: EventStore) => s },
  { name: 'per-stream', wrap: perStream },
] as const;

/**
 * A store that crashes on the n-th write, append or appendMany alike: before it reaches the store
 * (nothing of it written), or after the store committed it but before the answer came back.
 */
const crashingAfter = (inner: EventStore, appends: number, when: 'before' | 'after' = 'before'): EventStore => {
  let n = 0;
  const crash = async <T>(write: () => Promise<T>): Promise<T> => {
    const crashing = ++n > appends;
    if (crashing && when === 'before') throw new Error('disk full');
    const r = await write();
    if (crashing) throw new Error('connection lost');
    return r;
  };
  const many = inner.appendMany;
  return {
    ...inner,
    append: (streamId, events, expected) => crash(() => inner.append(streamId, events, expected)),
    ...(many === undefined ? {} : { appendMany: (batches: Parameters<typeof many>[0]) => crash(() => many(batches)) }),
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

  for (const path of PATHS) {
    it(`stopping an import after any append and re-running gives the state of an uninterrupted run (${path.name})`, async () => {
      const clean = harness();
      await clean.run(school(4));
      await clean.run(school(4, true));
      const expected = entityStates(await heldOf(clean.store));
      let crashes = 0;
      await fc.assert(
        fc.asyncProperty(fc.integer({ min: 0, max: 12 }), fc.boolean(), fc.constantFrom('before' as const, 'after' as const), fc.integer({ min: 1, max: 4 }), async (crashAt, crashSecond, when, batchStreams) => {
          const inner = path.wrap(memoryStore());
          const deps = (s: EventStore) => ({ store: s, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds('t') });
          // Small chunks, so a crash can fall between two multi-stream appends of one import.
          const opts = (runId: string) => ({ runId, format: 'test', sourceName: 't', schoolId: SCHOOL, batchStreams });
          const first = await runImport(deps(crashSecond ? inner : crashingAfter(inner, crashAt, when)), school(4), settings(), TODAY, opts('a'));
          if (E.isLeft(first)) {
            crashes += 1;
            expect(first.left._tag).toBe('ImportInterrupted');
            expect(first.left.message).not.toContain('example.org');
            await runImport(deps(inner), school(4), settings(), TODAY, opts('a2'));
          }
          const second = await runImport(deps(crashSecond ? crashingAfter(inner, crashAt, when) : inner), school(4, true), settings(), TODAY, opts('b'));
          if (E.isLeft(second)) {
            crashes += 1;
            await runImport(deps(inner), school(4, true), settings(), TODAY, opts('b2'));
          }
          expect(entityStates(await heldOf(inner))).toBe(expected);
          const settled = await runImport(deps(inner), school(4, true), settings(), TODAY, opts('c'));
          expect(E.isRight(settled) && settled.right.counts.eventsAppended).toBe(0);
        }),
        { numRuns: 80 },
      );
      expect(crashes).toBeGreaterThan(0);
    });
  }

  it('a crash in the middle of a batched import leaves whole chunks only, and a re-run completes it', async () => {
    const inner = memoryStore();
    const calls: number[] = [];
    const counting: EventStore = { ...inner, appendMany: async (batches) => (calls.push(batches.length), inner.appendMany!(batches)) };
    const deps = (s: EventStore) => ({ store: s, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds('t') });
    const opts = (runId: string) => ({ runId, format: 'test', sourceName: 't', schoolId: SCHOOL, batchStreams: 5 });
    // 12 contacts, 12 members and a group: 25 streams in chunks of 5; the crash hits the third call (ImportRunStarted is the first write).
    const r = await runImport(deps(crashingAfter(counting, 3)), school(12), settings(), TODAY, opts('a'));
    expect(E.isLeft(r) && r.left._tag).toBe('ImportInterrupted');
    expect(calls).toEqual([5, 5]);
    // Whole chunks only: the first two chunks' ten streams, each complete, and the run's start.
    const written = await allEvents(inner);
    expect(new Set(written.filter((e) => e.streamId !== importStream('a')).map((e) => e.streamId)).size).toBe(10);
    expect(written.filter((e) => e.streamId === importStream('a')).map((e) => e.type)).toEqual(['ImportRunStarted']);
    const again = await runImport(deps(counting), school(12), settings(), TODAY, opts('b'));
    expect(E.isRight(again) && again.right.counts.contactsAdded + again.right.counts.membersAdded).toBe(14);
    const clean = harness();
    await clean.run(school(12));
    expect(entityStates(await heldOf(inner))).toBe(entityStates(await heldOf(clean.store)));
  });

  for (const path of PATHS) {
    it(`R-OPS-2 an opt-out recorded while the import runs survives it (${path.name})`, async () => {
      const inner = path.wrap(memoryStore());
      const h = harness(inner);
      await h.run(school(2));
      const target = contactStream(contactIdFor(SCHOOL, 'sims', 'c0'));
      let injected = false;
      // The office opts the contact out just before the import's write reaches that stream.
      const optOut = async (streamIds: ReadonlyArray<string>): Promise<void> => {
        if (!streamIds.includes(target) || injected) return;
        injected = true;
        await handleCommand({ ...h.deps, store: inner }, contactDecider, target, { type: 'OptOut', contactId: contactIdFor(SCHOOL, 'sims', 'c0'), via: 'sms-reply' }, { schoolId: SCHOOL, actor: { kind: 'person', name: 'Office' } });
      };
      const many = inner.appendMany;
      const racing: EventStore = {
        ...inner,
        append: async (streamId, events, expected) => {
          await optOut([streamId]);
          return inner.append(streamId, events, expected);
        },
        ...(many === undefined
          ? {}
          : {
              appendMany: async (batches: Parameters<typeof many>[0]) => {
                await optOut(batches.map((b) => b.streamId));
                return many(batches);
              },
            }),
      };
      const r = await runImport({ ...h.deps, store: racing }, school(2, true), settings(), TODAY, { runId: 'race', format: 'test', sourceName: 't', schoolId: SCHOOL, held: await heldOf(inner) });
      expect(E.isRight(r)).toBe(true);
      expect(injected).toBe(true);
      const c = (await heldOf(inner)).contacts.get(contactIdFor(SCHOOL, 'sims', 'c0'))!.state;
      expect(c.status === 'active' && c.optedOut !== null).toBe(true);
      expect(c.status === 'active' && c.email?.value).toBe('c0x@example.org');
      // What the run hands back agrees with the log, opt-out included.
      expect(E.isRight(r) && entityStates(r.right.held)).toBe(entityStates(await heldOf(inner)));
    });
  }

  it('the batched and the per-stream paths write the same log (ids, types, data, metadata, order)', async () => {
    await fc.assert(
      fc.asyncProperty(arbSnapshot, arbSnapshot, arbSettings, fc.integer({ min: 1, max: 6 }), async (a, b, s, batchStreams) => {
        const logs = await Promise.all(
          PATHS.map(async (path) => {
            const store = path.wrap(memoryStore());
            const deps = { store, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds('same') };
            const outcomes = [];
            for (const [runId, snap, today] of [['r1', a, '2026-09-01'], ['r2', b, '2026-09-02'], ['r3', a, '2026-09-03']] as const) {
              const r = await runImport(deps, snap, s, today, { runId, format: 'test', sourceName: 't', schoolId: SCHOOL, batchStreams });
              if (E.isLeft(r)) throw new Error(r.left.message);
              outcomes.push({ counts: r.right.counts, refused: r.right.refused, held: entityStates(r.right.held) });
            }
            return { events: await allEvents(store), outcomes };
          }),
        );
        const [batched, single] = logs;
        expect(batched!.outcomes).toEqual(single!.outcomes);
        expect(batched!.events).toEqual(single!.events);
      }),
      { numRuns: 60 },
    );
  });

  it('a big school goes in chunks of batchStreams streams, in the same log as stream by stream', async () => {
    const big = school(260);
    const batched = memoryStore();
    const calls: number[] = [];
    const counting: EventStore = { ...batched, appendMany: async (batches) => (calls.push(batches.length), batched.appendMany!(batches)) };
    const single = perStream(memoryStore());
    for (const store of [counting, single]) {
      const deps = { store, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds('big') };
      const r = await runImport(deps, big, settings(), TODAY, { runId: 'big', format: 'test', sourceName: 't', schoolId: SCHOOL, batchStreams: 100 });
      expect(E.isRight(r) && r.right.counts.membersAdded).toBe(260);
    }
    // 260 contacts, 260 members and one group.
    expect(calls).toEqual([100, 100, 100, 100, 100, 21]);
    const [x, y] = [await allEvents(batched), await allEvents(single)];
    expect(x.length).toBeGreaterThan(780);
    expect(x).toEqual(y);
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
