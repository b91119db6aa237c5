/**
 * The read side as every caller uses it (CLI, console, embedding services): one async port, so the
 * answers can come from a fold kept in memory or from read-model tables kept in a store. Everything an
 * office reads names people (names and MIS references beside the ids), and lists come sorted by name.
 */
import {
  nameSortKey,
  normaliseMobile,
  normaliseNameText,
  normalisedName,
  usableMethods,
  type BlockCause,
  type Channel,
  type ContactId,
  type DataIssueFilter,
  type Detail,
  type GroupId,
  type GroupRecord,
  type LocalDate,
  type MemberId,
  type PersonName,
  type SchoolState,
} from '@contactable/core';
import { asContactState, type ContactView } from './contactView.js';
import { dashboard, type DashboardView } from './dashboard.js';
import { dataIssues, savedFilters, type SavedFilter } from './dataIssues.js';
import { contactsByEmail, contactsByMobile, membersOfContact } from './indexes.js';
import { byString } from './json.js';
import { leavers, type LeaversView } from './leavers.js';
import { linkedPeople, type LinkedPeopleView } from './linkedPeople.js';
import { memberSummary, type MemberSummary } from './members.js';
import { rollStatusOf, type RollStatus } from './memberView.js';
import type { DataIssue, Projection, StaffAccount } from './state.js';

/** Which members to list. */
export interface MemberFilter {
  readonly kind?: MemberSummary['kind'];
  readonly roll?: RollStatus['status'];
  /** Part of a name (any order of words, accents and case ignored) or the start of an MIS reference. */
  readonly search?: string;
  /** At most this many (after sorting). */
  readonly limit?: number;
}

/** A member linked to a contact, as a contact's page lists them. */
export interface LinkedMember {
  readonly memberId: MemberId;
  readonly name: PersonName;
  readonly misReference: string | null;
  readonly relationship: string;
  readonly prime: boolean;
  readonly parentalResponsibility: boolean;
}

/** A contact as the office sees it, with the members linked to it. */
export interface ContactSummary {
  readonly contactId: ContactId;
  readonly status: ContactView['status'];
  readonly source: ContactView['source'];
  /** The export's own ids for this person (MIS contact id, OneRoster sourcedId). */
  readonly sourceIds: ReadonlyArray<string>;
  readonly name: PersonName;
  readonly email: Detail | null;
  readonly mobile: Detail | null;
  readonly usableMethods: ReadonlyArray<Channel>;
  readonly optedOut: boolean;
  readonly blocked: { readonly email: BlockCause | null; readonly sms: BlockCause | null };
  readonly members: ReadonlyArray<LinkedMember>;
}

/** A data issue with the people it names, for an office that reads names, not ids. */
export interface DataIssueRow extends DataIssue {
  readonly memberName: string | null;
  readonly misReference: string | null;
  readonly contactName: string | null;
  /** The other contact's name, for a possible duplicate. */
  readonly relatedContactName: string | null;
}

/** A group in a list. */
export interface GroupSummary {
  readonly groupId: GroupId;
  readonly name: string;
  /** The MIS's kind (class, year, teaching...) or `own` for a group made by hand. */
  readonly kind: string;
  readonly source: 'mis' | 'address-book';
  readonly active: boolean;
  readonly status: GroupRecord['status'];
  readonly size: number;
}

/** Someone in a group. */
export interface GroupPerson {
  readonly kind: 'member' | 'contact';
  readonly id: string;
  /** Null when the group names someone the school no longer holds. */
  readonly name: PersonName | null;
  readonly misReference: string | null;
}

/** A group with its people, sorted by name. */
export interface GroupView extends GroupSummary {
  readonly people: ReadonlyArray<GroupPerson>;
}

/** How a look-up matched. */
export type FoundBy = 'id' | 'mis-reference' | 'source-id' | 'email' | 'mobile' | 'name';

/** One candidate of a look-up and how it matched. */
export interface Found<T> {
  readonly by: FoundBy;
  readonly value: T;
}

