/**
 * One person, one contact (R-LNK-1, R-CON-2): records of an export that are the same person become one
 * contact; staff joins and splits stand; consent reaches the person. Examples, then laws.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  contactDecider,
  contactIdFor,
  contactStream,
  emptyHeld,
  groupDecider,
  handleCommand,
  memberDecider,
  memberIdFor,
  memberStream,
  mergeContacts,
  plannedCommandCount,
  planImport,
  sequenceDecider,
  splitContact,
  splitContactId,
  withEvents,
  type ContactRecord,
  type Decider,
  type HeldState,
  type ImportPlan,
  type MemberCommand,
  type MemberRecord,
  type MisContact,
  type MisSnapshot,
  type StoredEvent,
} from '@contactable/core';
import { arbSettings, arbSnapshot, arbToday } from './arbitraries.js';
import { allEvents, applyPure, harness, heldOf, link, pupil, SCHOOL, settings, snapshot, TODAY } from './fixtures.js';

const mid = (ext: string) => memberIdFor(SCHOOL, 'sims', ext);
const cid = (ext: string) => contactIdFor(SCHOOL, 'sims', ext);

/** A contact as a plain CTF lists it under one pupil: no id of its own, only where it stood. */
const listed = (pupilExt: string, order: number, given: string, family: string, email: string | null, mobile: string | null): MisContact => ({
  externalId: `${pupilExt}/contact-${order}`,
  name: { given, family },
  emails: email === null ? [] : [{ value: email, location: 'Home' }],
  phones: mobile === null ? [] : [{ value: mobile, location: 'Mobile' }],
  positional: true,
});

/** Two siblings whose mother is listed under each of them, as a plain CTF does. */
const siblings = (second: Partial<{ email: string | null; mobile: string | null; given: string }> = {}): MisSnapshot =>
  snapshot({
    members: [pupil('ada', undefined, { name: { given: 'Ada', family: 'Okafor' } }), pupil('ben', undefined, { name: { given: 'Ben', family: 'Okafor' } })],
    contacts: [
      listed('ada', 1, 'Ngozi', 'Okafor', 'ngozi@example.org', '07700 900123'),
      listed('ben', 1, second.given ?? 'Mrs NGOZI', 'okafor', second.email === undefined ? 'Ngozi@Example.org' : second.email, second.mobile === undefined ? null : second.mobile),
    ],
    links: [link('ada', 'ada/contact-1'), link('ben', 'ben/contact-1')],
  });

const linksOf = (plan: ImportPlan, memberExt: string): Record<string, unknown> => {
  const p = plan.members.find((m) => m.id === mid(memberExt));
  const sync = p?.command.find((c): c is Extract<MemberCommand, { type: 'SyncLinks' }> => c.type === 'SyncLinks');
  return sync?.links ?? {};
};

