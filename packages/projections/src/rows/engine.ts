/**
 * Keeping the read-model rows (model.ts) in step with the log, one appended batch at a time, inside
 * the append's transaction. The rows a batch can touch are read first (the members and contacts its
 * events name, the members a changed contact is linked to, and those members' other contacts: what a
 * dashboard count or a prime-parent issue depends on), made into a projection holding just those, the
 * events folded in with the very fold of the in-memory projection (apply.ts), and the entries that
 * changed written back. The same log gives the same rows as the in-memory fold gives entries (a law).
 */
import {
  type ContactId,
  type DataArea,
  type GroupId,
  type InlineReadModels,
  type MemberId,
  type RowWriter,
  type StoredEvent,
} from '@contactable/core';
import { applyEvent } from '../apply.js';
import { contactIssuesOf } from '../contactIssues.js';
import type { ContactView } from '../contactView.js';
import { COUNTED } from '../dashboardCounters.js';
import { streamKindOf } from '../eventKinds.js';
import { sameIssue } from '../issueStore.js';
import { memberIssuesOf } from '../memberIssues.js';
import { countMessageSent } from '../messages.js';
import { createProjection, type DataIssue, type IdList, type MemberEntry, type Projection } from '../state.js';
import { dayOf } from '../time.js';
import {
  contactEntryOf,
  contactRow,
  groupRow,
  idsOfList,
  issueRow,
  memberEntryOf,
  memberRow,
  schoolRow,
  SCHOOL_KEY,
  staffAccountOf,
  staffRow,
  TABLES,
  tableSpecs,
  type IssueDoc,
  type SchoolDoc,
} from './model.js';

/** The read models' name and version: rows made by another version are rebuilt from the log. */
// 3: the school row keeps import warnings (issues of type import-warning).
// 4: messages counted per quarter hour (summed into the school's days when asked); excluded members.
export const READ_MODELS_VERSION = 4;

/**
 * Contact events the lean view ignores (contactView.ts): they change no row, so a batch of them (a send's
 * MessageSent, a provider's delivery reports) reads no rows; a message sent only counts in its quarter hour.
 */
const NEUTRAL: ReadonlySet<string> = new Set(['DeliverySucceeded', 'DeliveryFailed', 'SpamComplaintReceived', 'MessageSent', 'ContactSplit']);

const linkTargets = (e: StoredEvent): ContactId | null => {
  switch (e.type) {
    case 'ContactLinked':
    case 'LinkChanged':
    case 'ContactUnlinked':
      return (e.data as { contactId: ContactId }).contactId;
    default:
      return null;
  }
};

/** What a partial projection was loaded with, to tell afterwards what changed. */
interface Loaded {
  readonly members: Map<MemberId, { readonly record: unknown; readonly flags: number; readonly issueBits: number; readonly stale: string | null; readonly prime: string | null }>;
  readonly contacts: Map<ContactId, { readonly view: ContactView | undefined; readonly members: IdList | undefined }>;
  readonly issues: Map<string, DataIssue>;
  /** The staff accounts the events are about (only their rows are written back). */
  readonly staffIds: Set<string>;
}

const issuesOf = (p: Projection, memberIds: Iterable<MemberId>, contactIds: Iterable<ContactId>): Map<string, DataIssue> => {
  const out = new Map<string, DataIssue>();
  for (const id of memberIds) {
    const entry = p.members.get(id);
    if (entry !== undefined) for (const i of memberIssuesOf(p, entry)) out.set(i.id, i);
  }
  for (const id of contactIds) for (const i of contactIssuesOf(p.contacts.get(id)?.view)) out.set(i.id, i);
  for (const i of p.permissionIssues.values()) out.set(i.id, i);
  for (const i of p.importWarnings.values()) out.set(i.id, i);
  return out;
};

