/** MisSnapshot -> CTF XML with our extension (names.ts), piece by piece so a large school never sits in one string. */
import { XMLBuilder } from 'fast-xml-parser';
import type { LocatedDetail, MisContact, MisLink, MisMember, MisSnapshot } from '@contactable/core';
import { EXTENSION_NS, EXTENSION_PREFIX, ROLL_STATUS, telephoneTypeOf } from './names.js';

/** How the file is labelled. */
export interface CtfWriteOptions {
  readonly supplier?: string;
  readonly lea?: string;
  readonly estab?: string;
  readonly academicYear?: string;
  readonly dateTime?: string;
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

const contactNode = (c: MisContact, l: MisLink): Node => ({
  ...el('Order', String(l.priority)),
  ...el('Surname', c.name.family),
  ...el('Forename', c.name.given),
  ...el('Relationship', l.relationship),
  ...el('Responsibility', l.parentalResponsibility ? 'true' : 'false'),
  ...list('Phones', c.phones.map((p: LocatedDetail) => ({ ...el('TelephoneType', telephoneTypeOf(p.location)), ...el('PhoneNo', p.value) })), (phones) => ({ Phone: phones })),
  ...el('Email', c.emails[0]?.value),
  ...el(cx('ContactId'), c.externalId),
  ...list(cx('Emails'), c.emails.map((e) => ({ '@_location': e.location, '#text': e.value })), (emails) => ({ [cx('Email')]: emails })),
});

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

const personXml = (m: MisMember, links: ReadonlyArray<MisLink>, contacts: ReadonlyMap<string, MisContact>): string => {
  const tag = m.kind === 'student' ? 'Pupil' : cx('Staff');
  const ref = m.kind === 'student' ? el('UPN', m.misReference) : el(cx('StaffCode'), m.misReference);
  const cs = links.filter((l) => contacts.has(l.contactExternalId)).map((l) => contactNode(contacts.get(l.contactExternalId)!, l));
  return `${xml({
    [tag]: {
      ...ref,
      ...el('Surname', m.name.family),
      ...el('Forename', m.name.given),
      ...list('Contacts', cs, (contact) => ({ Contact: contact })),
      ...el(cx('PersonId'), m.externalId),
      ...rollNode(m),
      ...(m.parentsRefusedSharing ? el(cx('ParentsRefusedSharing'), 'true') : {}),
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
  yield '<?xml version="1.0" encoding="UTF-8"?>\n';
  yield `<CTfile xmlns:${EXTENSION_PREFIX}="${EXTENSION_NS}">\n`;
  yield `${xml({
    Header: {
      DocumentName: 'Common Transfer File',
      CTFversion: '25.0',
      DateTime: o.dateTime ?? '2026-09-01T06:00:00',
      DocumentQualifier: 'partial',
      SupplierID: o.supplier ?? s.source.system.toUpperCase(),
      SourceSchool: {
        LEA: o.lea ?? s.source.schoolRef?.split('/')[0] ?? '999',
        Estab: o.estab ?? s.source.schoolRef?.split('/')[1] ?? '9999',
        SchoolName: s.source.schoolName ?? '',
        AcademicYear: o.academicYear ?? '2026',
      },
      DestSchool: { LEA: 'MMM', Estab: 'MMMM' },
      ...el(cx('Region'), s.source.region),
      [cx('Areas')]: areas(s.areas),
      ...(s.permissionFailures.length > 0 ? { [cx('PermissionFailures')]: areas(s.permissionFailures) } : {}),
    },
  })}\n`;
  const byPriority = (m: MisMember): MisLink[] => [...(links.get(m.externalId) ?? [])].sort((a, b) => a.priority - b.priority);
  yield '<CTFpupilData>\n';
  for (const m of s.members) if (m.kind === 'student') yield personXml(m, byPriority(m), contacts);
  yield '</CTFpupilData>\n';
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
