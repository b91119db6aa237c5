/**
 * MisSnapshot -> CTF XML, piece by piece so a large school never sits in one string: with our extension
 * (names.ts: ids, roll status, staff, groups), or plain, as any MIS writes a CTF (no ids of ours: pupils on
 * roll with their UPN, contacts with only their order, one Email each, no staff and no groups).
 */
import type { LocatedDetail, MisContact, MisLink, MisMember, MisSnapshot } from '@contactable/core';
import { EXTENSION_NS, EXTENSION_PREFIX, relationshipCodeOf, ROLL_STATUS, telephoneTypeOf } from './names.js';

const esc = (s: string): string => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
const el = (name: string, value: string | null | undefined): string => (value === null || value === undefined ? '' : `<${name}>${esc(value)}</${name}>`);
const cx = (name: string): string => `${EXTENSION_PREFIX}:${name}`;

/** How the file is labelled. */
export interface CtfWriteOptions {
  readonly supplier?: string;
  readonly lea?: string;
  readonly estab?: string;
  readonly academicYear?: string;
  readonly dateTime?: string;
  /** Write a plain CTF, as an MIS does: none of our extension elements (default false). */
  readonly plain?: boolean;
  /** The header's DocumentQualifier: `full` (the whole school, the default, unless the snapshot is partial) or `partial`. */
  readonly qualifier?: 'full' | 'partial';
}

const contactXml = (c: MisContact, l: MisLink, plain: boolean): string => {
  const phones = c.phones.map((p: LocatedDetail) => `<Phone>${el('TelephoneType', telephoneTypeOf(p.location))}${el('PhoneNo', p.value)}</Phone>`).join('');
  const emails = plain ? '' : c.emails.map((e) => `<${cx('Email')} location="${esc(e.location)}">${esc(e.value)}</${cx('Email')}>`).join('');
  // A plain CTF has one Email per contact and no location: the MIS's Home (or Work) address.
  const standardEmail = plain ? (c.emails.find((e) => /^(home|work)$/i.test(e.location.trim())) ?? null) : (c.emails[0] ?? null);
  return (
    '<Contact>' +
    el('Order', String(l.priority)) +
    el('Surname', c.name.family) +
    el('Forename', c.name.given) +
    el('Relationship', plain ? relationshipCodeOf(l.relationship) : l.relationship) +
    el('Responsibility', l.parentalResponsibility ? 'true' : 'false') +
    (phones === '' ? '' : `<Phones>${phones}</Phones>`) +
    (standardEmail === null ? '' : el('Email', standardEmail.value)) +
    (plain || c.positional === true ? '' : el(cx('ContactId'), c.externalId)) +
    (emails === '' ? '' : `<${cx('Emails')}>${emails}</${cx('Emails')}>`) +
    '</Contact>'
  );
};

const rollXml = (m: MisMember): string => {
  const r = m.roll;
  switch (r.status) {
    case 'on-roll':
      return el(cx('RollStatus'), ROLL_STATUS.onRoll) + el(cx('AdmissionDate'), r.admissionDate);
    case 'leaver':
      return el(cx('RollStatus'), ROLL_STATUS.leaver) + el(cx('LeavingDate'), r.leftOn);
    case 'applicant':
      return (
        el(cx('RollStatus'), ROLL_STATUS.applicant) +
        el(cx('AdmissionDate'), r.intakeAdmissionDate) +
        `<${cx('ApplicationStatus')} standard="${r.application.standardStatus}">${esc(r.application.status)}</${cx('ApplicationStatus')}>`
      );
  }
};

const personXml = (
  m: MisMember,
  links: ReadonlyArray<MisLink>,
  contacts: ReadonlyMap<string, MisContact>,
  plain = false,
): string => {
  const tag = m.kind === 'student' ? 'Pupil' : cx('Staff');
  const ref = m.kind === 'student' ? el('UPN', m.misReference) : el(cx('StaffCode'), m.misReference);
  const cs = links
    .filter((l) => contacts.has(l.contactExternalId))
    .map((l) => contactXml(contacts.get(l.contactExternalId)!, l, plain))
    .join('');
  const ours = plain ? '' : el(cx('PersonId'), m.externalId) + rollXml(m) + (m.parentsRefusedSharing ? el(cx('ParentsRefusedSharing'), 'true') : '');
  return `<${tag}>${ref}${el('Surname', m.name.family)}${el('Forename', m.name.given)}${cs === '' ? '' : `<Contacts>${cs}</Contacts>`}${ours}</${tag}>\n`;
};