/** The read side. Every method answers for one school as of the views' position. */
export interface Views {
  /** The log position the views have taken in. */
  readonly position: () => Promise<number>;
  /** Members matching a filter, sorted by family name, given name, then id. */
  readonly members: (filter?: MemberFilter) => Promise<ReadonlyArray<MemberSummary>>;
  /** One member, or null when not held. */
  readonly member: (memberId: MemberId) => Promise<MemberSummary | null>;
  /** A member's linked people (R-LNK-1), or null when the member is not held. */
  readonly linkedPeople: (memberId: MemberId) => Promise<LinkedPeopleView | null>;
  /** One contact with the members linked to it, or null when not held. */
  readonly contact: (contactId: ContactId) => Promise<ContactSummary | null>;
  /** The active contacts holding an email address or a mobile number (what a callback or an office is about). */
  readonly contactsHolding: (channel: Channel, address: string) => Promise<ReadonlyArray<ContactId>>;
  /** The members linked to a contact. */
  readonly membersOf: (contactId: ContactId) => Promise<ReadonlyArray<MemberId>>;
  /** The dashboard for the 7 days ending `today` (R-DSH-1, R-DSH-2). */
  readonly dashboard: (today: LocalDate) => Promise<DashboardView>;
  /** Open data issues matching a filter, oldest first, with names (R-DSH-3). */
  readonly dataIssues: (filter?: DataIssueFilter) => Promise<ReadonlyArray<DataIssueRow>>;
  /** The filters saved on the school stream, by name. */
  readonly savedFilters: () => Promise<ReadonlyArray<SavedFilter>>;
  /** Leavers awaiting deletion and deleted people awaiting anonymisation (R-DEL-1, R-DEL-2). */
  readonly leavers: (today: LocalDate) => Promise<LeaversView>;
  /** Groups (deleted ones left out), sorted by name. */
  readonly groups: () => Promise<ReadonlyArray<GroupSummary>>;
  /** One group with its people, or null when not held. */
  readonly group: (groupId: GroupId) => Promise<GroupView | null>;
  /** Members a person might mean: by id, MIS reference, the export's id, or exact name (best kind of match only). */
  readonly findMembers: (text: string) => Promise<ReadonlyArray<Found<MemberSummary>>>;
  /** Contacts a person might mean: by id, email, mobile, the export's id, or exact name (best kind of match only). */
  readonly findContacts: (text: string) => Promise<ReadonlyArray<Found<ContactSummary>>>;
  /** Groups a person might mean: by id or name (case and spacing ignored). */
  readonly findGroups: (text: string) => Promise<ReadonlyArray<Found<GroupSummary>>>;
  /** The school's import settings and saved filters. */
  readonly school: () => Promise<SchoolState>;
  /** The school's active staff accounts (who may sign in to the console), sorted by name; never a password hash. */
  readonly staff: () => Promise<ReadonlyArray<StaffAccount>>;
  /** The active staff account with this id or email address (case ignored), or null. */
  readonly staffAccount: (idOrEmail: string) => Promise<StaffAccount | null>;
}

const fullName = (n: PersonName): string => `${n.given} ${n.family}`.trim();

const byName = <T>(nameOf: (t: T) => PersonName, idOf: (t: T) => string) => (a: T, b: T): number =>
  byString(nameSortKey(nameOf(a)), nameSortKey(nameOf(b))) || byString(idOf(a), idOf(b));

/** A member matches a search when every word of it is in the name, or it starts the MIS reference. */
const matchesSearch = (m: MemberSummary, search: string): boolean => {
  const ref = search.trim().toLowerCase();
  if (ref !== '' && m.misReference !== null && m.misReference.toLowerCase().startsWith(ref)) return true;
  const wanted = normaliseNameText(search).split(' ').filter((w) => w !== '');
  if (wanted.length === 0) return false;
  const have = normalisedName(m.name).split(' ');
  return wanted.every((w) => have.some((h) => h.startsWith(w)));
};

