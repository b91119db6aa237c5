/**
 * Safe syncs: a partial export removes no one (R-IMP-7), the mass-change guard refuses an import that
 * would remove too many before anything is written, and a settings change is never a departure (R-IMP-2,
 * R-IMP-5): members it leaves out are "not imported: excluded by settings", withdrawn and deletable.
 */
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import {
  decodeEvent,
  deleteLeaver,
  groupIdFor,
  memberIdFor,
  memoryStore,
  parseImportSettings,
  runImport,
  sequentialIds,
  simulatedClock,
  type EventStore,
  type ImportSettings,
  type MemberRecord,
  type MisGroup,
  type MisSnapshot,
  type StoredEvent,
} from '@contactable/core';
import { arbSettings, arbSnapshot, arbToday } from './arbitraries.js';
import { allEvents, applicant, contact, entityStates, harness, heldOf, link, pupil, SCHOOL, settings, snapshot, TODAY } from './fixtures.js';

const mid = (ext: string) => memberIdFor(SCHOOL, 'sims', ext);
const member = async (store: EventStore, ext: string) => (await heldOf(store)).members.get(mid(ext))?.state as MemberRecord | undefined;

/** A school of `n` pupils p0..p(n-1), each with their own priority-1 contact, split into two year groups. */
const school = (n: number, parts: Partial<MisSnapshot> = {}): MisSnapshot => {
  const ids = Array.from({ length: n }, (_, i) => `p${i}`);
  const years: MisGroup[] = [
    { externalId: 'Y7', name: 'Year 7', kind: 'year', active: true, memberExternalIds: ids.filter((_, i) => i % 2 === 0) },
    { externalId: 'Y8', name: 'Year 8', kind: 'year', active: true, memberExternalIds: ids.filter((_, i) => i % 2 === 1) },
  ];
  return snapshot({ members: ids.map((id) => pupil(id)), contacts: ids.map((id) => contact(`c-${id}`)), links: ids.map((id) => link(id, `c-${id}`)), groups: years, ...parts });
};

/** The same school with only some of its pupils (and their contacts and links, and the year groups cut to them). */
const keeping = (whole: MisSnapshot, keep: (id: string) => boolean, extra: Partial<MisSnapshot> = {}): MisSnapshot => ({
  ...whole,
  members: whole.members.filter((m) => keep(m.externalId)),
  contacts: whole.contacts.filter((c) => keep(c.externalId.replace(/^c-/, ''))),
  links: whole.links.filter((l) => keep(l.memberExternalId)),
  groups: whole.groups.map((g) => ({ ...g, memberExternalIds: g.memberExternalIds.filter(keep) })),
  ...extra,
});

const after = (events: ReadonlyArray<StoredEvent>, count: number): ReadonlyArray<StoredEvent> => events.slice(count);
const removals = (events: ReadonlyArray<StoredEvent>): ReadonlyArray<string> =>
  events.flatMap((e) => (e.type === 'MarkedLeaver' || e.type === 'ContactUnlinked' || (e.type === 'GroupMembersChanged' && e.data.removed.length > 0) ? [`${e.type} ${e.streamId}`] : []));