/** Reads the rows one school's events can touch into a projection holding just those. */
const load = async (rows: RowWriter, schoolId: string, events: ReadonlyArray<StoredEvent>): Promise<{ p: Projection; loaded: Loaded }> => {
  const p = createProjection({ schoolId });
  const memberIds = new Set<MemberId>();
  const contactIds = new Set<ContactId>();
  const groupIds = new Set<GroupId>();
  const staffIds = new Set<string>();
  let school = false;
  for (const e of events) {
    const kind = streamKindOf(e);
    if (kind === 'member') {
      memberIds.add((e.data as { memberId: MemberId }).memberId);
      const c = linkTargets(e);
      if (c !== null) contactIds.add(c);
    } else if (kind === 'contact' && !NEUTRAL.has(e.type)) contactIds.add((e.data as { contactId: ContactId }).contactId);
    else if (kind === 'group') groupIds.add((e.data as { groupId: GroupId }).groupId);
    else if (kind === 'school' || kind === 'import') school = true;
    else if (kind === 'staff') staffIds.add((e.data as { staffId: string }).staffId);
  }
  const memberRows = new Map<MemberId, MemberEntry>();
  const contactRows = new Map<ContactId, { view: ContactView | undefined; members: IdList | undefined }>();
  const fetchMembers = async (ids: Iterable<MemberId>): Promise<MemberEntry[]> => {
    const wanted = [...ids].filter((id) => !memberRows.has(id));
    if (wanted.length === 0) return [];
    const got = (await rows.get(TABLES.member, schoolId, wanted)).map(memberEntryOf);
    for (const m of got) memberRows.set(m.record.memberId, m);
    return got;
  };
  const fetchContacts = async (ids: Iterable<ContactId>): Promise<Array<{ id: ContactId; members: IdList | undefined }>> => {
    const wanted = [...ids].filter((id) => !contactRows.has(id));
    if (wanted.length === 0) return [];
    const out: Array<{ id: ContactId; members: IdList | undefined }> = [];
    for (const r of await rows.get(TABLES.contact, schoolId, wanted)) {
      const entry = contactEntryOf(r);
      contactRows.set(r.key, entry);
      out.push({ id: r.key, members: entry.members });
    }
    return out;
  };
  // The events' own members and contacts; then whom a changed member links and a changed contact is
  // linked to; then those members' other contacts (their prime reach).
  const firstMembers = await fetchMembers(memberIds);
  const firstContacts = await fetchContacts(contactIds);
  const linkedToMembers = firstMembers.flatMap((m) => Object.keys(m.record.links));
  const membersOfContacts = firstContacts.flatMap((c) => idsOfList(c.members));
  await fetchContacts(linkedToMembers);
  const secondMembers = await fetchMembers(membersOfContacts);
  await fetchContacts(secondMembers.flatMap((m) => Object.keys(m.record.links)));

  const loaded: Loaded = { members: new Map(), contacts: new Map(), issues: new Map(), staffIds };
  if (staffIds.size > 0) for (const r of await rows.get(TABLES.staff, schoolId, [...staffIds])) p.staff.set(r.key, staffAccountOf(r));
  for (const [id, entry] of memberRows) {
    p.members.set(id, entry);
    // The dashboard's "without" list holds a counted student with no reachable prime parent (refreshStudent reads it).
    if (entry.flags === COUNTED) p.dashboard.without.set(id, { memberId: id, name: entry.record.name });
    loaded.members.set(id, { record: entry.record, flags: entry.flags, issueBits: entry.issueBits, stale: entry.staleRaisedAt, prime: entry.primeRaisedAt });
  }
  for (const [id, entry] of contactRows) {
    p.contacts.set(id, { view: entry.view, members: entry.members });
    loaded.contacts.set(id, { view: entry.view, members: entry.members });
  }
  if (groupIds.size > 0) for (const r of await rows.get(TABLES.group, schoolId, [...groupIds])) p.groups.set(r.key, r.doc as never);
  if (school) {
    const [row] = await rows.get(TABLES.school, schoolId, [SCHOOL_KEY]);
    if (row !== undefined) {
      const d = row.doc as SchoolDoc;
      p.school = d.school;
      for (const [id, run] of Object.entries(d.importRuns)) p.importRuns.set(id, { startedAt: run.startedAt, failed: [...run.failed], warned: [...(run.warned ?? [])] });
      for (const [area, at] of Object.entries(d.permissionFailures)) p.permissionFailures.set(area as DataArea, at!);
      for (const [area, issue] of Object.entries(d.permissionIssues)) p.permissionIssues.set(area as DataArea, issue!);
      for (const [code, at] of Object.entries(d.warningsRaised ?? {})) p.warningsRaised.set(code, at);
      for (const [code, issue] of Object.entries(d.importWarnings ?? {})) p.importWarnings.set(code, issue);
    }
  }
  for (const [id, i] of issuesOf(p, loaded.members.keys(), loaded.contacts.keys())) loaded.issues.set(id, i);
  return { p, loaded };
};

