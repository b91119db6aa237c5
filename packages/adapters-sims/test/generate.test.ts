/** The synthetic school generator. */
import { describe, expect, it } from 'vitest';
import { generateSchool } from '@contactable/adapters-sims';

describe('generateSchool', () => {
  it('is deterministic from its seed', () => {
    expect(JSON.stringify(generateSchool({ seed: 3, pupils: 200, day: 2 }))).toBe(JSON.stringify(generateSchool({ seed: 3, pupils: 200, day: 2 })));
    expect(JSON.stringify(generateSchool({ seed: 3, pupils: 200 }))).not.toBe(JSON.stringify(generateSchool({ seed: 4, pupils: 200 })));
  });

  const { snapshot } = generateSchool({ seed: 'rich', pupils: 2000 });
  it('has the pupils asked for, staff, and siblings sharing parents', () => {
    expect(snapshot.members.filter((m) => m.kind === 'student')).toHaveLength(2000);
    expect(snapshot.members.some((m) => m.kind === 'staff')).toBe(true);
    const byContact = new Map<string, number>();
    for (const l of snapshot.links) byContact.set(l.contactExternalId, (byContact.get(l.contactExternalId) ?? 0) + 1);
    expect([...byContact.values()].some((n) => n > 1)).toBe(true);
  });
  it('has pre-admissions in every status, custom ones too, with past and future intakes', () => {
    const apps = snapshot.members.flatMap((m) => (m.roll.status === 'applicant' ? [m.roll] : []));
    expect(new Set(apps.map((a) => a.application.standardStatus))).toEqual(new Set(['applied', 'offered', 'accepted', 'admitted', 'reserved', 'rejected', 'withdrawn']));
    expect(apps.some((a) => a.application.status === 'Waiting list')).toBe(true);
    expect(apps.some((a) => a.intakeAdmissionDate < '2026-09-01') && apps.some((a) => a.intakeAdmissionDate > '2026-09-01')).toBe(true);
    expect(snapshot.members.some((m) => m.roll.status === 'on-roll' && m.roll.admissionDate !== null && m.roll.admissionDate > '2026-09-01')).toBe(true);
  });
  it('has details at every location, some badly formed, and groups of every kind incl. an inactive one', () => {
    const emails = snapshot.contacts.flatMap((c) => c.emails);
    const phones = snapshot.contacts.flatMap((c) => c.phones);
    expect(new Set(emails.map((e) => e.location))).toEqual(new Set(['Home', 'Work', 'Other']));
    expect(new Set(phones.map((p) => p.location))).toEqual(new Set(['Mobile', 'Home', 'Work']));
    expect(emails.some((e) => !e.value.includes('@'))).toBe(true);
    expect(new Set(snapshot.groups.map((g) => g.kind))).toEqual(new Set(['year', 'class', 'teaching']));
    expect(snapshot.groups.some((g) => !g.active)).toBe(true);
    expect(new Set(snapshot.links.map((l) => l.priority))).toEqual(new Set([1, 2, 3, 4]));
  });
  it('a next day has about 1% churn: leavers, joiners and changed numbers', () => {
    const next = generateSchool({ seed: 'rich', pupils: 2000, day: 1 }).snapshot;
    const before = new Map(snapshot.members.map((m) => [m.externalId, m]));
    const after = new Map(next.members.map((m) => [m.externalId, m]));
    const gone = [...before.keys()].filter((id) => !after.has(id) || (after.get(id)!.roll.status === 'leaver' && before.get(id)!.roll.status !== 'leaver'));
    const joined = [...after.keys()].filter((id) => !before.has(id));
    const contacts = new Map(snapshot.contacts.map((c) => [c.externalId, JSON.stringify(c.phones)]));
    const changed = next.contacts.filter((c) => contacts.has(c.externalId) && contacts.get(c.externalId) !== JSON.stringify(c.phones));
    expect(gone.length).toBeGreaterThan(0);
    expect(joined.length).toBeGreaterThan(0);
    expect(changed.length).toBeGreaterThan(0);
    expect(gone.length + joined.length + changed.length).toBeLessThan(2000 * 0.03);
  });
});
