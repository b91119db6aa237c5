/** Collects what a parser reads into one MisSnapshot, refusing duplicate ids. */
import type { DataArea, MisContact, MisGroup, MisLink, MisMember, MisSnapshot, MisSource } from '@contactable/core';
import { failWith, type Where } from './errors.js';

/** A snapshot under construction. */
export class SnapshotBuilder {
  private readonly members = new Map<string, MisMember>();
  private readonly contacts = new Map<string, MisContact>();
  private readonly links: MisLink[] = [];
  private readonly linkKeys = new Set<string>();
  private readonly groups = new Map<string, MisGroup>();
  readonly areas = new Set<DataArea>();
  readonly permissionFailures = new Set<DataArea>();
  /** The export says it holds only some people (a CTF's DocumentQualifier `partial`). */
  partial = false;

  constructor(
    private readonly file: string,
    public source: MisSource,
  ) {}

  /** Adds a member; a second member with the same id is an error. */
  addMember(m: MisMember, where: Where): void {
    if (this.members.has(m.externalId)) failWith('duplicate-id', this.file, where, 'a member with the same id appears earlier in the file');
    this.members.set(m.externalId, m);
  }

  /** True when a member with this id was added. */
  hasMember(externalId: string): boolean {
    return this.members.has(externalId);
  }

  /** Adds a contact; a contact seen before (a sibling's parent) keeps its first details. */
  addContact(c: MisContact): void {
    if (!this.contacts.has(c.externalId)) this.contacts.set(c.externalId, c);
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

  /** The snapshot. */
  build(): MisSnapshot {
    return {
      source: this.source,
      areas: [...this.areas].sort(),
      permissionFailures: [...this.permissionFailures].sort(),
      members: [...this.members.values()],
      contacts: [...this.contacts.values()],
      links: this.links,
      groups: [...this.groups.values()],
      ...(this.partial ? { partial: true } : {}),
    };
  }
}