const contactSummaryOf = (p: Projection, v: ContactView): ContactSummary => ({
  contactId: v.contactId,
  status: v.status,
  source: v.source,
  sourceIds: v.sourceIds,
  name: v.name,
  email: v.email,
  mobile: v.mobile,
  usableMethods: usableMethods(asContactState(v)),
  optedOut: v.optedOut !== null,
  blocked: { email: v.blocks.email?.cause ?? null, sms: v.blocks.sms?.cause ?? null },
  members: membersOfContact(p, v.contactId)
    .flatMap((memberId): LinkedMember[] => {
      const m = p.members.get(memberId)?.record;
      const link = m?.links[v.contactId];
      return m === undefined || link === undefined
        ? []
        : [{ memberId, name: m.name, misReference: m.misReference, relationship: link.relationship, prime: link.prime, parentalResponsibility: link.parentalResponsibility }];
    })
    .sort(byName((l) => l.name, (l) => l.memberId)),
});

const groupSummaryOf = (g: GroupRecord): GroupSummary => ({
  groupId: g.groupId,
  name: g.name,
  kind: g.source.kind === 'mis' ? g.groupKind : 'own',
  source: g.source.kind,
  active: g.active,
  status: g.status,
  size: Object.keys(g.members).length,
});

const sameText = (a: string, b: string): boolean => a.trim().toLowerCase() === b.trim().toLowerCase();

/**
 * The first kind of match, in this order, that finds anyone: a look-up by a reference never
 * mixes in people who merely share a name.
 */
const firstTier = <T>(tiers: ReadonlyArray<readonly [FoundBy, () => ReadonlyArray<T>]>): ReadonlyArray<Found<T>> => {
  for (const [by, find] of tiers) {
    const found = find();
    if (found.length > 0) return found.map((value) => ({ by, value }));
  }
  return [];
};