describe('R-LNK-1 one person, one contact, from a plain CTF', () => {
  it('R-LNK-1 siblings listing the same mother (same name and email, case and title aside) share one contact', () => {
    const plan = planImport(siblings(), emptyHeld(SCHOOL), settings(), TODAY);
    expect(plan.contacts).toHaveLength(1);
    const [only] = plan.contacts;
    expect(Object.keys(linksOf(plan, 'ada'))).toEqual([only!.id]);
    expect(Object.keys(linksOf(plan, 'ben'))).toEqual([only!.id]);
    expect(plan.identities).toEqual([expect.objectContaining({ contactId: only!.id, memberIds: [mid('ada'), mid('ben')].sort(), records: 2, because: 'same-name-and-email', isNew: true })]);
  });

  it('R-LNK-1 a shared mobile is enough, and the id is the lowest record id whatever the order', () => {
    const plan = planImport(siblings({ email: null, mobile: '+447700900123' }), emptyHeld(SCHOOL), settings(), TODAY);
    expect(plan.contacts.map((c) => c.id)).toEqual([cid('ada/contact-1')]);
    expect(plan.identities[0]!.because).toBe('same-name-and-mobile');
  });

  it('R-LNK-1 the same name with no shared address is two contacts and a possible-duplicate data issue naming both', () => {
    const plan = planImport(siblings({ email: 'other@example.org', mobile: null }), emptyHeld(SCHOOL), settings(), TODAY);
    expect(plan.contacts.map((c) => c.id).sort()).toEqual([cid('ada/contact-1'), cid('ben/contact-1')].sort());
    const flagged = plan.contacts.flatMap((c) => c.command).filter((c) => c.type === 'FlagPossibleDuplicate');
    expect(flagged).toEqual([expect.objectContaining({ sharesDetail: false })]);
    const [first, second] = [cid('ada/contact-1'), cid('ben/contact-1')].sort();
    expect(flagged[0]).toMatchObject({ contactId: second, otherContactId: first });
  });

  it('R-LNK-1 a different name sharing an address is another person (a parent and a grandparent on one family email)', () => {
    const plan = planImport(siblings({ given: 'Grace' }), emptyHeld(SCHOOL), settings(), TODAY);
    expect(plan.contacts).toHaveLength(2);
    expect(plan.contacts.flatMap((c) => c.command).some((c) => c.type === 'FlagPossibleDuplicate')).toBe(false);
  });

  it('R-LNK-1 two records the export gives ids of its own are two people even with one name and email (flagged, sharing a detail)', () => {
    const snap = siblings();
    const explicit: MisSnapshot = {
      ...snap,
      contacts: snap.contacts.map((c, i) => ({ ...c, externalId: `C${i}`, positional: false })),
      links: [link('ada', 'C0'), link('ben', 'C1')],
    };
    const plan = planImport(explicit, emptyHeld(SCHOOL), settings(), TODAY);
    expect(plan.contacts.map((c) => c.id).sort()).toEqual([cid('C0'), cid('C1')].sort());
    expect(plan.contacts.flatMap((c) => c.command).filter((c) => c.type === 'FlagPossibleDuplicate')).toEqual([expect.objectContaining({ sharesDetail: true })]);
  });

  it('R-LNK-1 a record with no id joins the one record with an id that matches it (an export mixing both)', () => {
    const snap = siblings();
    const mixed: MisSnapshot = { ...snap, contacts: [{ ...snap.contacts[0]!, externalId: 'C7', positional: false }, snap.contacts[1]!], links: [link('ada', 'C7'), link('ben', 'ben/contact-1')] };
    const plan = planImport(mixed, emptyHeld(SCHOOL), settings(), TODAY);
    expect(plan.contacts.map((c) => c.id)).toEqual([cid('C7')]);
  });
});

describe('R-LNK-1 R-CON-2 the store: one contact for the person, and consent reaches every pupil', () => {
  it('R-CON-2 an opt-out of the one contact stands for both siblings, and a re-import changes nothing', async () => {
    const h = harness();
    await h.run(siblings());
    const held = await heldOf(h.store);
    const contacts = [...held.contacts.values()].map((s) => s.state as ContactRecord);
    expect(contacts).toHaveLength(1);
    const [c] = contacts;
    expect(c!.sources.map((s) => s.externalId).sort()).toEqual(['ada/contact-1', 'ben/contact-1']);
    const out = await handleCommand(h.deps, contactDecider, contactStream(c!.contactId), { type: 'OptOut', contactId: c!.contactId, via: 'staff' }, { schoolId: SCHOOL, actor: { kind: 'person', name: 'J. Smith' } });
    expect(E.isRight(out)).toBe(true);
    const again = await h.run(siblings());
    expect(again.recorded).toBe(false);
    const after = await heldOf(h.store);
    for (const m of ['ada', 'ben']) expect(Object.keys((after.members.get(mid(m))!.state as MemberRecord).links)).toEqual([c!.contactId]);
    expect((after.contacts.get(c!.contactId)!.state as ContactRecord).optedOut).not.toBeNull();
  });

  it('R-LNK-1 R-CON-2 a store holding one person twice (before matching) is joined by the next import, keeping every consent fact', async () => {
    const h = harness();
    // The old way: each record its own contact.
    const seed = async (ext: string, pupilExt: string, email: string): Promise<string> => {
      const id = cid(ext);
      await handleCommand(h.deps, contactDecider, contactStream(id), { type: 'ImportContact', contactId: id, source: { kind: 'mis', system: 'sims', externalId: ext }, name: { given: 'Ngozi', family: 'Okafor' }, email: { value: email, valid: true, location: 'Home' }, mobile: null }, { schoolId: SCHOOL, actor: { kind: 'import', runId: 'old' } });
      const m = mid(pupilExt);
      await handleCommand(h.deps, memberDecider, memberStream(m), { type: 'ImportMember', memberId: m, source: { kind: 'mis', system: 'sims', externalId: pupilExt }, kind: 'student', name: { given: pupilExt === 'ada' ? 'Ada' : 'Ben', family: 'Okafor' }, misReference: `UPN${pupilExt}`, enrolment: { status: 'on-roll' }, stale: false }, { schoolId: SCHOOL, actor: { kind: 'import', runId: 'old' } });
      await handleCommand(h.deps, memberDecider, memberStream(m), { type: 'SyncLinks', memberId: m, links: { [id]: { relationship: 'Mother', priority: 1 as never, parentalResponsibility: true, prime: true, source: 'mis' } } }, { schoolId: SCHOOL, actor: { kind: 'import', runId: 'old' } });
      return id;
    };
    const a = await seed('ada/contact-1', 'ada', 'ngozi@example.org');
    const b = await seed('ben/contact-1', 'ben', 'ngozi@example.org');
    // The copy under Ben was opted out and had its email blocked: the breach the matching fixes.
    const office = { schoolId: SCHOOL, actor: { kind: 'person' as const, name: 'J. Smith' } };
    await handleCommand(h.deps, contactDecider, contactStream(b), { type: 'OptOut', contactId: b, via: 'staff' }, office);
    for (let i = 0; i < 3; i++) {
      await handleCommand(h.deps, contactDecider, contactStream(b), { type: 'RecordDeliveryFailure', contactId: b, channel: 'email', address: 'ngozi@example.org', permanent: true, detail: null, provider: 'test', feedbackId: `f${i}`, providerMessageId: null, observedAt: `2026-08-0${i + 1}T10:00:00.000Z` }, { schoolId: SCHOOL, actor: { kind: 'provider', provider: 'test', verified: true } });
    }
    const plan = (await h.run(siblings(), settings(), TODAY, { dryRun: true })).plan;
    const [kept, gone] = [a, b].sort() as [string, string];
    expect(plan.identities).toEqual([expect.objectContaining({ contactId: kept, joined: [gone] })]);
    await h.run(siblings());
    const held = await heldOf(h.store);
    const k = held.contacts.get(kept)!.state as ContactRecord;
    const g = held.contacts.get(gone)!.state as ContactRecord;
    expect(g.status).toBe('merged');
    expect(g.mergedInto).toBe(kept);
    expect(k.optedOut).not.toBeNull();
    expect(k.blocks.email?.cause).toBe('permanent-bounce');
    for (const m of ['ada', 'ben']) expect(Object.keys((held.members.get(mid(m))!.state as MemberRecord).links)).toEqual([kept]);
    const merged = (await allEvents(h.store)).filter((e) => e.streamId === contactStream(kept) && ['ContactMerged', 'OptedOut', 'Blocked'].includes(e.type));
    expect(merged.map((e) => e.type)).toEqual(['ContactMerged', 'OptedOut', 'Blocked']);
    expect((await h.run(siblings())).recorded).toBe(false);
  });
});

