/**
 * OneRoster 1.1 CSV (and the users/roles split of 1.2) -> MisSnapshot, from a folder
 * or a zip (fflate). users.csv gives students, staff and parents/guardians/relatives;
 * `agentSourcedIds` links them (on a student: its parents, in priority order; on a
 * parent: its children). classes.csv + enrollments.csv give groups.
 *
 * Mapping decisions (OneRoster carries no locations, priorities or responsibility):
 * - a parent's `email` is at Home, `sms` at Mobile, `phone` at Home; staff's email and phone at Work;
 * - priority is the parent's position among the student's agents (then those named only from the parent's side);
 * - parents and guardians have parental responsibility, relatives do not;
 * - status `tobedeleted` makes a user a leaver and a class inactive; dateLastModified is not read;
 * - a manifest.csv naming any file `delta` makes a partial snapshot (the import then removes no one).
 * - staff are members with their own contact record (relationship Self).
 *
 * A zip is read with limits and checks (zip.ts): two users.csv, a `../` name, a bomb, are refused.
 * An export with no students is refused (it would mark every pupil a leaver), as are two students
 * with one identifier under different sourcedIds, and anything over the import limits.
 * References to users the export does not hold (enrollments, agents) are left out, as real
 * exports have them.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { ImportLimits, ImportLimitsOverride, LocatedDetail, MisSnapshot, PhoneRegion } from '@contactable/core';
import { SnapshotBuilder } from '../builder.js';
import { readCsv } from '../csv.js';
import { failWith, toParseError, type ParseError } from '../errors.js';
import { count, fieldChecks, limitsFrom, overLimit } from '../limits.js';
import { fileSource, type ByteSource } from '../source.js';
import { readZip } from '../zip.js';

/** Where the OneRoster files are. */
export type OneRosterInput = { readonly folder: string } | { readonly zip: ByteSource } | { readonly files: Readonly<Record<string, ByteSource>> };

/** Options of the OneRoster parser. */
export interface OneRosterOptions {
  readonly system?: string;
  readonly region?: PhoneRegion;
  /** Limits over the defaults (the import settings' `limits`). */
  readonly limits?: ImportLimitsOverride;
}

const STAFF = new Set(['teacher', 'administrator', 'aide', 'proctor', 'siteadministrator', 'systemadministrator', 'principal']);
const CONTACT = new Set(['parent', 'guardian', 'relative']);
const FILES = ['users.csv', 'enrollments.csv', 'classes.csv', 'orgs.csv', 'roles.csv', 'demographics.csv', 'manifest.csv'];

interface User {
  readonly id: string;
  readonly row: number;
  readonly line: number;
  readonly status: string;
  roles: Set<string>;
  readonly given: string;
  readonly family: string;
  readonly identifier: string;
  readonly email: string;
  readonly sms: string;
  readonly phone: string;
  readonly agents: ReadonlyArray<string>;
}

const collect = async (input: OneRosterInput, limits: ImportLimits): Promise<Map<string, ByteSource>> => {
  const files = new Map<string, ByteSource>();
  if ('folder' in input) {
    for (const f of FILES) if (existsSync(join(input.folder, f))) files.set(f, fileSource(join(input.folder, f)));
  } else if ('zip' in input) {
    return readZip(input.zip, limits, FILES);
  } else {
    for (const [name, src] of Object.entries(input.files)) files.set(name.toLowerCase(), src);
  }
  return files;
};

const split = (s: string): string[] => s.split(',').map((x) => x.trim()).filter((x) => x !== '');

