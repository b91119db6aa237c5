/**
 * The projection: every read model's state in one place, because they share the
 * per-member and per-contact folds. Each member and each contact has one entry holding
 * everything derived about it (dashboard flags, open issues, linked members), so an
 * event costs one lookup in a map of 200k entries, not one per read model. Applying an
 * event updates entries in place (copying maps per event would not scale); the records
 * and views inside are replaced, never mutated, so one handed to a caller never changes.
 */
import { schoolDecider, type StaffRole, type ContactId, type GroupId, type GroupRecord, type DataArea, type DataIssueType, type Instant, type LocalDate, type MemberId, type MemberRecord, type PersonName, type SchoolState } from '@contactable/core';
import type { ContactView } from './contactView.js';
import type { DecodeFailure } from './decode.js';

/** Ids in an index entry: one id as itself (the common case costs no array), several as a sorted array. */
export type IdList = string | string[];

/** One data issue (R-DSH-3): what, about whom (ids only), a detail with no personal values, and since when. */
export interface DataIssue {
  /** Stable id: type, member, contact and (for permissions and overrides) the area or field. */
  readonly id: string;
  readonly type: DataIssueType;
  /** The member for member issues (stale pre-admission, prime parent); null for contact and import issues. */
  readonly memberId: MemberId | null;
  /** The contact for contact issues; the first prime parent for `no-usable-method`; else null. */
  readonly contactId: ContactId | null;
  /** The other contact a `possible-duplicate-contact` issue names; else null. */
  readonly relatedContactId: ContactId | null;
  readonly detail: string;
  readonly raisedAt: Instant;
}

/** A member and what the read models derive from it. */
export interface MemberEntry {
  record: MemberRecord;
  /** Dashboard flags (dashboardCounters.ts): counted, reachable by email, by mobile. */
  flags: number;
  /** Which member issues are open (memberIssues.ts bits), usually none: the issues themselves are built when asked for. */
  issueBits: number;
  /** When the open stale pre-admission issue was raised. */
  staleRaisedAt: Instant | null;
  /** When the open prime-parent issue (no prime parent, or no usable method) was raised. */
  primeRaisedAt: Instant | null;
}

/** A contact and the members linking to it. */
export interface ContactEntry {
  /** Undefined while links name a contact the school does not hold (yet). */
  view: ContactView | undefined;
  /** The members linking to this contact (sorted), if any. */
  members: IdList | undefined;
}

/** A student the dashboard lists as having no contactable prime parent. */
export interface StudentWithout {
  readonly memberId: MemberId;
  readonly name: PersonName;
}

/** Messages handed to providers in one slot of time (a quarter hour), per channel. */
export interface DayCounts {
  email: number;
  sms: number;
}

/** Dashboard counters kept as events arrive, so the dashboard answers without a scan (R-DSH-1). */
export interface DashboardCounters {
  total: number;
  byEmail: number;
  byMobile: number;
  byEither: number;
  /** Counted students with no prime parent reachable on either channel, by id. */
  readonly without: Map<MemberId, StudentWithout>;
  /**
   * The same students sorted by family name, given name, id, as of the last time they were
   * asked for (null: sort afresh), and the joins and leaves since, in order. A few changes
   * are patched in; many (a rebuild) drop the list, so folding never pays for sorting.
   */
  withoutSorted: StudentWithout[] | null;
  readonly withoutChanges: Array<{ readonly join: boolean; readonly student: StudentWithout }>;
}

/** An import run in progress or finished, as far as permission failures go (R-IMP-10). */
export interface ImportRunTrack {
  /** The position of the run's first event seen. */
  readonly startedAt: number;
  readonly failed: DataArea[];
  /** The codes of the warnings the run raised. */
  readonly warned: string[];
}

/** Held addresses -> the active contacts holding them. */
export interface AddressIndex {
  /** Lowercased email -> contacts (sorted). */
  readonly byEmail: Map<string, IdList>;
  /** Lowercased mobile (E.164 when valid) -> contacts (sorted). */
  readonly byMobile: Map<string, IdList>;
}

/** A staff account as the console lists it: never its password hash (sign-in reads the account's own stream). */
export interface StaffAccount {
  readonly staffId: string;
  readonly email: string;
  readonly name: string;
  readonly role: StaffRole;
  /** When the account was added. */
  readonly addedAt: Instant;
}

