/**
 * The read models as rows a store keeps (core's read-model port): one row per member, contact, group,
 * open or resolved data issue and day of messages, and one per school. A row holds what the in-memory
 * projection holds for that entry, so the same fold (apply.ts) keeps both, and a row's personal values
 * (names, MIS reference, email, mobile) travel apart, sealed under the person's key.
 */
import { ERASED, normalisedName, type ColumnValue, type ContactId, type DataArea, type GroupRecord, type MemberId, type MemberRecord, type RowRead, type RowWrite, type SchoolState, type TableSpec } from '@contactable/core';
import type { ContactView } from '../contactView.js';
import { rollStatusOf } from '../memberView.js';
import type { DataIssue, IdList, ImportRunTrack, MemberEntry, StaffAccount } from '../state.js';

/** The tables of the read models. */
export const TABLES = {
  member: 'member',
  contact: 'contact',
  group: 'group',
  issue: 'issue',
  /** Messages sent per quarter hour (messages.ts): summed into the school's days when asked. */
  messages: 'message_slot',
  school: 'school',
  staff: 'staff',
} as const;

/** The read models' table specs: plain columns the views query by. */
export const tableSpecs: ReadonlyArray<TableSpec> = [
  { name: TABLES.member, columns: { status: 'text', roll: 'text', kind: 'text', flags: 'int', issues: 'int', retention: 'text' } },
  { name: TABLES.contact, columns: { status: 'text', held: 'bool', retention: 'text' } },
  { name: TABLES.group, columns: { status: 'text' } },
  { name: TABLES.issue, columns: { type: 'text', member_id: 'text', contact_id: 'text', open: 'bool', raised_day: 'text' } },
  { name: TABLES.messages, columns: { email: 'int', sms: 'int' } },
  { name: TABLES.school, columns: {} },
  { name: TABLES.staff, columns: { role: 'text' } },
];

/** The one school row's key. */
export const SCHOOL_KEY = 'school';

/**
 * Where a member stands for retention (R-DEL-1, R-DEL-2): awaiting deletion (a leaver, or a member the
 * settings exclude, listed apart), deleted awaiting anonymisation, or neither.
 */
const memberRetention = (m: MemberRecord): string | null =>
  m.status === 'deletion-queued' || (m.status === 'active' && (m.enrolment.status === 'leaver' || m.excluded != null)) ? 'awaiting-deletion' : m.status === 'deleted' ? 'awaiting-anonymisation' : null;

/** A member entry as a row: personal values apart, look-ups by MIS reference, name and the export's id. */
export const memberRow = (schoolId: string, e: MemberEntry): RowWrite => {
  const m = e.record;
  const erased = m.status === 'anonymised';
  return {
    table: TABLES.member,
    schoolId,
    key: m.memberId,
    doc: { record: { ...m, name: { given: '', family: '' }, misReference: m.misReference === null ? null : '' }, flags: e.flags, issueBits: e.issueBits, staleRaisedAt: e.staleRaisedAt, primeRaisedAt: e.primeRaisedAt },
    columns: { status: m.status, roll: rollStatusOf(m).status, kind: m.kind, flags: e.flags, issues: e.issueBits, retention: memberRetention(m) },
    lookups: erased
      ? []
      : [
          ...(m.misReference === null ? [] : [`ref:${m.misReference.trim().toLowerCase()}`]),
          `name:${normalisedName(m.name)}`,
          ...(m.source.kind === 'mis' ? [`source:${m.source.externalId}`] : []),
        ],
    subject: `member-${m.memberId}`,
    personal: erased ? null : [m.name.given, m.name.family, m.misReference ?? ''],
  };
};

interface MemberDoc {
  readonly record: MemberRecord;
  readonly flags: number;
  readonly issueBits: number;
  readonly staleRaisedAt: string | null;
  readonly primeRaisedAt: string | null;
}

/** A member entry from its row: the personal values filled back, `XXXX` where the key is gone. */
export const memberEntryOf = (row: RowRead): MemberEntry => {
  const d = row.doc as MemberDoc;
  const p = row.personal;
  const record: MemberRecord = {
    ...d.record,
    name: { given: p?.[0] ?? ERASED, family: p?.[1] ?? ERASED },
    misReference: d.record.misReference === null ? null : (p?.[2] ?? ERASED),
  };
  return { record, flags: d.flags, issueBits: d.issueBits, staleRaisedAt: d.staleRaisedAt, primeRaisedAt: d.primeRaisedAt };
};

interface ContactDoc {
  readonly view: ContactView | null;
  readonly members: IdList | null;
}

