/**
 * SIMS-style CSV reports -> MisSnapshot: a student report and a contacts report
 * (one row per student and contact), and optionally a staff report and a groups
 * report (one row per group and member). Each file is streamed. A report not
 * given is an area not covered: nothing in it is imported or marked leaver.
 * Refused whole: a students report with no pupils, a contact row for a Person ID that is in
 * neither the students nor the staff report, two pupils with one UPN, one Contact ID with two
 * sets of details, anything over the import limits.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { ImportLimitsOverride, LocatedDetail, MisRoll, MisSnapshot, PhoneRegion } from '@contactable/core';
import { StandardApplicationStatus } from '@contactable/core';
import { SnapshotBuilder } from '../builder.js';
import { readCsv, type CsvRecord } from '../csv.js';
import { parseDate } from '../dates.js';
import { failWith, toParseError, type ParseError } from '../errors.js';
import { count, fieldChecks, limitsFrom, overLimit, type FieldChecks } from '../limits.js';
import type { ByteSource } from '../source.js';
import { defaultSimsColumns, type LocatedColumn, type SimsColumns } from './columns.js';

/** The report files of a SIMS export. */
export interface SimsFiles {
  readonly students: ByteSource;
  readonly contacts: ByteSource;
  readonly staff?: ByteSource;
  readonly groups?: ByteSource;
}

/** Options of the SIMS CSV parser. */
export interface SimsOptions {
  readonly columns?: SimsColumns;
  readonly system?: string;
  readonly region?: PhoneRegion;
  /** Limits over the defaults (the import settings' `limits`). */
  readonly limits?: ImportLimitsOverride;
}

const ON_ROLL = new Set(['current', 'on roll', 'on-roll', 'c', 'single registration', 'main', 'guest']);
const LEAVER = new Set(['leaver', 'left', 'former']);
const APPLICANT = new Set(['applicant', 'application', 'pre-admission', 'preadmission']);
const YES = new Set(['yes', 'y', 'true', '1']);
const NO = new Set(['no', 'n', 'false', '0', '']);

const yesNo = (r: CsvRecord, column: string, file: string): boolean => {
  const v = r.get(column).toLowerCase();
  if (YES.has(v)) return true;
  if (NO.has(v)) return false;
  return failWith('invalid-value', file, { row: r.row, line: r.line, field: column }, 'expected Yes or No');
};

const located = (r: CsvRecord, columns: ReadonlyArray<LocatedColumn>, check: FieldChecks['email']): LocatedDetail[] =>
  columns.flatMap(({ column, location }) =>
    r
      .get(column)
      .split(';')
      .map((v) => v.trim())
      .filter((v) => v !== '')
      .map((value) => ({ value: check(value, { row: r.row, line: r.line, field: column }), location })),
  );

const required = (r: CsvRecord, column: string, file: string): string => {
  const v = r.get(column);
  if (v === '') failWith('invalid-value', file, { row: r.row, line: r.line, field: column }, 'must not be empty');
  return v;
};