/** Parses a OneRoster export into a snapshot. */
export const parseOneRoster = async (input: OneRosterInput, options: OneRosterOptions = {}): Promise<E.Either<ParseError, MisSnapshot>> => {
  const label = 'folder' in input ? join(input.folder, 'users.csv') : 'zip' in input ? input.zip.name : 'users.csv';
  const limits = limitsFrom(options.limits);
  let current = label;
  try {
    const files = await collect(input, limits);
    const usersFile = files.get('users.csv');
    if (usersFile === undefined) return failWith('missing-file', label, {}, 'a OneRoster export needs users.csv');
    const b = new SnapshotBuilder(usersFile.name, { system: options.system ?? 'oneroster', schoolRef: null, schoolName: null, region: options.region ?? 'GB' });
    const checks = fieldChecks(() => b.file, limits);
    const csv = { limits, cleaner: b.cleaner };

    // A delta export holds only what changed: it says nothing about who is not in it.
    const manifest = files.get('manifest.csv');
    if (manifest !== undefined) {
      current = manifest.name;
      await readCsv(manifest, ['propertyName', 'value'], (r) => {
        if (r.get('propertyName').toLowerCase().startsWith('file.') && r.get('value').trim().toLowerCase() === 'delta') b.partial = true;
      });
    }

    const orgs = files.get('orgs.csv');
    if (orgs !== undefined) {
      current = orgs.name;
      b.file = current;
      let first = true;
      await readCsv(orgs, ['sourcedId'], (r) => {
        if (!first || (r.get('type') !== '' && !['school', 'department', 'local', 'district'].includes(r.get('type').toLowerCase()))) return;
        first = false;
        b.source = { ...b.source, schoolRef: r.get('identifier') || r.get('sourcedId'), schoolName: r.get('name') || null };
      }, csv);
    }

    const roles = new Map<string, Set<string>>();
    const rolesFile = files.get('roles.csv');
    if (rolesFile !== undefined) {
      current = rolesFile.name;
      b.file = current;
      await readCsv(rolesFile, ['userSourcedId', 'role'], (r) => {
        if (r.get('status').toLowerCase() === 'tobedeleted') return;
        const set = roles.get(r.get('userSourcedId')) ?? new Set<string>();
        set.add(r.get('role').toLowerCase());
        roles.set(r.get('userSourcedId'), set);
      }, csv);
    }

    const users = new Map<string, User>();
    current = usersFile.name;
    b.file = current;
    await readCsv(usersFile, ['sourcedId', 'givenName', 'familyName', ...(rolesFile === undefined ? ['role'] : [])], (r) => {
      const id = r.get('sourcedId');
      if (id === '') failWith('invalid-value', usersFile.name, { row: r.row, line: r.line, field: 'sourcedId' }, 'must not be empty');
      if (users.has(id)) failWith('duplicate-id', usersFile.name, { row: r.row, line: r.line, field: 'sourcedId' }, 'a user with the same sourcedId appears earlier in the file');
      const own = r.get('role').toLowerCase();
      const at = (field: string) => ({ row: r.row, line: r.line, field });
      users.set(id, {
        id,
        row: r.row,
        line: r.line,
        status: r.get('status').toLowerCase(),
        roles: new Set([...(own === '' ? [] : [own]), ...(roles.get(id) ?? [])]),
        given: checks.name(r.get('givenName'), at('givenName')),
        family: checks.name(r.get('familyName'), at('familyName')),
        identifier: r.get('identifier'),
        email: checks.email(r.get('email'), at('email')),
        sms: checks.phone(r.get('sms'), at('sms')),
        phone: checks.phone(r.get('phone'), at('phone')),
        agents: split(r.get('agentSourcedIds')),
      });
    }, csv);

    const isContact = (u: User | undefined): u is User => u !== undefined && [...u.roles].some((x) => CONTACT.has(x));
    const details = (pairs: ReadonlyArray<[string, string]>): LocatedDetail[] => pairs.filter(([v]) => v !== '').map(([value, location]) => ({ value, location }));
    let pupils = 0;
    for (const u of users.values()) {
      const where = { row: u.row, line: u.line, field: 'sourcedId' };
      if (u.roles.has('student') && ++pupils > limits.maxPupils) {
        overLimit(usersFile.name, { row: u.row, line: u.line }, `the export holds more than ${count(limits.maxPupils)} pupils`, 'maxPupils', `${count(limits.maxPupils)} pupils`);
      }
      const roll = u.status === 'tobedeleted' ? ({ status: 'leaver', leftOn: null } as const) : ({ status: 'on-roll', admissionDate: null } as const);
      const name = { given: u.given, family: u.family };
      if (u.roles.has('student')) b.addMember({ externalId: u.id, kind: 'student', name, misReference: u.identifier || null, roll, parentsRefusedSharing: false }, where, 'identifier');
      else if ([...u.roles].some((x) => STAFF.has(x))) {
        b.addMember({ externalId: u.id, kind: 'staff', name, misReference: u.identifier || null, roll, parentsRefusedSharing: false }, where, 'identifier');
        b.addContact({ externalId: u.id, name, emails: details([[u.email, 'Work']]), phones: details([[u.sms, 'Mobile'], [u.phone, 'Work']]) }, where);
        b.addLink({ memberExternalId: u.id, contactExternalId: u.id, relationship: 'Self', priority: 1, parentalResponsibility: false }, where);
      }
      // A member of staff who is also a parent keeps the contact record of their work (one record per user).
      if (isContact(u) && u.status !== 'tobedeleted' && !b.hasContact(u.id)) b.addContact({ externalId: u.id, name, emails: details([[u.email, 'Home']]), phones: details([[u.sms, 'Mobile'], [u.phone, 'Home']]) }, where);
    }
    if (pupils === 0) failWith('no-pupils', usersFile.name, { row: 0 }, 'the export holds no students (no user with the role student): importing it would mark every pupil held a leaver, so it is refused');
    const relation = (u: User): { relationship: string; pr: boolean } => {
      const role = ['parent', 'guardian', 'relative'].find((x) => u.roles.has(x)) ?? 'parent';
      return { relationship: role[0]!.toUpperCase() + role.slice(1), pr: role !== 'relative' };
    };
    const linked = new Map<string, number>();
    const link = (student: User, parent: User): void => {
      if (!b.hasContact(parent.id) || parent.id === student.id) return;
      const key = `${student.id}\u0000${parent.id}`;
      if (linked.has(key)) return;
      const priority = (linked.get(student.id) ?? 0) + 1;
      linked.set(student.id, priority);
      linked.set(key, priority);
      const { relationship, pr } = relation(parent);
      b.addLink({ memberExternalId: student.id, contactExternalId: parent.id, relationship, priority, parentalResponsibility: pr }, { row: student.row, line: student.line, field: 'agentSourcedIds' });
    };
    for (const u of users.values()) if (u.roles.has('student')) for (const a of u.agents) if (isContact(users.get(a))) link(u, users.get(a)!);
    for (const u of users.values()) if (isContact(u)) for (const a of u.agents) if (users.get(a)?.roles.has('student') === true) link(users.get(a)!, u);
    b.areas.add('members');
    b.areas.add('contacts');
    b.areas.add('staff');

    const classes = files.get('classes.csv');
    const enrollments = files.get('enrollments.csv');
    if (classes !== undefined && enrollments !== undefined) {
      current = classes.name;
      b.file = current;
      await readCsv(classes, ['sourcedId', 'title'], (r) => {
        const status = r.get('status').toLowerCase();
        b.addGroup(
          { externalId: r.get('sourcedId'), name: r.get('title'), kind: r.get('classType').toLowerCase() === 'homeroom' ? 'class' : 'teaching', active: status !== 'tobedeleted' && status !== 'inactive', memberExternalIds: [] },
          { row: r.row, line: r.line, field: 'sourcedId' },
        );
      }, csv);
      current = enrollments.name;
      b.file = current;
      const enrolled = new Map<string, Set<string>>();
      await readCsv(enrollments, ['classSourcedId', 'userSourcedId'], (r) => {
        if (r.get('status').toLowerCase() === 'tobedeleted') return;
        const g = b.group(r.get('classSourcedId'));
        if (g === undefined) return;
        // A set per class: a list search per row would make a big class quadratic.
        let members = enrolled.get(g.externalId);
        if (members === undefined) enrolled.set(g.externalId, (members = new Set(g.memberExternalIds)));
        if (!members.has(r.get('userSourcedId'))) {
          members.add(r.get('userSourcedId'));
          (g.memberExternalIds as string[]).push(r.get('userSourcedId'));
        }
      }, csv);
      b.areas.add('groups');
    }
    return E.right(b.build());
  } catch (e) {
    return E.left(toParseError(e, current));
  }
};