/** A contact entry as a row (a contact not held yet but linked to still has one: its members). */
export const contactRow = (schoolId: string, id: ContactId, view: ContactView | undefined, members: IdList | undefined): RowWrite => {
  const active = view !== undefined && view.status === 'active';
  const erased = view === undefined || view.status === 'anonymised';
  return {
    table: TABLES.contact,
    schoolId,
    key: id,
    doc: {
      view:
        view === undefined
          ? null
          : { ...view, name: { given: '', family: '' }, email: view.email === null ? null : { ...view.email, value: '' }, mobile: view.mobile === null ? null : { ...view.mobile, value: '' } },
      members: members ?? null,
    } satisfies ContactDoc,
    columns: { status: view?.status ?? null, held: view !== undefined, retention: view?.status === 'deleted' ? 'awaiting-anonymisation' : null },
    lookups: [
      ...(active && view.email !== null ? [`email:${view.email.value.trim().toLowerCase()}`] : []),
      ...(active && view.mobile !== null ? [`mobile:${view.mobile.value.trim().toLowerCase()}`] : []),
      ...(active ? [`name:${normalisedName(view.name)}`] : []),
      ...(view === undefined ? [] : view.sourceIds.map((s) => `source:${s}`)),
    ],
    subject: `contact-${id}`,
    personal: erased || view === undefined ? null : [view.name.given, view.name.family, view.email?.value ?? '', view.mobile?.value ?? ''],
  };
};

/** A contact entry from its row. */
export const contactEntryOf = (row: RowRead): { view: ContactView | undefined; members: IdList | undefined } => {
  const d = row.doc as ContactDoc;
  const p = row.personal;
  const v = d.view;
  const view: ContactView | undefined =
    v === null
      ? undefined
      : {
          ...v,
          name: { given: p?.[0] ?? ERASED, family: p?.[1] ?? ERASED },
          email: v.email === null ? null : { ...v.email, value: p?.[2] ?? ERASED },
          mobile: v.mobile === null ? null : { ...v.mobile, value: p?.[3] ?? ERASED },
        };
  return { view, members: d.members ?? undefined };
};

/** A group as a row (names of groups are the school's, not a person's). */
export const groupRow = (schoolId: string, g: GroupRecord): RowWrite => ({
  table: TABLES.group,
  schoolId,
  key: g.groupId,
  doc: g,
  columns: { status: g.status },
  lookups: [`name:${g.name.trim().toLowerCase()}`],
  subject: null,
  personal: null,
});

/** A data issue, open or resolved, as a row (issues say what and whom by id, never personal values). */
export interface IssueDoc extends DataIssue {
  readonly resolvedAt: string | null;
}

/** An issue as a row; `day` is the local day it was raised on (the school's time zone). */
export const issueRow = (schoolId: string, issue: IssueDoc, day: string): RowWrite => ({
  table: TABLES.issue,
  schoolId,
  key: issue.id,
  doc: issue,
  columns: { type: issue.type, member_id: issue.memberId, contact_id: issue.contactId, open: issue.resolvedAt === null, raised_day: day },
  lookups: [],
  subject: null,
  personal: null,
});

/** What the school row holds: settings and saved filters, and the import runs' permission failures (R-IMP-10) and warnings. */
export interface SchoolDoc {
  readonly school: SchoolState;
  readonly importRuns: Readonly<Record<string, ImportRunTrack>>;
  readonly permissionFailures: Readonly<Partial<Record<DataArea, number>>>;
  readonly permissionIssues: Readonly<Partial<Record<DataArea, DataIssue>>>;
  /** The position of the latest import warning per code (absent in rows written before warnings were issues). */
  readonly warningsRaised?: Readonly<Record<string, number>>;
  /** Open import warnings by code. */
  readonly importWarnings?: Readonly<Record<string, DataIssue>>;
}

/** The school row. */
export const schoolRow = (schoolId: string, doc: SchoolDoc): RowWrite => ({ table: TABLES.school, schoolId, key: SCHOOL_KEY, doc, columns: {}, lookups: [], subject: null, personal: null });

/** A staff account as a row (only active accounts have one): found by email, its email and name sealed under the account's key. */
export const staffRow = (schoolId: string, a: StaffAccount): RowWrite => ({
  table: TABLES.staff,
  schoolId,
  key: a.staffId,
  doc: { staffId: a.staffId, role: a.role, addedAt: a.addedAt },
  columns: { role: a.role },
  lookups: [`email:${a.email.trim().toLowerCase()}`],
  subject: `staff-${a.staffId}`,
  personal: [a.email, a.name],
});

/** A staff account from its row. */
export const staffAccountOf = (row: RowRead): StaffAccount => {
  const d = row.doc as Pick<StaffAccount, 'staffId' | 'role' | 'addedAt'>;
  return { staffId: d.staffId, role: d.role, addedAt: d.addedAt, email: row.personal?.[0] ?? ERASED, name: row.personal?.[1] ?? ERASED };
};

/** A column's value as a number (drivers hand back bigint columns as strings). */
export const numberOf = (v: ColumnValue | undefined): number => (typeof v === 'number' ? v : typeof v === 'string' ? Number(v) : 0);

/** The members a contact row links, as ids. */
export const idsOfList = (l: IdList | undefined | null): ReadonlyArray<MemberId> => (l === undefined || l === null ? [] : typeof l === 'string' ? [l] : l);
