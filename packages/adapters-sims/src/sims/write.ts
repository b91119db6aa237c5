/** MisSnapshot -> SIMS-style CSV reports (the same columns the parser reads), row by row. */
import { stringify, type Options } from 'csv-stringify/sync';
import type { MisLink, MisMember, MisSnapshot } from '@contactable/core';
import { ukDate } from '../dates.js';
import { defaultSimsColumns, type LocatedColumn, type SimsColumns } from './columns.js';

// RFC 4180 with CRLF, as SIMS writes it; a field with a line break of either kind, or with spaces at
// either end (which a reader that trims would lose), is quoted too.
const CSV_OPTIONS: Options = { record_delimiter: 'windows', quoted_match: [/^\s|\s$/, /[\r\n]/] };

/** One CSV row, CRLF-terminated, each field quoted when it must be. */
const line = (fields: ReadonlyArray<string>): string => stringify([[...fields]], CSV_OPTIONS);

/** One CSV field, quoted when it must be. */
export const csvField = (v: string): string => line([v]).slice(0, -2);
const yn = (b: boolean): string => (b ? 'Yes' : 'No');

/** The four reports' text, each as a generator of pieces. */
export interface SimsCsvChunks {
  readonly students: () => Generator<string>;
  readonly contacts: () => Generator<string>;
  readonly staff: () => Generator<string>;
  readonly groups: () => Generator<string>;
}

const STATUS = { 'on-roll': 'Current', leaver: 'Leaver', applicant: 'Applicant' } as const;

const studentRow = (m: MisMember, s: SimsColumns['students']): string[] => {
  const r = m.roll;
  return [
    m.externalId,
    m.misReference ?? '',
    m.name.family,
    m.name.given,
    STATUS[r.status],
    r.status === 'on-roll' ? (r.admissionDate === null ? '' : ukDate(r.admissionDate)) : r.status === 'applicant' ? ukDate(r.intakeAdmissionDate) : '',
    r.status === 'leaver' && r.leftOn !== null ? ukDate(r.leftOn) : '',
    r.status === 'applicant' ? r.application.status : '',
    r.status === 'applicant' ? r.application.standardStatus[0]!.toUpperCase() + r.application.standardStatus.slice(1) : '',
    yn(m.parentsRefusedSharing),
  ];
};

const detailCells = (details: ReadonlyArray<{ value: string; location: string }>, columns: ReadonlyArray<LocatedColumn>): string[] =>
  columns.map((c) =>
    details
      .filter((d) => d.location === c.location)
      .map((d) => d.value)
      .join(';'),
  );

/** The reports of a snapshot as generators (for files of any size). */
export const simsCsvChunks = (snap: MisSnapshot, cols: SimsColumns = defaultSimsColumns): SimsCsvChunks => ({
  students: function* () {
    const s = cols.students;
    yield line([s.id, s.upn, s.surname, s.forename, s.status, s.admissionDate, s.leavingDate, s.applicationStatus, s.applicationStandardStatus, s.refusedSharing]);
    for (const m of snap.members) if (m.kind === 'student') yield line(studentRow(m, s));
  },
  contacts: function* () {
    const c = cols.contacts;
    yield line([c.personId, c.contactId, c.surname, c.forename, c.relationship, c.priority, c.parentalResponsibility, ...c.emails.map((e) => e.column), ...c.phones.map((p) => p.column)]);
    const contacts = new Map(snap.contacts.map((x) => [x.externalId, x]));
    const byMember = new Map<string, MisLink[]>();
    for (const l of snap.links) byMember.set(l.memberExternalId, [...(byMember.get(l.memberExternalId) ?? []), l]);
    for (const m of snap.members) {
      for (const l of [...(byMember.get(m.externalId) ?? [])].sort((a, b) => a.priority - b.priority)) {
        const x = contacts.get(l.contactExternalId);
        if (x === undefined) continue;
        yield line([m.externalId, x.externalId, x.name.family, x.name.given, l.relationship, String(l.priority), yn(l.parentalResponsibility), ...detailCells(x.emails, c.emails), ...detailCells(x.phones, c.phones)]);
      }
    }
  },
  staff: function* () {
    const s = cols.staff;
    yield line([s.id, s.staffCode, s.surname, s.forename, s.status, s.leavingDate]);
    for (const m of snap.members) {
      if (m.kind !== 'staff') continue;
      yield line([m.externalId, m.misReference ?? '', m.name.family, m.name.given, m.roll.status === 'leaver' ? 'Leaver' : 'Current', m.roll.status === 'leaver' && m.roll.leftOn !== null ? ukDate(m.roll.leftOn) : '']);
    }
  },
  groups: function* () {
    const g = cols.groups;
    yield line([g.id, g.name, g.type, g.active, g.personId]);
    for (const x of snap.groups) {
      const members = x.memberExternalIds.length === 0 ? [''] : x.memberExternalIds;
      for (const p of members) yield line([x.externalId, x.name, x.kind, yn(x.active), p]);
    }
  },
});

/** The reports of a snapshot as whole strings (small schools and tests). */
export const writeSimsCsv = (snap: MisSnapshot, cols: SimsColumns = defaultSimsColumns): { students: string; contacts: string; staff: string; groups: string } => {
  const c = simsCsvChunks(snap, cols);
  return { students: [...c.students()].join(''), contacts: [...c.contacts()].join(''), staff: [...c.staff()].join(''), groups: [...c.groups()].join('') };
};