describe('R-IMP-7 a partial export updates and never removes', () => {
  it('R-IMP-7 a partial export (one pupil corrected) adds and changes what it holds, and marks no leaver, unlinks nothing, removes no group member', async () => {
    const h = harness();
    const whole = school(8);
    await h.run(whole);
    const before = (await allEvents(h.store)).length;
    const p3 = pupil('p3', undefined, { name: { given: 'Corrected', family: 'Name' } });
    // One pupil, with a new second contact, and a new pupil; the file says it is partial.
    const correction: MisSnapshot = {
      ...snapshot({ members: [p3, pupil('new1')], contacts: [contact('c-p3'), contact('c-p3b'), contact('c-new1')], links: [link('p3', 'c-p3'), link('p3', 'c-p3b', 1, true, 'Father'), link('new1', 'c-new1')], groups: [{ externalId: 'Y7', name: 'Year 7', kind: 'year', active: true, memberExternalIds: ['new1'] }] }),
      partial: true,
    };
    const r = await h.run(correction);
    expect(r.plan.partial).toBe(true);
    expect(r.counts.leavers).toBe(0);
    const written = after(await allEvents(h.store), before);
    expect(removals(written)).toEqual([]);
    expect(written.map((e) => e.type)).toEqual(expect.arrayContaining(['MemberImported', 'MemberDetailsChanged', 'ContactLinked', 'GroupMembersChanged']));
    expect((await member(h.store, 'p3'))?.name).toEqual({ given: 'Corrected', family: 'Name' });
    expect((await member(h.store, 'p5'))?.enrolment.status).toBe('on-roll');
    const y7 = (await heldOf(h.store)).groups.get(groupIdFor(SCHOOL, 'sims', 'Y7'))!.state;
    expect(y7.status === 'active' && Object.keys(y7.members).length).toBe(5);
    // The run says it was partial.
    expect(written.find((e) => e.type === 'ImportRunStarted')?.data).toMatchObject({ partial: true, massChangeAllowedBy: null });
  });

  it('R-IMP-7 a partial export that lists a pupil as leaving or withdrawn marks no one, and says a full export will', async () => {
    const on = settings({ preAdmissions: true });
    const h = harness();
    await h.run(snapshot({ members: [pupil('p1'), applicant('a1', 'offered', '2026-10-01')] }), on);
    const r = await h.run({ ...snapshot({ members: [pupil('p1', { status: 'leaver', leftOn: '2026-08-31' }), applicant('a1', 'withdrawn', '2026-10-01')] }), partial: true }, on);
    expect(r.counts.leavers).toBe(0);
    expect(r.plan.warnings.map((w) => w.code)).toEqual(['partial-removes-no-one']);
    expect((await member(h.store, 'p1'))?.enrolment.status).toBe('on-roll');
    expect((await member(h.store, 'a1'))?.enrolment.status).toBe('pre-admission');
  });

  it('R-IMP-7 law: for any export and any partial subset of it, importing the subset after the whole marks no leaver, unlinks nothing and removes no group member', async () => {
    const arbSubset = (s: MisSnapshot): fc.Arbitrary<MisSnapshot> =>
      fc
        .tuple(fc.subarray([...s.members]), fc.subarray([...s.contacts]), fc.tuple(...s.groups.map((g) => fc.subarray([...g.memberExternalIds]).map((ms) => ({ ...g, memberExternalIds: ms })))), fc.boolean())
        .map(([members, contacts, groups, keepGroups]) => {
          const m = new Set(members.map((x) => x.externalId));
          const c = new Set(contacts.map((x) => x.externalId));
          return { ...s, members, contacts, links: s.links.filter((l) => m.has(l.memberExternalId) && c.has(l.contactExternalId)), groups: keepGroups ? groups : [], partial: true };
        });
    await fc.assert(
      fc.asyncProperty(
        arbSnapshot.chain((s) => fc.tuple(fc.constant(s), arbSubset(s))),
        arbSettings,
        fc.integer({ min: 0, max: 100 }),
        arbToday,
        async ([whole, subset], s, threshold, today) => {
          const h = harness(memoryStore());
          const set: ImportSettings = { ...s, massChangeThreshold: threshold };
          await h.run(whole, set, today);
          const count = (await allEvents(h.store)).length;
          // The guard never refuses a partial export: it removes no one.
          const r = await h.run(subset, set, today);
          expect(r.plan.massChange.exceeded).toBe(false);
          expect(r.counts.leavers).toBe(0);
          expect(removals(after(await allEvents(h.store), count))).toEqual([]);
        },
      ),
      { numRuns: Number(process.env.LAW_RUNS ?? 300) },
    );
  }, 120_000);
});

