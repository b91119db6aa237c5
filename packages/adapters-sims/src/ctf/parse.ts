/**
 * CTF XML -> MisSnapshot, streamed record by record (see splitter.ts), each record
 * read with fast-xml-parser. Without our extension (names.ts) a CTF still parses:
 * - a pupil's id is a hash of its UPN (the UPN itself is personal data and ids are not);
 * - every pupil is on roll;
 * - a contact's id is the pupil's id and its Order, marked positional: a CTF says nothing of siblings
 *   sharing a parent, so the import decides who is one person (core import/identity.ts);
 * - the single Email of a contact is taken as at `emailLocation` (Home by default);
 * - the areas covered are members and contacts;
 * - a header whose DocumentQualifier is `partial` makes a partial snapshot (the import then removes no one).
 */
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DataArea, LocatedDetail, MisContact, MisMember, MisRoll, MisSnapshot, PhoneRegion, StandardApplicationStatus } from '@contactable/core';
import { DataArea as DataAreaCodec, PhoneRegion as PhoneRegionCodec, StandardApplicationStatus as StandardCodec } from '@contactable/core';
import { SnapshotBuilder } from '../builder.js';
import { parseDate } from '../dates.js';
import { decodeUtf8 } from '../decode.js';
import { failWith, toParseError, type ParseError } from '../errors.js';
import type { ByteSource } from '../source.js';
import { EXTENSION_NS, RELATIONSHIPS, ROLL_STATUS, TELEPHONE_TYPES } from './names.js';
import { splitRecords, type XmlRecord, type XmlRoot } from './splitter.js';

/** Options of the CTF parser. */
export interface CtfOptions {
  /** The system ids are scoped by; by default from the header's SupplierID (SIMS -> `sims`). */
  readonly system?: string;
  /** The region of phone numbers with no country code, when the file does not say. */
  readonly region?: PhoneRegion;
  /** The location given to a contact's standard Email element. */
  readonly emailLocation?: string;
}

// No isArray option: it makes the parser build a path string per tag; listOf() takes one or many instead.
type Node = Record<string, unknown>;
// With no DOCTYPE, only XML's five entities and character references are defined.
const BARE_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);)/;

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
});

const textOf = (v: unknown): string | null => {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.trim();
  if (typeof v === 'object' && '#text' in (v as Node)) return String((v as Node)['#text']).trim();
  if (typeof v === 'object') return '';
  return String(v);
};
const nodeOf = (v: unknown): Node | null => (typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Node) : null);
const listOf = (v: unknown): ReadonlyArray<unknown> => (Array.isArray(v) ? v : v === undefined || v === null || v === '' ? [] : [v]);

const hashId = (prefix: string, value: string): string => `${prefix}-${createHash('sha256').update(value).digest('hex').slice(0, 20)}`;
const bool = (s: string | null): boolean => s !== null && ['true', '1', 'yes', 'y'].includes(s.toLowerCase());

