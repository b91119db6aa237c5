/** fast-check arbitraries of tiny MIS snapshots and settings, for the import laws. */
import fc from 'fast-check';
import type { ImportSettings, MisContact, MisGroup, MisLink, MisMember, MisSnapshot, StandardApplicationStatus } from '@contactable/core';

const DATES = ['2026-08-01', '2026-08-31', '2026-09-01', '2026-09-02', '2027-01-01'];
const STATUSES: StandardApplicationStatus[] = ['applied', 'offered', 'accepted', 'admitted', 'reserved', 'rejected', 'withdrawn'];

const arbRoll: fc.Arbitrary<MisMember['roll']> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ status: fc.constant('on-roll' as const), admissionDate: fc.option(fc.constantFrom(...DATES), { nil: null }) }) },
  { weight: 1, arbitrary: fc.record({ status: fc.constant('leaver' as const), leftOn: fc.option(fc.constantFrom(...DATES), { nil: null }) }) },
  {
    weight: 2,
    arbitrary: fc.record({
      status: fc.constant('applicant' as const),
      application: fc.record({ status: fc.constantFrom('Applied', 'Waiting list', 'Custom'), standardStatus: fc.constantFrom(...STATUSES) }),
      intakeAdmissionDate: fc.constantFrom(...DATES),
    }),
  },
);

const arbMember = (i: number): fc.Arbitrary<MisMember> =>
  fc.record({
    externalId: fc.constant(`m${i}`),
    kind: fc.constantFrom('student' as const, 'student' as const, 'staff' as const),
    name: fc.record({ given: fc.constantFrom('Ann', 'Bo'), family: fc.constantFrom('Lee', 'Ng') }),
    misReference: fc.constantFrom(null, `UPN${i}`),
    roll: arbRoll,
    parentsRefusedSharing: fc.boolean().map((b) => b && i === 3),
  });

const arbContact = (i: number): fc.Arbitrary<MisContact> =>
  fc.record({
    externalId: fc.constant(`c${i}`),
    name: fc.record({ given: fc.constantFrom('Cy', 'Di'), family: fc.constantFrom('Lee', 'Ng') }),
    emails: fc.array(fc.record({ value: fc.constantFrom('a@example.org', `c${i}@example.org`, 'broken@', 'B@Example.org'), location: fc.constantFrom('Home', 'Work', 'Other', 'home') }), { maxLength: 2 }),
    phones: fc.array(fc.record({ value: fc.constantFrom('07123 456789', '07123 000111', '0712345678999', '020 7946 0123'), location: fc.constantFrom('Mobile', 'Home', 'Work') }), { maxLength: 2 }),
    // A plain CTF's contacts carry no id of their own (R-LNK-1: identity is then matched by name and address).
    positional: fc.boolean(),
  }).map(({ positional, ...c }) => (positional ? { ...c, positional: true } : c));

/** A snapshot of up to 4 members, 4 contacts, their links and 2 groups. */
export const arbSnapshot: fc.Arbitrary<MisSnapshot> = fc
  .record({
    members: fc.tuple(...[0, 1, 2, 3].map(arbMember)).chain((ms) => fc.subarray(ms)),
    contacts: fc.tuple(...[0, 1, 2, 3].map(arbContact)).chain((cs) => fc.subarray(cs)),
    links: fc.array(fc.record({ m: fc.integer({ min: 0, max: 3 }), c: fc.integer({ min: 0, max: 3 }), priority: fc.integer({ min: 1, max: 3 }), pr: fc.boolean(), relationship: fc.constantFrom('Mother', 'Carer') }), { maxLength: 6 }),
    groups: fc.array(fc.record({ id: fc.constantFrom('g0', 'g1'), active: fc.boolean(), members: fc.subarray(['m0', 'm1', 'm2', 'm3']) }), { maxLength: 2 }),
    permissionFailures: fc.subarray(['members', 'contacts', 'staff', 'groups', 'timetables'] as const, { maxLength: 1 }),
  })
  .map(({ members, contacts, links, groups, permissionFailures }) => {
    const seen = new Set<string>();
    const ls: MisLink[] = links
      .filter((l) => {
        const k = `${l.m}/${l.c}`;
        if (seen.has(k)) return false;
        seen.add(k);
        return true;
      })
      .map((l) => ({ memberExternalId: `m${l.m}`, contactExternalId: `c${l.c}`, relationship: l.relationship, priority: l.priority, parentalResponsibility: l.pr }));
    const gs = new Map<string, MisGroup>();
    for (const g of groups) gs.set(g.id, { externalId: g.id, name: g.id, kind: 'class', active: g.active, memberExternalIds: g.members });
    return {
      source: { system: 'sims', schoolRef: null, schoolName: null, region: 'GB' as const },
      areas: ['contacts', 'groups', 'members', 'staff'] as MisSnapshot['areas'],
      permissionFailures: [...permissionFailures],
      members,
      contacts,
      links: ls,
      groups: [...gs.values()],
    };
  });

/** Any import settings. */
export const arbSettings: fc.Arbitrary<ImportSettings> = fc.record({
  preAdmissions: fc.boolean(),
  groups: fc.constantFrom('all' as const, 'active' as const),
  email: fc.boolean(),
  mobile: fc.boolean(),
  contacts: fc.record({
    priorityOne: fc.record({ import: fc.boolean(), prime: fc.boolean() }),
    otherPriorities: fc.record({ import: fc.boolean(), prime: fc.boolean() }),
    parentalResponsibility: fc.record({ import: fc.boolean(), prime: fc.boolean() }),
  }),
  notifyNewOrChangedDetails: fc.boolean(),
  exceptions: fc.subarray(['m0', 'm2']),
  // Laws about what a sync does run with the mass-change guard open; the guard has its own tests.
  massChangeThreshold: fc.constant(100),
});

/** A date around the fixed intake dates. */
export const arbToday = fc.constantFrom('2026-08-31', '2026-09-01', '2026-09-02');