describe('R-IMP-7 the mass-change guard', () => {
  const refuse = async (store: EventStore, snap: MisSnapshot, s: ImportSettings = settings(), extra: { allowMassChange?: { by: string }; dryRun?: boolean } = {}) =>
    runImport({ store, clock: simulatedClock('2026-09-02T06:00:00.000Z', 'test'), ids: sequentialIds('guard') }, snap, s, TODAY, { runId: `guard-${Math.random()}`, format: 'test', sourceName: 'test', schoolId: SCHOOL, ...extra });

  it('R-IMP-7 an export that lost most of the school is refused before anything is written, naming the counts, the year groups and how to go ahead', async () => {
    const h = harness();
    const whole = school(20);
    await h.run(whole);
    const events = (await allEvents(h.store)).length;
    const held = entityStates(await heldOf(h.store));
    // 8 of 20 pupils gone (40%): p12..p19, six of them in Year 8... and two in Year 7.
    const r = await refuse(h.store, keeping(whole, (id) => Number(id.slice(1)) < 12));
    if (E.isRight(r) || r.left._tag !== 'MassChangeRefused') throw new Error('expected a refusal');
    expect(r.left.check).toMatchObject({ thresholdPercent: 10, onRoll: 20, leavers: 8, heldPupils: 20, exportPupils: 12, exceeded: true });
    expect(r.left.check.yearGroups).toEqual([
      { groupId: groupIdFor(SCHOOL, 'sims', 'Y7'), name: 'Year 7', leavers: 4 },
      { groupId: groupIdFor(SCHOOL, 'sims', 'Y8'), name: 'Year 8', leavers: 4 },
    ]);
    expect(r.left.message).toMatch(/mark 8 of the 20 members on roll leavers \(40%\)/);
    expect(r.left.message).toMatch(/Most affected: Year 7 \(4\), Year 8 \(4\)/);
    expect(r.left.message).toMatch(/--allow-mass-change --by "Your Name"/);
    expect(r.left.message).toMatch(/Nothing was written/);
    // Byte for byte as it was.
    expect((await allEvents(h.store)).length).toBe(events);
    expect(entityStates(await heldOf(h.store))).toBe(held);
    // A dry run shows the same figures and writes nothing either.
    const dry = await refuse(h.store, keeping(whole, (id) => Number(id.slice(1)) < 12), settings(), { dryRun: true });
    expect(E.isRight(dry) && dry.right.plan.massChange.exceeded).toBe(true);
    expect((await allEvents(h.store)).length).toBe(events);
  });

  it('R-IMP-7 a named person lets it through: recorded on the run and in the reason of every event it writes', async () => {
    const h = harness();
    const whole = school(20);
    await h.run(whole);
    const count = (await allEvents(h.store)).length;
    const r = await refuse(h.store, keeping(whole, (id) => Number(id.slice(1)) < 12), settings(), { allowMassChange: { by: 'J. Smith' } });
    expect(E.isRight(r) && r.right.counts.leavers).toBe(8);
    const written = after(await allEvents(h.store), count);
    expect(written.find((e) => e.type === 'ImportRunStarted')?.data).toMatchObject({ massChangeAllowedBy: 'J. Smith' });
    expect(written.every((e) => e.metadata.reason?.endsWith('mass change allowed by J. Smith'))).toBe(true);
  });

  it('R-IMP-7 at or under the threshold, or at most 5 leavers, the import goes ahead', async () => {
    const small = harness();
    await small.run(school(10));
    // 5 of 10 (50%) but only 5: under the floor.
    expect(E.isRight(await refuse(small.store, keeping(school(10), (id) => Number(id.slice(1)) < 5)))).toBe(true);
    const big = harness();
    await big.run(school(20));
    // 8 of 20 (40%) with the threshold at 50%.
    expect(E.isRight(await refuse(big.store, keeping(school(20), (id) => Number(id.slice(1)) < 12), settings({ massChangeThreshold: 50 })))).toBe(true);
  });

  it('R-IMP-7 unlinking more than the threshold of linked contacts is refused too', async () => {
    const h = harness();
    const whole = school(20);
    await h.run(whole);
    // Every pupil still there, but 7 of the 20 contacts gone from their links.
    const r = await refuse(h.store, { ...whole, links: whole.links.filter((l) => Number(l.memberExternalId.slice(1)) >= 7) });
    if (E.isRight(r) || r.left._tag !== 'MassChangeRefused') throw new Error('expected a refusal');
    expect(r.left.check).toMatchObject({ leavers: 0, linkedContacts: 20, unlinkedContacts: 7, exceeded: true });
    expect(r.left.message).toMatch(/unlink 7 of the 20 linked contacts \(35%\)/);
  });

  it('R-IMP-7 the threshold is an import setting: a settings file outside 0-100% is refused, naming the field', () => {
    expect(E.isRight(parseImportSettings('{"massChangeThreshold": 25}', 's.json'))).toBe(true);
    expect(parseImportSettings('{}', 's.json')).toEqual(E.right(settings()));
    for (const bad of ['150', '-1', '"10"', 'null']) {
      const r = parseImportSettings(`{"massChangeThreshold": ${bad}}`, 's.json');
      expect(E.isLeft(r) && [r.left.field, r.left.message]).toEqual(['massChangeThreshold', 's.json: "massChangeThreshold" must be a percentage from 0 to 100']);
    }
  });
});