describe('R-LNK-1 staff decisions win over the sync', () => {
  const office = { schoolId: SCHOOL, actor: { kind: 'person' as const, name: 'J. Smith' }, reason: 'checked with the family' };

  it('R-LNK-1 a split keeps one pupil\'s link on a new contact, and no later sync joins them again', async () => {
    const h = harness();
    await h.run(siblings());
    const person = [...(await heldOf(h.store)).contacts.keys()][0]!;
    const r = await splitContact(h.deps, person, mid('ben'), office);
    expect(E.isRight(r)).toBe(true);
    const fresh = splitContactId(person, mid('ben'));
    const check = async (): Promise<void> => {
      const held = await heldOf(h.store);
      expect(Object.keys((held.members.get(mid('ada'))!.state as MemberRecord).links)).toEqual([person]);
      expect(Object.keys((held.members.get(mid('ben'))!.state as MemberRecord).links)).toEqual([fresh]);
      expect((held.contacts.get(person)!.state as ContactRecord).status).toBe('active');
      expect((held.contacts.get(fresh)!.state as ContactRecord).status).toBe('active');
    };
    await check();
    await h.run(siblings());
    await check();
    expect((await h.run(siblings())).recorded).toBe(false);
    // A split for the same member again changes nothing.
    const twice = await splitContact(h.deps, person, mid('ben'), office);
    expect(E.isRight(twice) && twice.right.recorded).toEqual([]);
  });

  it('R-LNK-1 a staff merge of two people the export holds apart keeps the stricter consent, moves the links, and the next sync keeps it', async () => {
    const h = harness();
    const snap = siblings({ email: 'other@example.org' });
    await h.run(snap);
    const [a, b] = [cid('ada/contact-1'), cid('ben/contact-1')];
    await handleCommand(h.deps, contactDecider, contactStream(b), { type: 'OptOut', contactId: b, via: 'sms-reply' }, office);
    const r = await mergeContacts(h.deps, a, b, [mid('ben')], office);
    expect(E.isRight(r) && r.right.recorded).toEqual(['ContactMerged', 'OptedOut', 'ContactUnlinked', 'ContactLinked', 'ContactMergedInto']);
    await h.run(snap);
    const held = await heldOf(h.store);
    expect((held.contacts.get(a)!.state as ContactRecord).optedOut?.via).toBe('sms-reply');
    expect((held.contacts.get(b)!.state as ContactRecord).status).toBe('merged');
    for (const m of ['ada', 'ben']) expect(Object.keys((held.members.get(mid(m))!.state as MemberRecord).links)).toEqual([a]);
    expect((await h.run(snap)).recorded).toBe(false);
  });

  it('R-LNK-1 merging a contact with itself, with an unknown id, or with one of another school is refused and records nothing', async () => {
    const h = harness();
    await h.run(siblings({ email: 'other@example.org' }));
    const [a, b] = [cid('ada/contact-1'), cid('ben/contact-1')];
    const before = (await allEvents(h.store)).length;
    const self = await mergeContacts(h.deps, a, a, [], office);
    expect(E.isLeft(self) && self.left.message).toMatch(/itself/);
    const unknown = await mergeContacts(h.deps, a, 'no-such-contact', [], office);
    expect(E.isLeft(unknown) && unknown.left.message).toMatch(/not held by this school/);
    const otherSchool = await mergeContacts(h.deps, a, b, [], { ...office, schoolId: 'another-school' });
    expect(E.isLeft(otherSchool) && otherSchool.left.message).toMatch(/not held by this school/);
    expect((await allEvents(h.store)).length).toBe(before);
  });
});


