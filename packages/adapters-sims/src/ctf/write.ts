/**
 * MisSnapshot -> CTF XML, piece by piece so a large school never sits in one string: with our extension
 * (names.ts: ids, roll status, staff, groups), or plain, as any MIS writes a CTF (no ids of ours: pupils on
 * roll with their UPN, contacts with only their order, one Email each, no staff and no groups).
 */
import { XMLBuilder } from 'fast-xml-parser';
import type { LocatedDetail, MisContact, MisLink, MisMember, MisSnapshot } from '@contactable/core';
import { EXTENSION_NS, EXTENSION_PREFIX, relationshipCodeOf, ROLL_STATUS, telephoneTypeOf } from './names.js';

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

// fast-xml-parser's builder escapes text and attribute values (& < > ' "); an element is written in
// the order of its object's keys, a list as repeated elements. Elements are built one person at a time.
type Node = { readonly [name: string]: string | Node | ReadonlyArray<Node> };
const builder = new XMLBuilder({ ignoreAttributes: false, attributeNamePrefix: '@_', textNodeName: '#text', format: false, suppressEmptyNode: false, suppressBooleanAttributes: false });
const xml = (node: Node): string => builder.build(node) as string;

const cx = (name: string): string => `${EXTENSION_PREFIX}:${name}`;
/** An element only when it has a value. */
const el = (name: string, value: string | null | undefined): Node => (value === null || value === undefined ? {} : { [name]: value });
/** An element only when its list is not empty. */
const list = (name: string, items: ReadonlyArray<Node>, wrap: (items: ReadonlyArray<Node>) => Node): Node => (items.length === 0 ? {} : { [name]: wrap(items) });

const contactNode = (c: MisContact, l: MisLink, plain: boolean): Node => {
  // A plain CTF has one Email per contact and no location: the MIS's Home (or Work) address.
  const standardEmail = plain ? c.emails.find((e) => /^(home|work)$/i.test(e.location.trim())) : c.emails[0];
  return {
    ...el('Order', String(l.priority)),
    ...el('Surname', c.name.family),
    ...el('Forename', c.name.given),
    ...el('Relationship', plain ? relationshipCodeOf(l.relationship) : l.relationship),
    ...el('Responsibility', l.parentalResponsibility ? 'true' : 'false'),
    ...list('Phones', c.phones.map((p: LocatedDetail) => ({ ...el('TelephoneType', telephoneTypeOf(p.location)), ...el('PhoneNo', p.value) })), (phones) => ({ Phone: phones })),
    ...el('Email', standardEmail?.value),
    ...(plain || c.positional === true ? {} : el(cx('ContactId'), c.externalId)),
    ...(plain ? {} : list(cx('Emails'), c.emails.map((e) => ({ '@_location': e.location, '#text': e.value })), (emails) => ({ [cx('Email')]: emails }))),
  };
};

const rollNode = (m: MisMember): Node => {
  const r = m.roll;
  switch (r.status) {
    case 'on-roll':
      return { ...el(cx('RollStatus'), ROLL_STATUS.onRoll), ...el(cx('AdmissionDate'), r.admissionDate) };
    case 'leaver':
      return { ...el(cx('RollStatus'), ROLL_STATUS.leaver), ...el(cx('LeavingDate'), r.leftOn) };
    case 'applicant':
      return {
        ...el(cx('RollStatus'), ROLL_STATUS.applicant),
        ...el(cx('AdmissionDate'), r.intakeAdmissionDate),
        [cx('ApplicationStatus')]: { '@_standard': r.application.standardStatus, '#text': r.application.status },
      };
  }
};

const personXml = (m: MisMember, links: ReadonlyArray<MisLink>, contacts: ReadonlyMap<string, MisContact>, plain = false): string => {
  const tag = m.kind === 'student' ? 'Pupil' : cx('Staff');
  const ref = m.kind === 'student' ? el('UPN', m.misReference) : el(cx('StaffCode'), m.misReference);
  const cs = links.filter((l) => contacts.has(l.contactExternalId)).map((l) => contactNode(contacts.get(l.contactExternalId)!, l, plain));
  const ours: Node = plain ? {} : { ...el(cx('PersonId'), m.externalId), ...rollNode(m), ...(m.parentsRefusedSharing ? el(cx('ParentsRefusedSharing'), 'true') : {}) };
  return `${xml({
    [tag]: {
      ...ref,
      ...el('Surname', m.name.family),
      ...el('Forename', m.name.given),
      ...list('Contacts', cs, (contact) => ({ Contact: contact })),
      ...ours,
    },
  })}\n`;
};

/** The CTF text of a snapshot, in pieces. */
export function* ctfChunks(s: MisSnapshot, o: CtfWriteOptions = {}): Generator<string> {
  const contacts = new Map(s.contacts.map((c) => [c.externalId, c]));
  const links = new Map<string, MisLink[]>();
  for (const l of s.links) {
    const found = links.get(l.memberExternalId) ?? [];
    found.push(l);
    links.set(l.memberExternalId, found);
  }
  const areas = (names: ReadonlyArray<string>): Node => (names.length === 0 ? {} : { [cx('Area')]: names.map((a) => ({ '#text': a })) });
  const plain = o.plain === true;
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield plain ? '<CTfile>\n' : `<CTfile xmlns:${EXTENSION_PREFIX}="${EXTENSION_NS}">\n`;
  yield `${xml({
    Header: {
      DocumentName: 'Common Transfer File',
      CTFversion: '25.0',
      DateTime: o.dateTime ?? '2026-09-01T06:00:00',
      DocumentQualifier: o.qualifier ?? (s.partial === true ? 'partial' : 'full'),
      SupplierID: o.supplier ?? s.source.system.toUpperCase(),
      SourceSchool: {
        LEA: o.lea ?? s.source.schoolRef?.split('/')[0] ?? '999',
        Estab: o.estab ?? s.source.schoolRef?.split('/')[1] ?? '9999',
        SchoolName: s.source.schoolName ?? '',
        AcademicYear: o.academicYear ?? '2026',
      },
      DestSchool: { LEA: 'MMM', Estab: 'MMMM' },
      ...(plain
        ? {}
        : {
            ...el(cx('Region'), s.source.region),
            [cx('Areas')]: areas(s.areas),
            ...(s.permissionFailures.length > 0 ? { [cx('PermissionFailures')]: areas(s.permissionFailures) } : {}),
          }),
    },
  })}\n`;
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
      yield `${xml({
        [cx('Group')]: {
          '@_id': g.externalId,
          '@_kind': g.kind,
          '@_active': String(g.active),
          ...el(cx('Name'), g.name),
          ...(g.memberExternalIds.length === 0 ? {} : { [cx('Member')]: g.memberExternalIds.map((id) => ({ '#text': id })) }),
        },
      })}\n`;
    }
    yield `</${cx('Groups')}>\n`;
  }
  yield '</CTfile>\n';
}

/** The CTF text of a snapshot, whole (for small schools and tests). */
export const writeCtf = (s: MisSnapshot, o: CtfWriteOptions = {}): string => [...ctfChunks(s, o)].join('');