describe('R-IMP-2 R-IMP-5 a settings change is not a departure', () => {
  it('R-IMP-5 turning pre-admissions off excludes the held applicants by settings, never as leavers; turning it on again brings them back', async () => {
    const on = settings({ preAdmissions: true });
    const off = settings({ preAdmissions: false });
    const snap = snapshot({ members: [pupil('p1'), applicant('a1', 'offered', '2026-10-01'), applicant('a2', 'accepted', '2026-10-01')] });
    const h = harness();
    await h.run(snap, on);
    const r = await h.run(snap, off);
    expect(r.counts.leavers).toBe(0);
    expect(r.plan.members.map((m) => m.change)).toEqual(['excluded', 'excluded']);
    const a1 = await member(h.store, 'a1');
    expect(a1?.enrolment.status).toBe('pre-admission');
    expect(a1?.excluded?.because).toBe('pre-admissions-off');
    // Held applicants the export no longer lists, with pre-admissions off: the same, not leavers.
    const gone = await h.run(snapshot({ members: [pupil('p1')] }), off);
    expect(gone.counts.leavers).toBe(0);
    const back = await h.run(snap, on);
    expect(back.counts.leavers).toBe(0);
    expect((await member(h.store, 'a1'))?.excluded).toBeNull();
  });

  it('R-IMP-2 an exception added after import excludes the child at once: out of the MIS groups, never a leaver, and deletable', async () => {
    const h = harness();
    const whole = school(4);
    await h.run(whole);
    const r = await h.run(whole, settings({ exceptions: ['p2'] }));
    expect(r.counts.leavers).toBe(0);
    const p2 = await member(h.store, 'p2');
    expect(p2?.excluded?.because).toBe('exception');
    expect(p2?.enrolment.status).toBe('on-roll');
    const y7 = (await heldOf(h.store)).groups.get(groupIdFor(SCHOOL, 'sims', 'Y7'))!.state;
    expect(y7.status === 'active' && Object.keys(y7.members)).toEqual([`member:${mid('p0')}`]);
    // Deletion is open to the excluded (R-DEL-1), through the same workflow as leavers.
    const deps = { store: h.store, clock: simulatedClock('2026-09-02T09:00:00.000Z', 'test'), ids: sequentialIds('delete') };
    const deleted = await deleteLeaver(deps, mid('p2'), { schoolId: SCHOOL, actor: { kind: 'person', name: 'Office' } }, async () => []);
    expect(E.isRight(deleted) && deleted.right.unlinked).toHaveLength(1);
    expect((await member(h.store, 'p2'))?.status).toBe('deleted');
  });

  it('R-IMP-2 parents refusing sharing in the MIS excludes a held pupil the same way', async () => {
    const h = harness();
    await h.run(school(3));
    const r = await h.run(school(3, { members: [pupil('p0'), pupil('p1', undefined, { parentsRefusedSharing: true }), pupil('p2')] }));
    expect(r.counts.leavers).toBe(0);
    expect((await member(h.store, 'p1'))?.excluded?.because).toBe('parents-refused-sharing');
  });

  it('R-IMP-2 a priority no longer imported unlinks those contacts and marks no one a leaver', async () => {
    const both = settings({ contacts: { ...settings().contacts, otherPriorities: { import: true, prime: false } } });
    const snap = snapshot({ members: [pupil('p1')], contacts: [contact('c1'), contact('c2')], links: [link('p1', 'c1'), link('p1', 'c2', 2, false, 'Grandparent')] });
    const h = harness();
    await h.run(snap, both);
    const r = await h.run(snap, settings());
    expect(r.counts.leavers).toBe(0);
    expect(Object.keys((await member(h.store, 'p1'))!.links)).toHaveLength(1);
    expect((await member(h.store, 'p1'))?.excluded).toBeNull();
  });
});

describe('events stored before the guard still read', () => {
  it('R-IMP-7 a run and saved settings of schema version 1 decode with the defaults: not partial, nobody allowed a mass change, the 10% threshold', () => {
    const meta = { occurredAt: '2026-09-01T06:00:00.000Z', actor: { kind: 'import', runId: 'r0' }, reason: null, correlationId: 'r0', causationId: null, schoolId: SCHOOL };
    const { massChangeThreshold: _t, ...oldSettings } = settings();
    const run = decodeEvent({ id: 'a', streamId: 'import-r0', version: 0, position: 1, type: 'ImportRunStarted', schemaVersion: 1, data: { runId: 'r0', format: 'ctf', sourceName: 'x.xml', settings: oldSettings, today: TODAY, firstImport: true }, metadata: meta });
    expect(E.isRight(run) && run.right.data).toMatchObject({ partial: false, massChangeAllowedBy: null, settings: { massChangeThreshold: 10 } });
    const saved = decodeEvent({ id: 'b', streamId: `school-${SCHOOL}`, version: 0, position: 2, type: 'ImportSettingsChanged', schemaVersion: 1, data: { settings: { ...oldSettings, preAdmissions: true } }, metadata: meta });
    expect(E.isRight(saved) && saved.right.data).toEqual({ settings: { ...settings({ preAdmissions: true }) } });
  });
});
