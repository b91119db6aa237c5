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
 *
 * Hostile or broken files are refused whole, before anything is imported: a section or record a
 * CTF does not have (a misspelt `<CTFPupilData>` would otherwise hide every pupil and mark them
 * leavers), no pupils at all, two pupils with one UPN, a file over the import limits (limits.ts).
 * Character references are read as XML defines them; control characters (other than tab and
 * newline), raw or as references, are removed and the snapshot says where (never what).
 */
import { createHash } from 'node:crypto';
import * as E from 'fp-ts/lib/Either.js';
import { XMLParser, XMLValidator } from 'fast-xml-parser';
import type { DataArea, ImportLimitsOverride, LocatedDetail, MisContact, MisMember, MisRoll, MisSnapshot, PhoneRegion, StandardApplicationStatus } from '@contactable/core';
import { DataArea as DataAreaCodec, PhoneRegion as PhoneRegionCodec, StandardApplicationStatus as StandardCodec } from '@contactable/core';
import { SnapshotBuilder } from '../builder.js';
import { parseDate } from '../dates.js';
import { decodeText } from '../decode.js';
import { failWith, toParseError, type ParseError } from '../errors.js';
import { count, fieldChecks, hasControlCharacters, limitsFrom, overLimit } from '../limits.js';
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
  /** Limits over the defaults (the import settings' `limits`). */
  readonly limits?: ImportLimitsOverride;
}