/** Views over a projection held in memory; `refresh` (e.g. a catch-up with the store) runs before each answer. */
export const projectionViews = (p: Projection, refresh: () => Promise<void> = async () => undefined): Views => {
  const fresh = async <T>(answer: () => T): Promise<T> => {
    await refresh();
    return answer();
  };
  const members = (filter: MemberFilter = {}): ReadonlyArray<MemberSummary> => {
    const out: MemberSummary[] = [];
    for (const { record } of p.members.values()) {
      if (filter.kind !== undefined && record.kind !== filter.kind) continue;
      const s = memberSummary(record);
      if (filter.roll !== undefined && rollStatusOf(record).status !== filter.roll) continue;
      if (filter.search !== undefined && !matchesSearch(s, filter.search)) continue;
      out.push(s);
    }
    out.sort(byName((m) => m.name, (m) => m.memberId));
    return filter.limit === undefined ? out : out.slice(0, filter.limit);
  };
  const contact = (contactId: ContactId): ContactSummary | null => {
    const v = p.contacts.get(contactId)?.view;
    return v === undefined ? null : contactSummaryOf(p, v);
  };
  const named = (memberId: MemberId | null): { name: string | null; misReference: string | null } => {
    const m = memberId === null ? undefined : p.members.get(memberId)?.record;
    return m === undefined ? { name: null, misReference: null } : { name: fullName(m.name), misReference: m.misReference };
  };
  const group = (g: GroupRecord): GroupView => ({
    ...groupSummaryOf(g),
    people: Object.values(g.members)
      .map((r): GroupPerson => {
        if (r.kind === 'member') {
          const m = p.members.get(r.id)?.record;
          return { kind: 'member', id: r.id, name: m?.name ?? null, misReference: m?.misReference ?? null };
        }
        const c = p.contacts.get(r.id)?.view;
        return { kind: 'contact', id: r.id, name: c?.name ?? null, misReference: null };
      })
      .sort(byName((x) => x.name ?? { given: '', family: '' }, (x) => x.id)),
  });
  return {
    position: () => fresh(() => p.position),
    members: (filter) => fresh(() => members(filter)),
    member: (memberId) =>
      fresh(() => {
        const m = p.members.get(memberId)?.record;
        return m === undefined ? null : memberSummary(m);
      }),
    linkedPeople: (memberId) => fresh(() => linkedPeople(p, memberId)),
    contact: (contactId) => fresh(() => contact(contactId)),
    contactsHolding: (channel, address) => fresh(() => (channel === 'email' ? contactsByEmail(p, address) : contactsByMobile(p, address))),
    membersOf: (contactId) => fresh(() => membersOfContact(p, contactId)),
    dashboard: (today) => fresh(() => dashboard(p, today)),
    dataIssues: (filter) =>
      fresh(() =>
        dataIssues(p, filter).map((i): DataIssueRow => {
          const m = named(i.memberId);
          const c = i.contactId === null ? undefined : p.contacts.get(i.contactId)?.view;
          const r = i.relatedContactId === null ? undefined : p.contacts.get(i.relatedContactId)?.view;
          return { ...i, memberName: m.name, misReference: m.misReference, contactName: c === undefined ? null : fullName(c.name), relatedContactName: r === undefined ? null : fullName(r.name) };
        }),
      ),
    savedFilters: () => fresh(() => savedFilters(p)),
    leavers: (today) => fresh(() => leavers(p, today)),
    groups: () =>
      fresh(() =>
        [...p.groups.values()]
          .filter((g) => g.status === 'active')
          .map(groupSummaryOf)
          .sort((a, b) => byString(a.name.toLowerCase(), b.name.toLowerCase()) || byString(a.groupId, b.groupId)),
      ),
    group: (groupId) =>
      fresh(() => {
        const g = p.groups.get(groupId);
        return g === undefined ? null : group(g);
      }),
    findMembers: (text) =>
      fresh(() => {
        const all = (): MemberSummary[] => [...p.members.values()].map((e) => memberSummary(e.record));
        const wanted = normaliseNameText(text);
        return firstTier<MemberSummary>([
          ['id', () => { const m = p.members.get(text.trim())?.record; return m === undefined ? [] : [memberSummary(m)]; }],
          ['mis-reference', () => all().filter((m) => m.misReference !== null && sameText(m.misReference, text))],
          ['source-id', () => [...p.members.values()].filter((e) => e.record.source.kind === 'mis' && e.record.source.externalId === text.trim()).map((e) => memberSummary(e.record))],
          ['name', () => (wanted === '' ? [] : all().filter((m) => normalisedName(m.name) === wanted))],
        ]).slice().sort((a, b) => byName<Found<MemberSummary>>((f) => f.value.name, (f) => f.value.memberId)(a, b));
      }),
    findContacts: (text) =>
      fresh(() => {
        const t = text.trim();
        const views = (): ContactView[] => [...p.contacts.values()].flatMap((e) => (e.view === undefined ? [] : [e.view]));
        const ofIds = (ids: ReadonlyArray<ContactId>): ContactSummary[] => ids.flatMap((id) => { const c = contact(id); return c === null ? [] : [c]; });
        const wanted = normaliseNameText(t);
        const looksLikeNumber = /^[+\d][\d\s()-]{5,}$/.test(t);
        return firstTier<ContactSummary>([
          ['id', () => ofIds(p.contacts.get(t)?.view === undefined ? [] : [t])],
          ['email', () => (t.includes('@') ? ofIds(contactsByEmail(p, t)) : [])],
          ['mobile', () => (looksLikeNumber && normaliseMobile(t) !== null ? ofIds(contactsByMobile(p, t)) : [])],
          ['source-id', () => views().filter((v) => v.sourceIds.includes(t)).map((v) => contactSummaryOf(p, v))],
          ['name', () => (wanted === '' ? [] : views().filter((v) => v.status === 'active' && normalisedName(v.name) === wanted).map((v) => contactSummaryOf(p, v)))],
        ]).slice().sort((a, b) => byName<Found<ContactSummary>>((f) => f.value.name, (f) => f.value.contactId)(a, b));
      }),
    findGroups: (text) =>
      fresh(() => {
        const t = text.trim();
        const active = [...p.groups.values()].filter((g) => g.status === 'active');
        return firstTier<GroupSummary>([
          ['id', () => active.filter((g) => g.groupId === t).map(groupSummaryOf)],
          ['name', () => active.filter((g) => sameText(g.name, t)).map(groupSummaryOf)],
        ]);
      }),
    school: () => fresh(() => p.school),
    staff: () =>
      fresh(() => [...p.staff.values()].sort((a, b) => byString(normaliseNameText(a.name), normaliseNameText(b.name)) || byString(a.email, b.email))),
    staffAccount: (idOrEmail) =>
      fresh(() => {
        const t = idOrEmail.trim().toLowerCase();
        return p.staff.get(idOrEmail.trim()) ?? [...p.staff.values()].find((a) => a.email === t) ?? null;
      }),
  };
};