/** Parses a CTF file into a snapshot. */
export const parseCtf = async (source: ByteSource, options: CtfOptions = {}): Promise<E.Either<ParseError, MisSnapshot>> => {
  const file = source.name;
  let ext = '';
  const x = (name: string): string => `${ext}${name}`;
  const b = new SnapshotBuilder(file, { system: options.system ?? 'sims', schoolRef: null, schoolName: null, region: options.region ?? 'GB' });
  let headerSeen = false;
  let areasGiven = false;
  let staffSeen = false;
  let groupsSeen = false;

  const onRoot = (root: XmlRoot): void => {
    if (root.name !== 'CTfile') failWith('not-this-format', file, { line: 1, element: root.name }, 'this is XML but not a Common Transfer File (its root element is not <CTfile>)');
    const bound = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*["']${EXTENSION_NS.replace(/[.:]/g, '\\$&')}["']`).exec(root.startTag);
    ext = bound === null ? '\u0000none:' : `${bound[1]}:`;
  };

  // fast-xml-parser's parse is lenient: the splitter has checked tags and attributes, and entities are checked
  // here; should the parser still fail, its validator says where.
  const readRecord = (rec: XmlRecord): Node => {
    const amp = BARE_AMPERSAND.exec(rec.text);
    if (amp !== null) {
      const before = rec.text.slice(0, amp.index).split('\n');
      const line = rec.line + before.length - 1;
      const column = before.length === 1 ? rec.column + amp.index : before[before.length - 1]!.length + 1;
      return failWith('malformed-xml', file, { line, column, element: rec.name }, 'an & must be written &amp; (only &amp; &lt; &gt; &quot; &apos; and character references are defined)');
    }
    try {
      return nodeOf(xml.parse(rec.text)) ?? {};
    } catch {
      const v = XMLValidator.validate(rec.text);
      const line = v === true ? rec.line : rec.line + v.err.line - 1;
      const column = v === true ? rec.column : v.err.line === 1 ? rec.column + v.err.col - 1 : v.err.col;
      return failWith('malformed-xml', file, { line, column, element: rec.name }, 'this element is not well-formed XML');
    }
  };

  const header = (h: Node, rec: XmlRecord): void => {
    headerSeen = true;
    // A partial CTF (one pupil's correction) says nothing about the pupils it leaves out: the import removes no one.
    const qualifier = textOf(h['DocumentQualifier']);
    if (qualifier !== null && qualifier !== '') {
      const q = qualifier.toLowerCase();
      if (q !== 'full' && q !== 'partial') failWith('invalid-value', file, { line: rec.line, element: 'DocumentQualifier' }, 'is not full or partial');
      b.partial = q === 'partial';
    }
    const supplier = textOf(h['SupplierID']);
    if (options.system === undefined && supplier) b.source = { ...b.source, system: supplier.toLowerCase() };
    const school = nodeOf(h['SourceSchool']);
    if (school !== null) {
      const lea = textOf(school['LEA']);
      const estab = textOf(school['Estab']);
      b.source = { ...b.source, schoolRef: lea && estab ? `${lea}/${estab}` : estab || null, schoolName: textOf(school['SchoolName']) || null };
    }
    const region = textOf(h[x('Region')]);
    if (region !== null && options.region === undefined) {
      if (!PhoneRegionCodec.is(region)) failWith('invalid-value', file, { line: rec.line, element: x('Region') }, 'is not one of GB, US, IE');
      b.source = { ...b.source, region: region as PhoneRegion };
    }
    const areaList = (v: unknown, el: string): DataArea[] =>
      listOf(nodeOf(v)?.[x('Area')]).map((a) => {
        const s = textOf(a) ?? '';
        if (!DataAreaCodec.is(s)) failWith('invalid-value', file, { line: rec.line, element: el }, `holds an area that is not one of ${Object.keys(DataAreaCodec.keys).join(', ')}`);
        return s as DataArea;
      });
    if (h[x('Areas')] !== undefined) {
      areasGiven = true;
      for (const a of areaList(h[x('Areas')], x('Areas'))) b.areas.add(a);
    }
    for (const a of areaList(h[x('PermissionFailures')], x('PermissionFailures'))) b.permissionFailures.add(a);
  };

  const roll = (p: Node, rec: XmlRecord): MisRoll => {
    const where = (el: string) => ({ line: rec.line, element: x(el) });
    const status = textOf(p[x('RollStatus')]) ?? ROLL_STATUS.onRoll;
    const admission = parseDate(textOf(p[x('AdmissionDate')]) ?? '', file, where('AdmissionDate'));
    switch (status) {
      case ROLL_STATUS.onRoll:
        return { status: 'on-roll', admissionDate: admission };
      case ROLL_STATUS.leaver:
        return { status: 'leaver', leftOn: parseDate(textOf(p[x('LeavingDate')]) ?? '', file, where('LeavingDate')) };
      case ROLL_STATUS.applicant: {
        const app = p[x('ApplicationStatus')];
        const name = textOf(app);
        const standard = (nodeOf(app)?.['@_standard'] as string | undefined) ?? name?.toLowerCase() ?? '';
        if (name === null || !StandardCodec.is(standard)) failWith('invalid-value', file, where('ApplicationStatus'), 'an applicant needs an application status linked to Applied, Offered, Accepted, Admitted, Reserved, Rejected or Withdrawn');
        if (admission === null) failWith('missing-element', file, where('AdmissionDate'), "an applicant needs the intake's admission date");
        return { status: 'applicant', application: { status: name!, standardStatus: standard as StandardApplicationStatus }, intakeAdmissionDate: admission! };
      }
      default:
        return failWith('invalid-value', file, where('RollStatus'), `is not one of ${Object.values(ROLL_STATUS).join(', ')}`);
    }
  };

  const contact = (c: Node, memberExt: string, rec: XmlRecord): void => {
    const orderText = textOf(c['Order']) ?? '';
    const order = Number(orderText);
    if (!/^\d+$/.test(orderText) || order < 1) failWith('invalid-value', file, { line: rec.line, element: 'Contact', field: 'Order' }, 'a contact Order must be a whole number from 1');
    const given = textOf(c[x('ContactId')]);
    // A plain CTF gives a contact no id: one made from the pupil and the order says where it stood, not who it is.
    const positional = !given;
    const externalId = given || `${memberExt}/contact-${order}`;
    const phones: LocatedDetail[] = listOf(nodeOf(c['Phones'])?.['Phone']).flatMap((ph) => {
      const n = nodeOf(ph) ?? {};
      const value = textOf(n['PhoneNo']) ?? '';
      const type = textOf(n['TelephoneType']) ?? '';
      return value === '' ? [] : [{ value, location: TELEPHONE_TYPES[type.toUpperCase()] ?? type }];
    });
    const extEmails = nodeOf(c[x('Emails')]);
    const emails: LocatedDetail[] =
      extEmails !== null
        ? listOf(extEmails[x('Email')]).flatMap((e) => {
            const value = textOf(e) ?? '';
            return value === '' ? [] : [{ value, location: (nodeOf(e)?.['@_location'] as string | undefined) ?? options.emailLocation ?? 'Home' }];
          })
        : listOf(c['Email']).flatMap((e) => {
            const value = textOf(e) ?? '';
            return value === '' ? [] : [{ value, location: options.emailLocation ?? 'Home' }];
          });
    const relationship = textOf(c['Relationship']) ?? '';
    const mis: MisContact = { externalId, name: { given: textOf(c['Forename']) ?? '', family: textOf(c['Surname']) ?? '' }, emails, phones, ...(positional ? { positional: true } : {}) };
    b.addContact(mis);
    b.addLink(
      { memberExternalId: memberExt, contactExternalId: externalId, relationship: RELATIONSHIPS[relationship.toUpperCase()] ?? relationship, priority: order, parentalResponsibility: bool(textOf(c['Responsibility'])) },
      { line: rec.line, element: 'Contact' },
    );
  };

  const person = (p: Node, rec: XmlRecord, kind: 'student' | 'staff'): void => {
    const ref = kind === 'student' ? textOf(p['UPN']) || textOf(p['ApplicationReference']) : textOf(p[x('StaffCode')]);
    const id = textOf(p[x('PersonId')]) || (ref ? hashId(kind === 'student' ? 'upn' : 'staff', ref) : null);
    if (id === null) failWith('missing-element', file, { line: rec.line, column: rec.column, element: rec.name, field: kind === 'student' ? 'UPN' : x('PersonId') }, 'a person needs an id (UPN or PersonId)');
    const member: MisMember = {
      externalId: id!,
      kind,
      name: { given: textOf(p['Forename']) ?? '', family: textOf(p['Surname']) ?? '' },
      misReference: ref || null,
      roll: roll(p, rec),
      parentsRefusedSharing: bool(textOf(p[x('ParentsRefusedSharing')])),
    };
    b.addMember(member, { line: rec.line, column: rec.column, element: rec.name });
    for (const c of listOf(nodeOf(p['Contacts'])?.['Contact'])) contact(nodeOf(c) ?? {}, id!, rec);
  };

  const group = (g: Node, rec: XmlRecord): void => {
    const id = (g['@_id'] as string | undefined)?.trim();
    if (!id) failWith('missing-element', file, { line: rec.line, element: rec.name, field: 'id' }, 'a group needs an id attribute');
    b.addGroup(
      {
        externalId: id!,
        name: textOf(g[x('Name')]) ?? '',
        kind: (g['@_kind'] as string | undefined) ?? 'other',
        active: (g['@_active'] as string | undefined) === undefined ? true : bool(g['@_active'] as string),
        memberExternalIds: listOf(g[x('Member')]).map((m) => textOf(m) ?? '').filter((m) => m !== ''),
      },
      { line: rec.line, column: rec.column, element: rec.name },
    );
  };

  try {
    for await (const rec of splitRecords(file, decodeUtf8(source), onRoot)) {
      if (rec.section === '' && rec.name === 'Header') {
        header(nodeOf(readRecord(rec)['Header']) ?? {}, rec);
      } else if (rec.section === 'CTFpupilData' && rec.name === 'Pupil') {
        person(nodeOf(readRecord(rec)['Pupil']) ?? {}, rec, 'student');
      } else if (rec.section === x('StaffData') && rec.name === x('Staff')) {
        staffSeen = true;
        person(nodeOf(readRecord(rec)[x('Staff')]) ?? {}, rec, 'staff');
      } else if (rec.section === x('Groups') && rec.name === x('Group')) {
        groupsSeen = true;
        group(nodeOf(readRecord(rec)[x('Group')]) ?? {}, rec);
      }
    }
    if (!headerSeen) failWith('missing-element', file, { element: 'Header' }, 'a CTF needs a <Header>');
    if (!areasGiven) {
      b.areas.add('members');
      b.areas.add('contacts');
      if (staffSeen) b.areas.add('staff');
      if (groupsSeen) b.areas.add('groups');
    }
    return E.right(b.build());
  } catch (e) {
    return E.left(toParseError(e, file));
  }
};
