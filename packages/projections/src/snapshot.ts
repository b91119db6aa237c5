/**
 * Snapshots: a projection as deterministic JSON (R-AUD-4: the same log gives the same
 * bytes) and back. Only the folded state is written; indexes and counters are derived
 * again on restore. A snapshot holds personal data in plain text, so one written before
 * an anonymisation must be replaced after it (R-DEL-3): restore, catch up, write again.
 */
import type { ContactId, DataArea, GroupId, GroupRecord, MemberId, MemberRecord, SchoolState } from '@contactable/core';
import type { ContactView } from './contactView.js';
import { refreshStudent } from './dashboardCounters.js';
import { primeReach } from './primeReach.js';
import type { DecodeFailure } from './decode.js';
import { reindexLinks } from './indexes.js';
import { canonicalJson } from './json.js';
import { trackContactRetention, trackMemberRetention } from './leavers.js';
import { createProjection, type DataIssue, type DayCounts, type ImportRunTrack, type MemberEntry, type Projection, type StaffAccount } from './state.js';
import { allDataIssues } from './dataIssues.js';
import { contactIssuesOf } from './contactIssues.js';
import { restoreMemberIssues } from './memberIssues.js';

/** The snapshot format version. */
export const SNAPSHOT_FORMAT = 3;

/** What a snapshot holds. */
export interface ProjectionSnapshot {
  readonly format: typeof SNAPSHOT_FORMAT;
  readonly schoolId: string | null;
  readonly position: number;
  readonly members: Readonly<Record<MemberId, MemberRecord>>;
  readonly contacts: Readonly<Record<ContactId, ContactView>>;
  readonly groups: Readonly<Record<GroupId, GroupRecord>>;
  /** Messages sent per quarter hour since the epoch. */
  readonly messagesBySlot: Readonly<Record<string, DayCounts>>;
  readonly issues: Readonly<Record<string, DataIssue>>;
  readonly importRuns: Readonly<Record<string, ImportRunTrack>>;
  readonly permissionFailures: Readonly<Partial<Record<DataArea, number>>>;
  /** The position of the latest warning per code (absent in snapshots written before import warnings were issues). */
  readonly warningsRaised?: Readonly<Record<string, number>>;
  readonly school: SchoolState;
  /** Staff accounts (absent in snapshots made before the console). */
  readonly staff?: Readonly<Record<string, StaffAccount>>;
  readonly failures: ReadonlyArray<DecodeFailure>;
}

/** The projection's folded state as a plain value. */
export const toSnapshot = (p: Projection): ProjectionSnapshot => {
  const members: Record<MemberId, MemberRecord> = {};
  for (const [id, e] of p.members) members[id] = e.record;
  const contacts: Record<ContactId, ContactView> = {};
  for (const [id, e] of p.contacts) if (e.view !== undefined) contacts[id] = e.view;
  return {
    format: SNAPSHOT_FORMAT,
    schoolId: p.schoolId,
    position: p.position,
    members,
    contacts,
    groups: Object.fromEntries(p.groups),
    messagesBySlot: Object.fromEntries(p.messagesBySlot),
    issues: Object.fromEntries(allDataIssues(p).map((i) => [i.id, i])),
    importRuns: Object.fromEntries(p.importRuns),
    permissionFailures: Object.fromEntries(p.permissionFailures),
    warningsRaised: Object.fromEntries(p.warningsRaised),
    school: p.school,
    staff: Object.fromEntries(p.staff),
    failures: p.failures,
  };
};

/** The projection as canonical JSON: sorted keys and ids, byte-identical for the same log (R-AUD-4). */
export const serialiseProjection = (p: Projection): string => canonicalJson(toSnapshot(p));

/**
 * A projection from a snapshot (a value or its JSON). Indexes and counters are derived again;
 * member and permission issues are restored with the time they were raised; contact issues
 * follow from the contacts' views.
 */
export const restoreProjection = (snapshot: ProjectionSnapshot | string): Projection => {
  const s: ProjectionSnapshot = typeof snapshot === 'string' ? (JSON.parse(snapshot) as ProjectionSnapshot) : snapshot;
  if (s.format !== SNAPSHOT_FORMAT) throw new Error(`projection snapshot format ${String(s.format)} is not ${SNAPSHOT_FORMAT}; rebuild from the log`);
  const p = createProjection({ schoolId: s.schoolId });
  p.position = s.position;
  p.school = s.school;
  for (const [id, view] of Object.entries(s.contacts)) {
    p.contacts.set(id, { view, members: undefined });
    trackContactRetention(p, view);
    if (contactIssuesOf(view).length > 0) p.withIssues.contacts.add(id);
  }
  const memberIssues = new Map<MemberId, DataIssue[]>();
  for (const issue of Object.values(s.issues)) {
    if (issue.type === 'permissions') p.permissionIssues.set(issue.id.slice(issue.id.lastIndexOf('/') + 1) as DataArea, issue);
    else if (issue.type === 'import-warning') p.importWarnings.set(issue.id.split('/').slice(3).join('/'), issue);
    else if (issue.memberId !== null) memberIssues.set(issue.memberId, [...(memberIssues.get(issue.memberId) ?? []), issue]);
  }
  for (const [id, record] of Object.entries(s.members)) {
    const entry: MemberEntry = { record, flags: 0, issueBits: 0, staleRaisedAt: null, primeRaisedAt: null };
    p.members.set(id, entry);
    restoreMemberIssues(p, entry, memberIssues.get(id) ?? []);
    reindexLinks(p, id, {}, record.links);
  }
  for (const entry of p.members.values()) {
    refreshStudent(p, entry, primeReach(p, entry.record));
    trackMemberRetention(p, entry.record.memberId);
  }
  for (const [id, g] of Object.entries(s.groups)) p.groups.set(id, g);
  for (const [slot, counts] of Object.entries(s.messagesBySlot)) p.messagesBySlot.set(Number(slot), { ...counts });
  for (const [id, run] of Object.entries(s.importRuns)) p.importRuns.set(id, { startedAt: run.startedAt, failed: [...run.failed], warned: [...(run.warned ?? [])] });
  for (const [area, at] of Object.entries(s.permissionFailures)) p.permissionFailures.set(area as DataArea, at!);
  for (const [code, at] of Object.entries(s.warningsRaised ?? {})) p.warningsRaised.set(code, at);
  for (const [id, a] of Object.entries(s.staff ?? {})) p.staff.set(id, a);
  p.failures.push(...s.failures);
  return p;
};