/** The CTF text of a snapshot, in pieces. */
export function* ctfChunks(s: MisSnapshot, o: CtfWriteOptions = {}): Generator<string> {
  const contacts = new Map(s.contacts.map((c) => [c.externalId, c]));
  const links = new Map<string, MisLink[]>();
  for (const l of s.links) {
    const list = links.get(l.memberExternalId) ?? [];
    list.push(l);
    links.set(l.memberExternalId, list);
  }
  const areas = (tag: string, list: ReadonlyArray<string>): string => `<${cx(tag)}>${list.map((a) => el(cx('Area'), a)).join('')}</${cx(tag)}>`;
  const plain = o.plain === true;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield plain ? '<CTfile>\n' : `<CTfile xmlns:${EXTENSION_PREFIX}="${EXTENSION_NS}">\n`;
  yield (
    '<Header>' +
    el('DocumentName', 'Common Transfer File') +
    el('CTFversion', '25.0') +
    el('DateTime', o.dateTime ?? '2026-09-01T06:00:00') +
    el('DocumentQualifier', o.qualifier ?? (s.partial === true ? 'partial' : 'full')) +
    el('SupplierID', o.supplier ?? s.source.system.toUpperCase()) +
    `<SourceSchool>${el('LEA', o.lea ?? s.source.schoolRef?.split('/')[0] ?? '999')}${el('Estab', o.estab ?? s.source.schoolRef?.split('/')[1] ?? '9999')}${el('SchoolName', s.source.schoolName ?? '')}${el('AcademicYear', o.academicYear ?? '2026')}</SourceSchool>` +
    `<DestSchool>${el('LEA', 'MMM')}${el('Estab', 'MMMM')}</DestSchool>` +
    (plain ? '' : el(cx('Region'), s.source.region) + areas('Areas', s.areas) + (s.permissionFailures.length > 0 ? areas('PermissionFailures', s.permissionFailures) : '')) +
    '</Header>\n'
  );
  const byPriority = (m: MisMember): MisLink[] => [...(links.get(m.externalId) ?? [])].sort((a, b) => a.priority - b.priority);
  yield '<CTFpupilData>\n';
  // A plain CTF lists the pupils on roll (it has no way to say leaver or applicant).
  for (const m of s.members) if (m.kind === 'student' && (!plain || (m.roll.status === 'on-roll' && m.misReference !== null))) yield personXml(m, byPriority(m), contacts, plain);
  yield '</CTFpupilData>\n';
  if (plain) {
    yield '</CTfile>\n';
    return;
  }
  if (s.members.some((m) => m.kind === 'staff') || s.areas.includes('staff')) {
    yield `<${cx('StaffData')}>\n`;
    for (const m of s.members) if (m.kind === 'staff') yield personXml(m, byPriority(m), contacts);
    yield `</${cx('StaffData')}>\n`;
  }
  if (s.groups.length > 0 || s.areas.includes('groups')) {
    yield `<${cx('Groups')}>\n`;
    for (const g of s.groups) {
      yield `<${cx('Group')} id="${esc(g.externalId)}" kind="${esc(g.kind)}" active="${g.active}">${el(cx('Name'), g.name)}${g.memberExternalIds.map((m) => el(cx('Member'), m)).join('')}</${cx('Group')}>\n`;
    }
    yield `</${cx('Groups')}>\n`;
  }
  yield '</CTfile>\n';
}

/** The CTF text of a snapshot, whole (for small schools and tests). */
export const writeCtf = (s: MisSnapshot, o: CtfWriteOptions = {}): string => [...ctfChunks(s, o)].join('');