/** Parses SIMS CSV reports into a snapshot. */
export const parseSimsCsv = async (files: SimsFiles, options: SimsOptions = {}): Promise<E.Either<ParseError, MisSnapshot>> => {
  const cols = options.columns ?? defaultSimsColumns;
  const limits = limitsFrom(options.limits);
  const b = new SnapshotBuilder(files.students.name, { system: options.system ?? 'sims', schoolRef: null, schoolName: null, region: options.region ?? 'GB' });
  const checks = fieldChecks(() => b.file, limits);
  const csv = { limits, cleaner: b.cleaner };
  const name = (r: CsvRecord, column: string): string => checks.name(r.get(column), { row: r.row, line: r.line, field: column });
  let current = files.students.name;
  try {
    const s = cols.students;
    let pupils = 0;
    await readCsv(files.students, [s.id, s.surname, s.forename, s.status], (r) => {
      const file = files.students.name;
      const where = (field: string) => ({ row: r.row, line: r.line, field });
      if (++pupils > limits.maxPupils) overLimit(file, { row: r.row, line: r.line }, `the export holds more than ${count(limits.maxPupils)} pupils`, 'maxPupils', `${count(limits.maxPupils)} pupils`);
      const status = r.get(s.status).toLowerCase();
      let roll: MisRoll;
      if (ON_ROLL.has(status)) roll = { status: 'on-roll', admissionDate: parseDate(r.get(s.admissionDate), file, where(s.admissionDate)) };
      else if (LEAVER.has(status)) roll = { status: 'leaver', leftOn: parseDate(r.get(s.leavingDate), file, where(s.leavingDate)) };
      else if (APPLICANT.has(status)) {
        const name = r.get(s.applicationStatus);
        const standard = (r.get(s.applicationStandardStatus) || name).toLowerCase();
        if (!StandardApplicationStatus.is(standard)) failWith('invalid-value', file, where(s.applicationStandardStatus), 'must be one of Applied, Offered, Accepted, Admitted, Reserved, Rejected, Withdrawn');
        const intake = parseDate(r.get(s.admissionDate), file, where(s.admissionDate));
        if (intake === null) failWith('invalid-value', file, where(s.admissionDate), "an applicant needs the intake's admission date");
        roll = { status: 'applicant', application: { status: name, standardStatus: standard as StandardApplicationStatus }, intakeAdmissionDate: intake! };
      } else roll = failWith('invalid-value', file, where(s.status), 'must be Current, Leaver or Applicant');
      b.addMember(
        {
          externalId: required(r, s.id, file),
          kind: 'student',
          name: { given: name(r, s.forename), family: name(r, s.surname) },
          misReference: r.get(s.upn) || null,
          roll,
          parentsRefusedSharing: r.has(s.refusedSharing) ? yesNo(r, s.refusedSharing, file) : false,
        },
        { row: r.row, line: r.line, field: s.id },
        s.upn,
      );
    }, csv);
    if (pupils === 0) failWith('no-pupils', files.students.name, { row: 0 }, 'the students report holds no pupils: importing it would mark every pupil held a leaver, so it is refused. Export the report again from the MIS');
    b.areas.add('members');

    if (files.staff !== undefined) {
      const st = cols.staff;
      const file = files.staff.name;
      current = file;
      b.file = file;
      await readCsv(files.staff, [st.id, st.surname, st.forename], (r) => {
        const status = r.get(st.status).toLowerCase();
        const leaver = LEAVER.has(status);
        if (!leaver && status !== '' && !ON_ROLL.has(status)) failWith('invalid-value', file, { row: r.row, line: r.line, field: st.status }, 'must be Current or Leaver');
        b.addMember(
          {
            externalId: required(r, st.id, file),
            kind: 'staff',
            name: { given: name(r, st.forename), family: name(r, st.surname) },
            misReference: r.get(st.staffCode) || null,
            roll: leaver ? { status: 'leaver', leftOn: parseDate(r.get(st.leavingDate), file, { row: r.row, line: r.line, field: st.leavingDate }) } : { status: 'on-roll', admissionDate: null },
            parentsRefusedSharing: false,
          },
          { row: r.row, line: r.line, field: st.id },
          st.staffCode,
        );
      }, csv);
      b.areas.add('staff');
    }

    const c = cols.contacts;
    current = files.contacts.name;
    b.file = current;
    await readCsv(files.contacts, [c.personId, c.contactId, c.surname, c.forename, c.priority], (r) => {
      const file = files.contacts.name;
      const personId = required(r, c.personId, file);
      if (!b.hasMember(personId)) {
        failWith('unknown-reference', file, { row: r.row, line: r.line, field: c.personId }, `no pupil${files.staff !== undefined ? ' or member of staff' : ''} with this Person ID is in the export: a contact row must belong to someone in ${files.students.name}${files.staff !== undefined ? ` or ${files.staff.name}` : ''}`);
      }
      const contactId = required(r, c.contactId, file);
      const priorityText = r.get(c.priority);
      if (!/^\d+$/.test(priorityText) || Number(priorityText) < 1) failWith('invalid-value', file, { row: r.row, line: r.line, field: c.priority }, 'must be a whole number from 1');
      b.addContact({ externalId: contactId, name: { given: name(r, c.forename), family: name(r, c.surname) }, emails: located(r, c.emails, checks.email), phones: located(r, c.phones, checks.phone) }, { row: r.row, line: r.line, field: c.contactId });
      b.addLink(
        { memberExternalId: personId, contactExternalId: contactId, relationship: r.get(c.relationship), priority: Number(priorityText), parentalResponsibility: yesNo(r, c.parentalResponsibility, file) },
        { row: r.row, line: r.line, field: c.contactId },
      );
    }, csv);
    b.areas.add('contacts');

    if (files.groups !== undefined) {
      const g = cols.groups;
      const file = files.groups.name;
      current = file;
      b.file = file;
      await readCsv(files.groups, [g.id, g.name, g.personId], (r) => {
        const id = required(r, g.id, file);
        let group = b.group(id);
        if (group === undefined) {
          b.addGroup({ externalId: id, name: r.get(g.name), kind: r.get(g.type).toLowerCase() || 'other', active: r.has(g.active) ? yesNo(r, g.active, file) : true, memberExternalIds: [] }, { row: r.row, line: r.line, field: g.id });
          group = b.group(id)!;
        }
        const person = r.get(g.personId);
        if (person !== '') (group.memberExternalIds as string[]).push(person);
      }, csv);
      b.areas.add('groups');
    }
    return E.right(b.build());
  } catch (e) {
    return E.left(toParseError(e, current));
  }
};
