/** Example tests of the import rules, one or more per rule id. */
import { describe, expect, it } from 'vitest';
import {
  contactDecider,
  contactIdFor,
  contactStream,
  defaultImportSettings,
  describePlan,
  emptyHeld,
  handleCommand,
  memberIdFor,
  planImport,
  type ContactRecord,
  type MemberRecord,
} from '@contactable/core';
import { applicant, contact, eventCount, harness, heldOf, link, pupil, SCHOOL, settings, snapshot, TODAY } from './fixtures.js';

const mid = (ext: string) => memberIdFor(SCHOOL, 'sims', ext);
const cid = (ext: string) => contactIdFor(SCHOOL, 'sims', ext);
const plan = (snap = snapshot(), s = settings(), today = TODAY) => planImport(snap, emptyHeld(SCHOOL), s, today);
const member = async (store: Parameters<typeof heldOf>[0], ext: string) => (await heldOf(store)).members.get(mid(ext))?.state as MemberRecord | undefined;
const contactOf = async (store: Parameters<typeof heldOf>[0], ext: string) => (await heldOf(store)).contacts.get(cid(ext))?.state as ContactRecord | undefined;

const family = snapshot({
  members: [pupil('p1')],
  contacts: [contact('c1'), contact('c2'), contact('c3')],
  links: [link('p1', 'c1', 1, true), link('p1', 'c2', 2, false, 'Grandparent'), link('p1', 'c3', 3, true, 'Father')],
});

describe('R-IMP-1 import is a sync', () => {
  it('R-IMP-1 a second run on unchanged data appends nothing, not even import-run events', async () => {
    const h = harness();
    const first = await h.run(family);
    expect(first.recorded).toBe(true);
    const before = await eventCount(h.store);
    const second = await h.run(family);
    expect(second.recorded).toBe(false);
    expect(second.counts.eventsAppended).toBe(0);
    expect(await eventCount(h.store)).toBe(before);
  });
});

describe('R-IMP-2 import settings', () => {
  it('R-IMP-2 by default imports priority-1 contacts only, all flagged prime', () => {
    const p = plan(family);
    expect(p.contacts.map((c) => c.id)).toEqual([cid('c1')]);
    const links = (p.members[0]!.command[1] as { links: Record<string, { prime: boolean }> }).links;
    expect(Object.keys(links)).toEqual([cid('c1')]);
    expect(links[cid('c1')]!.prime).toBe(true);
  });
  it('R-IMP-2 other priorities come across with their own prime choice', () => {
    const p = plan(family, settings({ contacts: { ...defaultImportSettings.contacts, otherPriorities: { import: true, prime: false } } }));
    const links = (p.members[0]!.command[1] as { links: Record<string, { prime: boolean }> }).links;
    expect(Object.keys(links).sort()).toEqual([cid('c1'), cid('c2'), cid('c3')].sort());
    expect(links[cid('c2')]!.prime).toBe(false);
    expect(links[cid('c1')]!.prime).toBe(true);
  });
  it('R-IMP-2 parental responsibility brings a lower-priority contact across, prime when chosen', () => {
    const p = plan(family, settings({ contacts: { ...defaultImportSettings.contacts, parentalResponsibility: { import: true, prime: true } } }));
    const links = (p.members[0]!.command[1] as { links: Record<string, { prime: boolean }> }).links;
    expect(Object.keys(links).sort()).toEqual([cid('c1'), cid('c3')].sort());
    expect(links[cid('c3')]!.prime).toBe(true);
  });
  it('R-IMP-2 email off and mobile off bring no details', () => {
    const p = plan(family, settings({ email: false, mobile: false }));
    const cmd = p.contacts[0]!.command.find((c) => c.type === 'ImportContact') as unknown as { email: unknown; mobile: unknown };
    expect(cmd.email).toBeNull();
    expect(cmd.mobile).toBeNull();
  });
  it('R-IMP-2 exceptions and refused sharing leave a student out entirely', () => {
    const snap = snapshot({ members: [pupil('p1'), pupil('p2', undefined, { parentsRefusedSharing: true })], contacts: [contact('c1'), contact('c2')], links: [link('p1', 'c1'), link('p2', 'c2')] });
    const p = plan(snap, settings({ exceptions: ['p1'] }));
    expect(p.members).toEqual([]);
    expect(p.contacts).toEqual([]);
    expect(p.skipped.excluded).toBe(2);
  });
  it('R-IMP-2 active groups only skips an inactive group; all groups imports it', () => {
    const snap = snapshot({ members: [pupil('p1')], groups: [{ externalId: 'g1', name: 'Old club', kind: 'teaching', active: false, memberExternalIds: ['p1'] }] });
    expect(plan(snap, settings({ groups: 'active' })).groups).toEqual([]);
    expect(plan(snap, settings({ groups: 'all' })).groups).toHaveLength(1);
  });
  it('R-IMP-2 pre-admissions off imports no applicant', () => {
    expect(plan(snapshot({ members: [applicant('a1', 'accepted', '2026-10-01')] }), settings({ preAdmissions: false })).members).toEqual([]);
  });
});

