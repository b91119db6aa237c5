/**
 * Collects what a parser reads into one MisSnapshot, refusing what would import wrong:
 * duplicate ids, two pupils (or two members of staff) sharing an MIS reference under
 * different ids, one contact id with two different sets of details. Every refusal names
 * the file and both places, never a value.
 */
import type { DataArea, LocatedDetail, MisContact, MisGroup, MisLink, MisMember, MisSnapshot, MisSource } from '@contactable/core';
import { failWith, placeOf, type Where } from './errors.js';
import { TextCleaner } from './limits.js';

const detailsKey = (ds: ReadonlyArray<LocatedDetail>): string =>
  ds
    .map((d) => `${d.location.toLowerCase()}\u0000${d.value}`)
    .sort()
    .join('\u0001');

// Which kinds of detail two records of one contact disagree on (names of the kinds, never values).
const differences = (a: MisContact, b: MisContact): string[] => [
  ...(a.name.given !== b.name.given || a.name.family !== b.name.family ? ['a different name'] : []),
  ...(detailsKey(a.emails) !== detailsKey(b.emails) ? ['different email addresses'] : []),
  ...(detailsKey(a.phones) !== detailsKey(b.phones) ? ['different phone numbers'] : []),
];

/** A snapshot under construction. */
export class SnapshotBuilder {
  private readonly members = new Map<string, MisMember>();
  private readonly references = new Map<string, { readonly externalId: string; readonly file: string; readonly where: Where }>();
  private readonly contacts = new Map<string, MisContact>();
  private readonly contactPlaces = new Map<string, { readonly file: string; readonly where: Where }>();
  private readonly links: MisLink[] = [];
  private readonly linkKeys = new Set<string>();
  private readonly groups = new Map<string, MisGroup>();
  readonly areas = new Set<DataArea>();
  readonly permissionFailures = new Set<DataArea>();
  /** Removes control characters from values, and remembers where for the snapshot's warning. */
  readonly cleaner = new TextCleaner();
  /** The export says it holds only some people (a CTF's DocumentQualifier `partial`). */
  partial = false;

  constructor(
    /** The file being read: errors name it (a parser of several files sets it as it moves on). */
    public file: string,
    public source: MisSource,
  ) {}

  /** Adds a member; a second member with the same id, or another member with the same MIS reference (`referenceField`), is an error. */
  addMember(m: MisMember, where: Where, referenceField?: string): void {
    if (this.members.has(m.externalId)) failWith('duplicate-id', this.file, where, 'a member with the same id appears earlier in the file');
    const reference = m.misReference?.trim().toUpperCase() ?? '';
    if (reference !== '') {
      const key = `${m.kind}\u0000${reference}`;
      const first = this.references.get(key);
      if (first !== undefined && first.externalId !== m.externalId) {
        const who = m.kind === 'student' ? 'pupil' : 'member of staff';
        failWith(
          'duplicate-id',
          this.file,
          { ...where, field: referenceField ?? where.field ?? null },
          `this ${who} has the same ${m.kind === 'student' ? 'UPN' : 'staff code'} as the ${who} at ${placeOf(first.file === this.file ? '' : first.file, first.where)}, under a different id: one of the two records is wrong in the MIS`,
        );
      }
      if (first === undefined) this.references.set(key, { externalId: m.externalId, file: this.file, where });
    }
    this.members.set(m.externalId, m);
  }

  /** True when a member with this id was added. */
  hasMember(externalId: string): boolean {
    return this.members.has(externalId);
  }

  /** Adds a contact; one seen before (a sibling's parent) must come with the same details. */
  addContact(c: MisContact, where: Where): void {
    const held = this.contacts.get(c.externalId);
    if (held === undefined) {
      this.contacts.set(c.externalId, c);
      this.contactPlaces.set(c.externalId, { file: this.file, where });
      return;
    }
    const differ = differences(held, c);
    if (differ.length > 0) {
      const first = this.contactPlaces.get(c.externalId)!;
      failWith(
        'conflicting-duplicate',
        this.file,
        where,
        `this contact id is given at ${placeOf(first.file === this.file ? '' : first.file, first.where)} with ${differ.join(' and ')}: one contact id must hold one set of details (correct it in the MIS)`,
      );
    }
  }

  /** True when a contact with this id was added. */
  hasContact(externalId: string): boolean {
    return this.contacts.has(externalId);
  }

  /** Adds a link; the same member and contact twice is an error. */
  addLink(l: MisLink, where: Where): void {
    const key = `${l.memberExternalId}\u0000${l.contactExternalId}`;
    if (this.linkKeys.has(key)) failWith('duplicate-id', this.file, where, 'the same contact is linked to the same member twice');
    this.linkKeys.add(key);
    this.links.push(l);
  }

  /** Adds a group; a second group with the same id is an error. */
  addGroup(g: MisGroup, where: Where): void {
    if (this.groups.has(g.externalId)) failWith('duplicate-id', this.file, where, 'a group with the same id appears earlier in the file');
    this.groups.set(g.externalId, g);
  }

  /** The group with this id, to add members to. */
  group(externalId: string): MisGroup | undefined {
    return this.groups.get(externalId);
  }

  /** How many students were added. */
  get students(): number {
    let n = 0;
    for (const m of this.members.values()) if (m.kind === 'student') n += 1;
    return n;
  }

  /** The snapshot, with the cleaner's warning when it removed anything. */
  build(): MisSnapshot {
    const warnings = this.cleaner.warnings();
    return {
      source: this.source,
      areas: [...this.areas].sort(),
      permissionFailures: [...this.permissionFailures].sort(),
      members: [...this.members.values()],
      contacts: [...this.contacts.values()],
      links: this.links,
      groups: [...this.groups.values()],
      ...(warnings.length > 0 ? { warnings } : {}),
      ...(this.partial ? { partial: true } : {}),
    };
  }
}