/** Every read model's state. */
export interface Projection {
  /** Only events of this school are applied; null applies every school's (a single-school store). */
  readonly schoolId: string | null;
  /** The position of the last event taken in (applied or skipped); events at or before it are ignored. */
  position: number;
  readonly members: Map<MemberId, MemberEntry>;
  readonly contacts: Map<ContactId, ContactEntry>;
  /** Groups, MIS and hand-made (R-GRP-2, R-GRP-3), deleted ones included. */
  readonly groups: Map<GroupId, GroupRecord>;
  /**
   * Email and mobile -> contacts, built on the first lookup and kept up to date from then on
   * (null until then): only provider callbacks need it, and a rebuild need not pay for it.
   */
  addresses: AddressIndex | null;
  readonly dashboard: DashboardCounters;
  /** Messages sent per quarter hour since the epoch (messages.ts): summed into the school's days when asked. */
  readonly messagesBySlot: Map<number, DayCounts>;
  /** Members and contacts with at least one open issue: the data-issues list is gathered from these. */
  readonly withIssues: { readonly members: Set<MemberId>; readonly contacts: Set<ContactId> };
  /** Open permission issues by data area (R-IMP-10). */
  readonly permissionIssues: Map<DataArea, DataIssue>;
  readonly importRuns: Map<string, ImportRunTrack>;
  /** The position of the latest permission failure per data area. */
  readonly permissionFailures: Map<DataArea, number>;
  /** Open import warnings by code (the latest message of each). */
  readonly importWarnings: Map<string, DataIssue>;
  /** The position of the latest warning per code. */
  readonly warningsRaised: Map<string, number>;
  school: SchoolState;
  /** Active staff accounts (removed ones leave the map). */
  readonly staff: Map<string, StaffAccount>;
  /** Leavers (and members queued for deletion) not yet deleted (R-DEL-1). */
  readonly awaitingDeletion: Set<MemberId>;
  /** Deleted members awaiting anonymisation (R-DEL-2). */
  readonly deletedMembers: Set<MemberId>;
  /** Deleted contacts awaiting anonymisation (R-DEL-2). */
  readonly deletedContacts: Set<ContactId>;
  /** Events that could not be decoded, by stream and position. */
  readonly failures: DecodeFailure[];
  /** Answers kept between events; any change that affects one clears it. */
  readonly cache: { issues: ReadonlyArray<DataIssue> | null; without: ReadonlyArray<StudentWithout> | null };
}

/** An empty projection, optionally for one school only. */
export const createProjection = (options: { readonly schoolId?: string | null } = {}): Projection => ({
  schoolId: options.schoolId ?? null,
  position: 0,
  members: new Map(),
  contacts: new Map(),
  groups: new Map(),
  addresses: null,
  dashboard: { total: 0, byEmail: 0, byMobile: 0, byEither: 0, without: new Map(), withoutSorted: null, withoutChanges: [] },
  messagesBySlot: new Map(),
  withIssues: { members: new Set(), contacts: new Set() },
  permissionIssues: new Map(),
  importRuns: new Map(),
  permissionFailures: new Map(),
  importWarnings: new Map(),
  warningsRaised: new Map(),
  school: schoolDecider.initialState,
  staff: new Map(),
  awaitingDeletion: new Set(),
  deletedMembers: new Set(),
  deletedContacts: new Set(),
  failures: [],
  cache: { issues: null, without: null },
});

/** Empties a projection in place (for a rebuild), keeping its school. */
export const clearProjection = (p: Projection): void => {
  p.position = 0;
  p.school = schoolDecider.initialState;
  for (const m of [p.members, p.contacts, p.groups, p.messagesBySlot, p.permissionIssues, p.importRuns, p.permissionFailures, p.importWarnings, p.warningsRaised, p.dashboard.without, p.staff] as Array<Map<unknown, unknown>>) m.clear();
  p.dashboard.withoutSorted = null;
  p.dashboard.withoutChanges.length = 0;
  for (const s of [p.withIssues.members, p.withIssues.contacts, p.awaitingDeletion, p.deletedMembers, p.deletedContacts] as Array<Set<unknown>>) s.clear();
  p.dashboard.total = p.dashboard.byEmail = p.dashboard.byMobile = p.dashboard.byEither = 0;
  p.addresses = null;
  p.failures.length = 0;
  p.cache.issues = null;
  p.cache.without = null;
};

/** A member's record, or undefined when not held. */
export const memberRecord = (p: Projection, memberId: MemberId): MemberRecord | undefined => p.members.get(memberId)?.record;

/** A contact's view, or undefined when not held. */
export const contactView = (p: Projection, contactId: ContactId): ContactView | undefined => p.contacts.get(contactId)?.view;

/** Every member record held. */
export function* memberRecords(p: Projection): Generator<MemberRecord> {
  for (const e of p.members.values()) yield e.record;
}

/** Every contact view held. */
export function* contactViews(p: Projection): Generator<ContactView> {
  for (const e of p.contacts.values()) if (e.view !== undefined) yield e.view;
}