describe('R-IMP-3 and R-IMP-4 which details come across', () => {
  const details = (emails: Parameters<typeof contact>[1], phones: Parameters<typeof contact>[2]) => {
    const p = plan(snapshot({ members: [pupil('p1')], contacts: [contact('c1', emails, phones)], links: [link('p1', 'c1')] }));
    return p.contacts[0]!.command.find((c) => c.type === 'ImportContact') as unknown as { email: { value: string; location: string } | null; mobile: { value: string; location: string } | null };
  };
  it('R-IMP-3 imports an email only at Home or Work', () => {
    expect(details([{ value: 'o@example.org', location: 'Other' }], []).email).toBeNull();
    expect(details([{ value: 'o@example.org', location: 'Other' }, { value: 'w@example.org', location: 'Work' }], []).email?.value).toBe('w@example.org');
    expect(details([{ value: 'h@example.org', location: 'home' }], []).email).toMatchObject({ value: 'h@example.org', location: 'Home' });
  });
  it('R-IMP-4 imports a mobile only at the Mobile location', () => {
    expect(details([], [{ value: '07123 456789', location: 'Home' }]).mobile).toBeNull();
    expect(details([], [{ value: '07123 456789', location: 'Work' }, { value: '07123 456780', location: 'Mobile' }]).mobile).toMatchObject({ value: '+447123456780', location: 'Mobile' });
  });
  it('R-CON-1 a badly formed email or mobile is kept, marked invalid, and listed as an issue', () => {
    const p = plan(snapshot({ members: [pupil('p1')], contacts: [contact('c1', [{ value: 'not-an-address', location: 'Home' }], [{ value: '0712345678901234', location: 'Mobile' }])], links: [link('p1', 'c1')] }));
    const cmd = p.contacts[0]!.command.find((c) => c.type === 'ImportContact') as unknown as { email: { valid: boolean }; mobile: { valid: boolean } };
    expect(cmd.email.valid).toBe(false);
    expect(cmd.mobile.valid).toBe(false);
    expect(p.issues.invalidEmails).toEqual([cid('c1')]);
    expect(p.issues.invalidMobiles).toEqual([cid('c1')]);
  });
  it('R-CON-1 a well-formed detail is preferred to a badly formed one at an importable location', () => {
    expect(details([{ value: 'bad', location: 'Home' }, { value: 'good@example.org', location: 'Work' }], []).email?.value).toBe('good@example.org');
  });
});