/** The export's members, contacts and links in another order (as another MIS run might list them). */
const arbShuffled = (snap: MisSnapshot): fc.Arbitrary<MisSnapshot> =>
  fc.tuple(fc.shuffledSubarray([...snap.members], { minLength: snap.members.length }), fc.shuffledSubarray([...snap.contacts], { minLength: snap.contacts.length }), fc.shuffledSubarray([...snap.links], { minLength: snap.links.length })).map(
    ([members, contacts, links]) => ({ ...snap, members, contacts, links }),
  );

// Key order in a record of links is the export's order, which the law varies on purpose: compare sorted.
const sortedKeys = (_k: string, v: unknown): unknown =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => (a < b ? -1 : 1))) : v;
const contactsAndLinks = (plan: ImportPlan): string =>
  JSON.stringify(
    {
      contacts: plan.contacts.map((c) => [c.id, c.command]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)),
      links: plan.members.map((m) => [m.id, m.command.filter((c) => c.type === 'SyncLinks')]).sort(([a], [b]) => ((a as string) < (b as string) ? -1 : 1)),
    },
    sortedKeys,
  );

describe('R-LNK-1 laws of identity', () => {
  it('R-LNK-1 the same export in any order gives the same contacts, ids and links', () => {
    fc.assert(
      fc.property(arbSnapshot.chain((s) => fc.tuple(fc.constant(s), arbShuffled(s))), arbSettings, arbToday, ([snap, shuffled], s, today) => {
        expect(contactsAndLinks(planImport(shuffled, emptyHeld(SCHOOL), s, today))).toBe(contactsAndLinks(planImport(snap, emptyHeld(SCHOOL), s, today)));
      }),
      { numRuns: Number(process.env.LAW_RUNS ?? 1000) },
    );
  });

  it('R-LNK-1 a re-import keeps the ids: after one import, the same export in any order plans nothing', () => {
    fc.assert(
      fc.property(arbSnapshot.chain((s) => fc.tuple(fc.constant(s), arbShuffled(s))), arbSettings, arbToday, ([snap, shuffled], s, today) => {
        const held = applyPure(emptyHeld(SCHOOL), planImport(snap, emptyHeld(SCHOOL), s, today));
        expect(plannedCommandCount(planImport(shuffled, held, s, today))).toBe(0);
      }),
      { numRuns: Number(process.env.LAW_RUNS ?? 1000) },
    );
  });

  it('R-LNK-1 R-CON-2 every contact a sync keeps active has at most one record of any one person the export names by name and address', () => {
    fc.assert(
      fc.property(arbSnapshot, arbSettings, arbToday, (snap, s, today) => {
        const held = applyPure(emptyHeld(SCHOOL), planImport(snap, emptyHeld(SCHOOL), s, today));
        // No two active contacts hold the same positional record.
        const owners = new Map<string, string>();
        for (const [id, { state }] of held.contacts) {
          if (state.status !== 'active') continue;
          for (const src of state.sources) {
            expect(owners.get(src.externalId) ?? id).toBe(id);
            owners.set(src.externalId, id);
          }
        }
      }),
      { numRuns: Number(process.env.LAW_RUNS ?? 1000) },
    );
  });
});