// No isArray option: it makes the parser build a path string per tag; listOf() takes one or many instead.
type Node = Record<string, unknown>;
// With no DOCTYPE, only XML's five entities and character references are defined.
const BARE_AMPERSAND = /&(?!(?:amp|lt|gt|quot|apos|#\d+|#x[0-9A-Fa-f]+);)/;
// Character references outside CDATA sections and comments (which keep their text as written).
const CHARACTER_REFERENCE = /<!\[CDATA\[[\s\S]*?\]\]>|<!--[\s\S]*?-->|&#(x[0-9A-Fa-f]+|[0-9]+);/g;
const ESCAPED: Readonly<Record<string, string>> = { '<': '&lt;', '&': '&amp;', '>': '&gt;', '"': '&quot;', "'": '&apos;' };

/** The sections of a CTF (children of CTfile); `x` adds the extension's prefix. */
const sectionsOf = (x: (name: string) => string): ReadonlyMap<string, string> =>
  new Map([
    ['Header', ''],
    ['CTFpupilData', 'Pupil'],
    [x('StaffData'), x('Staff')],
    [x('Groups'), x('Group')],
  ]);

// Levenshtein distance, for "did you mean": names are short and the known ones are four.
const distance = (a: string, b: string): number => {
  const row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
};

const suggestion = (name: string, known: ReadonlyArray<string>): string => {
  const near = known.find((k) => k.toLowerCase() === name.toLowerCase()) ?? known.find((k) => distance(k.toLowerCase(), name.toLowerCase()) <= 2);
  return near !== undefined ? `did you mean <${near}>?` : `a CTF holds ${known.map((k) => `<${k}>`).join(', ')}`;
};

const xml = new XMLParser({
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  trimValues: true,
  processEntities: true,
  htmlEntities: false,
  // Callbacks would get the path as a string, built at every tag; we use none, so it need not be built.
  jPath: false,
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

// An element name safe to repeat in a message (what the file calls it, if it is a plain XML name).
const NAME_SAFE = /^[A-Za-z_][\w.\-]{0,63}(?::[A-Za-z_][\w.\-]{0,63})?$/;

const hashId = (prefix: string, value: string): string => `${prefix}-${createHash('sha256').update(value).digest('hex').slice(0, 20)}`;
const bool = (s: string | null): boolean => s !== null && ['true', '1', 'yes', 'y'].includes(s.toLowerCase());

/** Parses a CTF file into a snapshot. */
export const parseCtf = async (source: ByteSource, options: CtfOptions = {}): Promise<E.Either<ParseError, MisSnapshot>> => {
  const file = source.name;
  const limits = limitsFrom(options.limits);
  const checks = fieldChecks(() => file, limits);
  let ext = '';
  const x = (name: string): string => `${ext}${name}`;
  const b = new SnapshotBuilder(file, { system: options.system ?? 'sims', schoolRef: null, schoolName: null, region: options.region ?? 'GB' });
  let sections: ReadonlyMap<string, string> = new Map();
  let pupils = 0;
  let headerSeen = false;
  let areasGiven = false;
  let staffSeen = false;
  let groupsSeen = false;

  const onRoot = (root: XmlRoot): void => {
    if (root.name !== 'CTfile') failWith('not-this-format', file, { line: 1, element: root.name }, 'this is XML but not a Common Transfer File (its root element is not <CTfile>)');
    const bound = new RegExp(`xmlns:([A-Za-z_][\\w.-]*)\\s*=\\s*["']${EXTENSION_NS.replace(/[.:]/g, '\\$&')}["']`).exec(root.startTag);
    ext = bound === null ? '\u0000none:' : `${bound[1]}:`;
    sections = sectionsOf(x);
  };

  const onSection = (name: string, line: number, column: number): void => {
    if (sections.has(name)) return;
    const known = [...sections.keys()].filter((k) => !k.startsWith('\u0000'));
    failWith('unknown-element', file, { line, column, element: NAME_SAFE.test(name) ? name : null }, `this is not a section of a CTF (${suggestion(name, known)}); a section the import does not know could hold pupils it would then mark leavers, so the file is refused`);
  };

  // Control characters are removed from every value of a record, each place recorded (record line, element path).
  // The path names the field below the record's own element (Contacts/Contact[2]/Surname), never a value.
  const clean = (v: unknown, rec: XmlRecord, path: string | null): unknown => {
    if (typeof v === 'string') return b.cleaner.clean(v, file, { line: rec.line, element: rec.name, field: path });
    if (Array.isArray(v)) return v.map((item, i) => clean(item, rec, v.length > 1 ? `${path ?? ''}[${i + 1}]` : path));
    if (typeof v === 'object' && v !== null) {
      const out: Node = {};
      for (const [k, child] of Object.entries(v as Node)) {
        const name = k.replace(/^@_/, '@');
        out[k] = clean(child, rec, k === '#text' || (path === null && k === rec.name) ? path : path === null ? name : `${path}/${name}`);
      }
      return out;
    }
    return v;
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
    // The XML parser drops some character references and keeps others as text: read them here, as XML defines them.
    const text = !rec.text.includes('&#')
      ? rec.text
      : rec.text.replace(CHARACTER_REFERENCE, (whole: string, ref: string | undefined) => {
          if (ref === undefined) return whole;
          const code = ref.startsWith('x') ? Number.parseInt(ref.slice(1), 16) : Number.parseInt(ref, 10);
          if (!(code > 0 && code <= 0x10ffff) || (code >= 0xd800 && code <= 0xdfff)) {
            return failWith('malformed-xml', file, { line: rec.line, element: rec.name }, 'a character reference (&#...;) names no character');
          }
          const ch = String.fromCodePoint(code);
          return ESCAPED[ch] ?? ch;
        });
    let parsed: unknown;
    try {
      parsed = xml.parse(text);
    } catch {
      const v = XMLValidator.validate(text);
      const line = v === true ? rec.line : rec.line + v.err.line - 1;
      const column = v === true ? rec.column : v.err.line === 1 ? rec.column + v.err.col - 1 : v.err.col;
      return failWith('malformed-xml', file, { line, column, element: rec.name }, 'this element is not well-formed XML');
    }
    // Most records hold no control character at all: only those that do are walked and copied.
    return nodeOf(hasControlCharacters(text) ? clean(parsed, rec, null) : parsed) ?? {};
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
    const at = (field: string) => ({ line: rec.line, element: 'Contact', field });
    for (const e of emails) checks.email(e.value, at(extEmails !== null ? `${x('Emails')}/${x('Email')}` : 'Email'));
    for (const p of phones) checks.phone(p.value, at('Phones/Phone/PhoneNo'));
    const name = { given: checks.name(textOf(c['Forename']) ?? '', at('Forename')), family: checks.name(textOf(c['Surname']) ?? '', at('Surname')) };
    const mis: MisContact = { externalId, name, emails, phones, ...(positional ? { positional: true } : {}) };
    b.addContact(mis, at(positional ? 'Order' : x('ContactId')));
    b.addLink(
      { memberExternalId: memberExt, contactExternalId: externalId, relationship: RELATIONSHIPS[relationship.toUpperCase()] ?? relationship, priority: order, parentalResponsibility: bool(textOf(c['Responsibility'])) },
      { line: rec.line, element: 'Contact' },
    );
  };

  const person = (p: Node, rec: XmlRecord, kind: 'student' | 'staff'): void => {
    const ref = kind === 'student' ? textOf(p['UPN']) || textOf(p['ApplicationReference']) : textOf(p[x('StaffCode')]);
    const id = textOf(p[x('PersonId')]) || (ref ? hashId(kind === 'student' ? 'upn' : 'staff', ref) : null);
    if (id === null) failWith('missing-element', file, { line: rec.line, column: rec.column, element: rec.name, field: kind === 'student' ? 'UPN' : x('PersonId') }, 'a person needs an id (UPN or PersonId)');
    if (kind === 'student' && ++pupils > limits.maxPupils) {
      overLimit(file, { line: rec.line, column: rec.column, element: rec.name }, `the export holds more than ${count(limits.maxPupils)} pupils`, 'maxPupils', `${count(limits.maxPupils)} pupils`);
    }
    const at = (field: string) => ({ line: rec.line, column: rec.column, element: rec.name, field });
    const member: MisMember = {
      externalId: id!,
      kind,
      name: { given: checks.name(textOf(p['Forename']) ?? '', at('Forename')), family: checks.name(textOf(p['Surname']) ?? '', at('Surname')) },
      misReference: ref || null,
      roll: roll(p, rec),
      parentsRefusedSharing: bool(textOf(p[x('ParentsRefusedSharing')])),
    };
    b.addMember(member, { line: rec.line, column: rec.column, element: rec.name }, kind === 'student' ? (textOf(p['UPN']) ? 'UPN' : 'ApplicationReference') : x('StaffCode'));
    const orders = new Set<string>();
    for (const c of listOf(nodeOf(p['Contacts'])?.['Contact'])) {
      // Without the extension's ContactId, Order is what tells a pupil's contacts apart.
      const order = textOf(nodeOf(c)?.['Order']) ?? '';
      if (orders.has(order) && !textOf(nodeOf(c)?.[x('ContactId')])) failWith('duplicate-id', file, { line: rec.line, element: 'Contact', field: 'Order' }, 'two contacts of this pupil have the same Order');
      orders.add(order);
      contact(nodeOf(c) ?? {}, id!, rec);
    }
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
    for await (const rec of splitRecords(file, decodeText(source, { maxFileBytes: limits.maxFileBytes }), onRoot, { limits, onSection })) {
      if (rec.section !== '' && sections.get(rec.section) !== rec.name) {
        const expected = sections.get(rec.section)!;
        failWith('unknown-element', file, { line: rec.line, column: rec.column, element: NAME_SAFE.test(rec.name) ? rec.name : null }, `<${rec.section}> holds <${expected}> records, not this (${suggestion(rec.name, [expected])}); the file is refused rather than leave out what it holds`);
      }
      if (rec.section === '' && rec.name === 'Header') {
        if (headerSeen) failWith('malformed-xml', file, { line: rec.line, column: rec.column, element: 'Header' }, 'a CTF has one <Header>, and this is a second');
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
    if (pupils === 0 && b.areas.has('members') && !b.permissionFailures.has('members')) {
      failWith('no-pupils', file, { element: 'CTFpupilData' }, 'the export holds no pupils (no <Pupil> in <CTFpupilData>): importing it would mark every pupil held a leaver, so it is refused. Export again from the MIS, with the pupils');
    }
    return E.right(b.build());
  } catch (e) {
    return E.left(toParseError(e, file));
  }
};