describe('R-IMP-5 pre-admissions', () => {
  const on = settings({ preAdmissions: true });
  for (const s of ['applied', 'offered', 'accepted', 'admitted', 'reserved'] as const) {
    it(`R-IMP-5 imports a pre-admission whose status is ${s} and whose intake is in the future`, () => {
      const p = plan(snapshot({ members: [applicant('a1', s, '2026-09-02')] }), on);
      expect(p.members).toHaveLength(1);
      expect((p.members[0]!.command[0] as { enrolment: unknown }).enrolment).toEqual({ status: 'pre-admission', applicationStatus: s, admissionDate: '2026-09-02' });
    });
  }
  for (const s of ['rejected', 'withdrawn'] as const) {
    it(`R-IMP-5 never imports a ${s} application`, () => {
      const p = plan(snapshot({ members: [applicant('a1', s, '2026-12-01')] }), on);
      expect(p.members).toEqual([]);
      expect(p.skipped['application-closed']).toBe(1);
    });
  }
  it('R-IMP-5 a custom status counts as the standard status it is linked to', () => {
    expect(plan(snapshot({ members: [applicant('a1', 'offered', '2026-12-01', 'Waiting list')] }), on).members).toHaveLength(1);
    expect(plan(snapshot({ members: [applicant('a1', 'withdrawn', '2026-12-01', 'Declined place')] }), on).members).toEqual([]);
  });
  it('R-IMP-5 a new pre-admission whose intake date is today or past is not imported', () => {
    expect(plan(snapshot({ members: [applicant('a1', 'accepted', TODAY)] }), on).members).toEqual([]);
    expect(plan(snapshot({ members: [applicant('a1', 'accepted', '2026-08-31')] }), on).members).toEqual([]);
  });
  it('R-IMP-5 a pupil entered directly with a future admission date is not imported until that date', async () => {
    const snap = snapshot({ members: [pupil('p1', { status: 'on-roll', admissionDate: '2026-09-10' })] });
    const h = harness();
    await h.run(snap, settings(), TODAY);
    expect(await member(h.store, 'p1')).toBeUndefined();
    await h.run(snap, settings(), '2026-09-10');
    expect((await member(h.store, 'p1'))?.enrolment).toEqual({ status: 'on-roll' });
  });
});

describe('R-IMP-6 stale pre-admissions', () => {
  it('R-IMP-6 a held pre-admission is still imported after its intake date, and flagged once the date has passed', async () => {
    const on = settings({ preAdmissions: true });
    const snap = snapshot({ members: [applicant('a1', 'accepted', '2026-09-05')] });
    const h = harness();
    await h.run(snap, on, TODAY);
    expect((await member(h.store, 'a1'))?.staleSince).toBeNull();
    const onTheDay = await h.run(snap, on, '2026-09-05');
    expect(onTheDay.plan.issues.stalePreAdmissions).toEqual([]);
    const after = await h.run(snap, on, '2026-09-06');
    expect(after.plan.issues.stalePreAdmissions).toEqual([mid('a1')]);
    expect((await member(h.store, 'a1'))?.staleSince).toBe('2026-09-05');
    expect((await member(h.store, 'a1'))?.enrolment.status).toBe('pre-admission');
    const again = await h.run(snap, on, '2026-09-07');
    expect(again.counts.eventsAppended).toBe(0);
  });
});

describe('R-IMP-7 leavers', () => {
  it('R-IMP-7 a member no longer in the export is marked a leaver and nothing is deleted', async () => {
    const h = harness();
    await h.run(family);
    const r = await h.run(snapshot({ contacts: family.contacts }));
    expect(r.counts.leavers).toBe(1);
    const m = await member(h.store, 'p1');
    expect(m?.status).toBe('active');
    expect(m?.enrolment).toEqual({ status: 'leaver', leftOn: null });
    expect(Object.keys(m!.links)).toEqual([cid('c1')]);
    expect((await contactOf(h.store, 'c1'))?.status).toBe('active');
  });
  it('R-IMP-7 a leaver in the export is marked with the leaving date; one never held is not brought in', async () => {
    const h = harness();
    await h.run(family);
    const r = await h.run(snapshot({ members: [pupil('p1', { status: 'leaver', leftOn: '2026-08-30' }), pupil('p9', { status: 'leaver', leftOn: '2026-07-01' })] }));
    expect(r.plan.skipped['leaver-not-held']).toBe(1);
    expect((await member(h.store, 'p1'))?.enrolment).toEqual({ status: 'leaver', leftOn: '2026-08-30' });
    expect(await member(h.store, 'p9')).toBeUndefined();
  });
  it('R-IMP-7 a withdrawn pre-admission that was held becomes a leaver', async () => {
    const on = settings({ preAdmissions: true });
    const h = harness();
    await h.run(snapshot({ members: [applicant('a1', 'offered', '2026-10-01')] }), on);
    await h.run(snapshot({ members: [applicant('a1', 'withdrawn', '2026-10-01')] }), on);
    expect((await member(h.store, 'a1'))?.enrolment.status).toBe('leaver');
  });
});