/** Writes back what one school's events changed. */
const store = async (rows: RowWriter, schoolId: string, p: Projection, loaded: Loaded, events: ReadonlyArray<StoredEvent>, hadSchool: boolean, schoolBefore: string): Promise<void> => {
  const writes = [];
  for (const [id, entry] of p.members) {
    const was = loaded.members.get(id);
    if (was !== undefined && was.record === entry.record && was.flags === entry.flags && was.issueBits === entry.issueBits && was.stale === entry.staleRaisedAt && was.prime === entry.primeRaisedAt) continue;
    writes.push(memberRow(schoolId, entry));
  }
  for (const [id, entry] of p.contacts) {
    const was = loaded.contacts.get(id);
    if (was !== undefined && was.view === entry.view && was.members === entry.members) continue;
    writes.push(contactRow(schoolId, id, entry.view, entry.members));
  }
  for (const [id, g] of p.groups) writes.push(groupRow(schoolId, g)), void id;
  // Issues: raised, changed, or gone (kept, resolved, so the office can look back).
  const last = events[events.length - 1]!.metadata.occurredAt;
  const now = issuesOf(p, p.members.keys(), p.contacts.keys());
  for (const [id, issue] of now) {
    const was = loaded.issues.get(id);
    if (was !== undefined && sameIssue(was, issue)) continue;
    writes.push(issueRow(schoolId, { ...issue, resolvedAt: null }, dayOf(issue.raisedAt)));
  }
  for (const [id, was] of loaded.issues) if (!now.has(id)) writes.push(issueRow(schoolId, { ...was, resolvedAt: last }, dayOf(was.raisedAt)));
  const schoolDoc: SchoolDoc = {
    school: p.school,
    importRuns: Object.fromEntries(p.importRuns),
    permissionFailures: Object.fromEntries(p.permissionFailures),
    permissionIssues: Object.fromEntries(p.permissionIssues),
    warningsRaised: Object.fromEntries(p.warningsRaised),
    importWarnings: Object.fromEntries(p.importWarnings),
  };
  if (hadSchool && JSON.stringify(schoolDoc) !== schoolBefore) writes.push(schoolRow(schoolId, schoolDoc));
  // Staff accounts: an active one's row written; a removed one's row gone.
  const removedStaff: string[] = [];
  for (const id of loaded.staffIds) {
    const a = p.staff.get(id);
    if (a === undefined) removedStaff.push(id);
    else writes.push(staffRow(schoolId, a));
  }
  if (removedStaff.length > 0) await rows.remove(TABLES.staff, schoolId, removedStaff);
  if (writes.length > 0) await rows.put(writes);
  // Messages sent per quarter hour: the partial projection counted only this batch's, so they are added on.
  for (const [slot, counts] of p.messagesBySlot) await rows.add(TABLES.messages, schoolId, String(slot), { email: counts.email, sms: counts.sms }, { slot });
};

/** Messages sent per quarter hour and channel, for a batch that changes nothing else (R-DSH-2). */
const countSent = async (rows: RowWriter, schoolId: string, events: ReadonlyArray<StoredEvent>): Promise<void> => {
  const p = createProjection({ schoolId });
  for (const e of events) if (e.type === 'MessageSent') countMessageSent(p, e.metadata.occurredAt, (e.data as { channel: 'email' | 'sms' }).channel);
  for (const [slot, counts] of p.messagesBySlot) await rows.add(TABLES.messages, schoolId, String(slot), { email: counts.email, sms: counts.sms }, { slot });
};

/** Applies appended events to the rows, school by school. */
export const applyToRows = async (events: ReadonlyArray<StoredEvent>, rows: RowWriter): Promise<void> => {
  const bySchool = new Map<string, StoredEvent[]>();
  for (const e of events) {
    if (streamKindOf(e) === 'other' && e.type !== 'MessageSent') continue;
    const list = bySchool.get(e.metadata.schoolId);
    if (list === undefined) bySchool.set(e.metadata.schoolId, [e]);
    else list.push(e);
  }
  for (const [schoolId, list] of bySchool) {
    if (list.every((e) => NEUTRAL.has(e.type))) {
      await countSent(rows, schoolId, list);
      continue;
    }
    const { p, loaded } = await load(rows, schoolId, list);
    const hadSchool = list.some((e) => streamKindOf(e) === 'school' || streamKindOf(e) === 'import');
    const schoolBefore = JSON.stringify({
      school: p.school,
      importRuns: Object.fromEntries(p.importRuns),
      permissionFailures: Object.fromEntries(p.permissionFailures),
      permissionIssues: Object.fromEntries(p.permissionIssues),
      warningsRaised: Object.fromEntries(p.warningsRaised),
      importWarnings: Object.fromEntries(p.importWarnings),
    });
    for (const e of list) applyEvent(p, e);
    await store(rows, schoolId, p, loaded, list, hadSchool, schoolBefore);
  }
};

/** contactable's read models, for a store to keep inline. */
export const contactableReadModels: InlineReadModels = {
  name: 'contactable',
  version: READ_MODELS_VERSION,
  tables: tableSpecs,
  apply: applyToRows,
};