describe('R-IMP-8 and R-IMP-9 the MIS is the source of truth', () => {
  it('R-IMP-8 a sync overwrites a changed MIS value', async () => {
    const h = harness();
    await h.run(family);
    await h.run(snapshot({ ...family, contacts: [contact('c1', [{ value: 'new@example.org', location: 'Home' }])] }));
    expect((await contactOf(h.store, 'c1'))?.email?.value).toBe('new@example.org');
  });
  it('R-IMP-9 a local edit is overwritten by the next sync and recorded as such', async () => {
    const h = harness();
    await h.run(family);
    await handleCommand(h.deps, contactDecider, contactStream(cid('c1')), { type: 'EditContact', contactId: cid('c1'), email: { value: 'local@example.org', valid: true, location: 'Home' } }, { schoolId: SCHOOL, actor: { kind: 'person', name: 'Office' } });
    const r = await h.run(family);
    expect(r.counts.contactsChanged).toBe(1);
    const c = await contactOf(h.store, 'c1');
    expect(c?.email?.value).toBe('c1@example.org');
    expect(c?.overwritten.email?.value?.value).toBe('local@example.org');
  });
});

describe('R-IMP-10 permission failures', () => {
  it('R-IMP-10 names the permission group of each failed area, and the rest still imports', () => {
    const p = plan(snapshot({ ...family, permissionFailures: ['staff', 'groups', 'timetables', 'contacts'] }));
    expect(p.permissionFailures).toEqual([
      { area: 'contacts', permissionGroup: 'Admissions officer' },
      { area: 'groups', permissionGroup: 'Class teacher or Pastoral manager' },
      { area: 'staff', permissionGroup: 'Personnel officer' },
      { area: 'timetables', permissionGroup: 'Third party reporter' },
    ]);
    expect(p.members).toHaveLength(1);
    expect(p.contacts).toEqual([]);
    expect(p.members[0]!.command).toHaveLength(1);
  });
  it('R-IMP-10 a staff permission failure keeps staff in their groups', async () => {
    const staff = pupil('t1', undefined, { kind: 'staff' });
    const groups = [{ externalId: 'g1', name: '7A', kind: 'class', active: true, memberExternalIds: ['p1', 't1'] }];
    const h = harness();
    await h.run(snapshot({ ...family, members: [pupil('p1'), staff], groups }));
    const r = await h.run(snapshot({ ...family, members: [pupil('p1')], groups: [{ ...groups[0]!, memberExternalIds: ['p1'] }], permissionFailures: ['staff'] }));
    expect(r.plan.groups).toEqual([]);
    expect(r.counts.leavers).toBe(0);
  });
  it('R-IMP-10 a members permission failure marks no one a leaver', async () => {
    const h = harness();
    await h.run(family);
    const r = await h.run(snapshot({ permissionFailures: ['members'] }));
    expect(r.counts.leavers).toBe(0);
    expect((await member(h.store, 'p1'))?.enrolment.status).toBe('on-roll');
    expect(r.recorded).toBe(true);
  });
});

describe('R-IMP-11 mixed sources', () => {
  it('R-IMP-11 warns when an MIS contact shares an email with an address-book contact', async () => {
    const h = harness();
    await handleCommand(h.deps, contactDecider, contactStream('ab-1'), { type: 'AddContact', contactId: 'ab-1', name: { given: 'A', family: 'B' }, email: { value: 'c1@example.org', valid: true, location: 'Home' }, mobile: null }, { schoolId: SCHOOL, actor: { kind: 'person', name: 'Office' } });
    const r = await h.run(family);
    expect(r.plan.warnings.map((w) => w.code)).toEqual(['mixed-sources']);
    expect(r.plan.warnings[0]!.message).toContain('ab-1');
    expect(r.plan.warnings[0]!.message).not.toContain('c1@example.org');
  });
});

describe('R-IMP-12 targeted refresh', () => {
  it('R-IMP-12 plans for one member (and the contacts it links) only', async () => {
    const snap = snapshot({ members: [pupil('p1'), pupil('p2')], contacts: [contact('c1'), contact('c2')], links: [link('p1', 'c1'), link('p2', 'c2')] });
    const h = harness();
    const r = await h.run(snap, settings(), TODAY, { only: { member: 'p2' } });
    expect(r.plan.members.map((m) => m.id)).toEqual([mid('p2')]);
    expect(r.plan.contacts.map((c) => c.id)).toEqual([cid('c2')]);
    expect(await member(h.store, 'p1')).toBeUndefined();
  });
  it('R-IMP-12 plans for one contact only', () => {
    const snap = snapshot({ members: [pupil('p1')], contacts: [contact('c1')], links: [link('p1', 'c1')] });
    const p = planImport(snap, emptyHeld(SCHOOL), settings(), TODAY, { only: { contact: 'c1' } });
    expect(p.members).toEqual([]);
    expect(p.contacts.map((c) => c.id)).toEqual([cid('c1')]);
  });
});

describe('R-CON-8, R-CON-10, R-LNK-4', () => {
  it('R-CON-8 a new number from the MIS lapses a text-failure block', async () => {
    const h = harness();
    await h.run(family);
    const stream = contactStream(cid('c1'));
    for (let i = 0; i < 3; i++) {
      await handleCommand(h.deps, contactDecider, stream, { type: 'RecordDeliveryFailure', contactId: cid('c1'), channel: 'sms', address: '+447123456789', permanent: true, detail: null, provider: 't', feedbackId: `f${i}`, providerMessageId: null, observedAt: `2026-09-01T10:0${i}:00.000Z` }, { schoolId: SCHOOL, actor: { kind: 'provider', provider: 't', verified: true } });
    }
    expect((await contactOf(h.store, 'c1'))?.blocks.sms?.cause).toBe('text-delivery-failure');
    await h.run(snapshot({ ...family, contacts: [contact('c1', undefined, [{ value: '07123 000111', location: 'Mobile' }])] }));
    expect((await contactOf(h.store, 'c1'))?.blocks.sms).toBeNull();
  });
  it('R-CON-10 confirmations go to new or changed details only when notify is on and not on the first import', async () => {
    const notify = settings({ notifyNewOrChangedDetails: true });
    const h = harness();
    const first = await h.run(family, notify);
    expect(first.plan.confirmations).toEqual([]);
    const second = await h.run(snapshot({ ...family, contacts: [contact('c1', undefined, [{ value: '07123 000111', location: 'Mobile' }])] }), notify);
    expect(second.plan.confirmations).toEqual([{ contactId: cid('c1'), channel: 'sms', address: '+447123000111' }]);
    const off = await h.run(snapshot({ ...family, contacts: [contact('c1', [{ value: 'x@example.org', location: 'Home' }], [{ value: '07123 000111', location: 'Mobile' }])] }), settings());
    expect(off.plan.confirmations).toEqual([]);
  });
  it('R-LNK-4 a pre-admission whose contact has the same email and mobile as an existing parent links to that parent', async () => {
    const on = settings({ preAdmissions: true });
    const h = harness();
    await h.run(family, on);
    const dup = { ...contact('c9'), emails: [{ value: 'C1@example.org', location: 'Home' }] };
    const r = await h.run(snapshot({ ...family, members: [pupil('p1'), applicant('a1', 'applied', '2027-09-01')], contacts: [...family.contacts, dup], links: [...family.links, link('a1', 'c9')] }), on);
    expect(r.plan.linkedToExistingParent).toBe(1);
    expect(Object.keys((await member(h.store, 'a1'))!.links)).toEqual([cid('c1')]);
    expect(await contactOf(h.store, 'c9')).toBeUndefined();
  });
  it('R-LNK-4 does not link when only the email matches', () => {
    const dup = { ...contact('c9'), phones: [{ value: '07123 999999', location: 'Mobile' }], emails: [{ value: 'c1@example.org', location: 'Home' }] };
    const p = plan(snapshot({ ...family, members: [pupil('p1'), applicant('a1', 'applied', '2027-09-01')], contacts: [...family.contacts, dup], links: [...family.links, link('a1', 'c9')] }), settings({ preAdmissions: true }));
    expect(p.linkedToExistingParent).toBe(0);
  });
});

describe('describePlan', () => {
  it('summarises counts and ids, with no personal values', () => {
    const text = describePlan(plan(family));
    expect(text).toContain('Members: 1 added');
    expect(text).toContain('Contacts: 1 added');
    expect(text).not.toContain('c1@example.org');
    expect(text).not.toContain('Familyp1');
  });
});
