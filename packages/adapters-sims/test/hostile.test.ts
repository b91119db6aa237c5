/**
 * Hostile and malformed exports (issue 14's trial): every one below was taken silently, hung, or failed
 * with an unclear message before. Each is now read whole or refused whole, naming the file, the place
 * and (for a limit) the limit; a refused file changes nothing in the store; no message holds a value.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import {
  bytesSource,
  CONTROL_CHARACTERS_REMOVED,
  fileSource,
  hasControlCharacters,
  parseAddressBookCsv,
  parseCtf,
  parseOneRoster,
  parseSimsCsv,
  textSource,
  type ByteSource,
  type ParseError,
} from '@contactable/adapters-sims';
import { defaultImportLimits, type ImportLimitsOverride, type MisSnapshot } from '@contactable/core';
import { eventCount, harness, heldOf, settings } from '../../core/test/import/fixtures.js';
import { canonical, fixture } from './helpers.js';
import { zerosBomb, zipOf, crc32 } from './support/zip.js';

const hostile = (name: string): string => fixture(`hostile/${name}`);
const sims = (folder: string, limits?: ImportLimitsOverride) =>
  parseSimsCsv({ students: fileSource(hostile(`${folder}/students.csv`)), contacts: fileSource(hostile(`${folder}/contacts.csv`)) }, limits === undefined ? {} : { limits });

const right = <T>(r: E.Either<ParseError, T>): T => {
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right;
};

/** The school of good.ctf.xml, imported: the store a bad file must leave as it is. */
const heldSchool = async () => {
  const h = harness();
  await h.run(right(await parseCtf(fileSource(hostile('good.ctf.xml')))), settings(), '2026-09-01');
  return h;
};

/** Parses, imports only a good parse into a store that holds a school, and checks a refusal left it unchanged. */
const expectRefused = async (parsed: Promise<E.Either<ParseError, unknown>>, expected: Partial<ParseError>, secrets: ReadonlyArray<string> = []): Promise<ParseError> => {
  const h = await heldSchool();
  const before = await eventCount(h.store);
  const r = await parsed;
  if (E.isRight(r) && typeof r.right === 'object' && r.right !== null && 'members' in r.right) await h.run(r.right as MisSnapshot, settings(), '2026-09-02');
  expect(await eventCount(h.store)).toBe(before);
  expect(E.isLeft(r), 'the file should be refused').toBe(true);
  const err = (r as E.Left<ParseError>).left;
  expect(err).toMatchObject(expected);
  expect(err.message.startsWith(err.file)).toBe(true);
  for (const s of secrets) expect(err.message).not.toContain(s);
  return err;
};

/** A source made piece by piece, counting what the parser pulled: a refusal "while streaming" pulls little. */
const pulledSource = (name: string, pieces: () => Iterable<string>) => {
  let pulled = 0;
  const enc = new TextEncoder();
  const source: ByteSource = {
    name,
    read: async function* () {
      for (const p of pieces()) {
        const b = enc.encode(p);
        pulled += b.length;
        yield b;
      }
    },
  };
  return { source, pulled: () => pulled };
};

const CTF_HEAD = '<?xml version="1.0"?>\n<CTfile xmlns:cx="urn:contactable:ctf-extension:1">\n<Header><SupplierID>SIMS</SupplierID></Header>\n<CTFpupilData>\n';
const CTF_TAIL = '</CTFpupilData>\n</CTfile>\n';
const ctfOf = (pupils: string): string => `${CTF_HEAD}${pupils}${CTF_TAIL}`;
const pupilXml = (n: number, inner = ''): string => `<Pupil><UPN>A${String(n).padStart(12, '0')}</UPN><Surname>S</Surname><Forename>F</Forename>${inner}<cx:PersonId>P${n}</cx:PersonId></Pupil>\n`;
const MiB = 1 << 20;

describe('limits, enforced while streaming and named in the error', () => {
  it('a CTF holding one 200 MB text node is refused after the first 64 KiB, not after 10 minutes', async () => {
    const { source, pulled } = pulledSource('huge-text.xml', function* () {
      yield `${CTF_HEAD}<Pupil><UPN>A1</UPN><Surname>`;
      const block = 'x'.repeat(64 * 1024);
      for (let i = 0; i < (200 * MiB) / block.length; i++) yield block;
      yield `</Surname></Pupil>\n${CTF_TAIL}`;
    });
    const err = await expectRefused(parseCtf(source), { code: 'over-limit', limit: 'maxTextLength', file: 'huge-text.xml', element: 'Surname' });
    expect(err.message).toContain('limits.maxTextLength');
    expect(pulled()).toBeLessThan(MiB);
  });

  it('a name with 200,000 attributes is refused at the 33rd, having read a few KiB', async () => {
    const { source, pulled } = pulledSource('attributes.xml', function* () {
      yield `${CTF_HEAD}<Pupil><UPN>A1</UPN><Surname`;
      for (let i = 0; i < 200_000; i += 1000) yield Array.from({ length: 1000 }, (_, k) => ` a${i + k}="x"`).join('');
      yield `>S</Surname></Pupil>\n${CTF_TAIL}`;
    });
    await expectRefused(parseCtf(source), { code: 'over-limit', limit: 'maxAttributes', element: 'Surname', line: 5 });
    expect(pulled()).toBeLessThan(64 * 1024);
  });

  it('elements nested deeper than the limit are refused at the first one too deep', async () => {
    const deep = `${'<X>'.repeat(40)}${'</X>'.repeat(40)}`;
    await expectRefused(parseCtf(textSource('deep.xml', ctfOf(`<Pupil><UPN>A1</UPN>${deep}</Pupil>\n`))), { code: 'over-limit', limit: 'maxDepth', element: 'X' });
  });

  it('a comment or CDATA section that never ends is refused once it passes the text limit', async () => {
    const { source, pulled } = pulledSource('comment.xml', function* () {
      yield `${CTF_HEAD}<!--`;
      for (let i = 0; i < 3200; i++) yield 'c'.repeat(64 * 1024);
    });
    await expectRefused(parseCtf(source), { code: 'over-limit', limit: 'maxTextLength' });
    expect(pulled()).toBeLessThan(MiB);
  });

  it('one record over the record limit is refused, naming it and where it starts', async () => {
    const big = pupilXml(1, `<Note>${'n'.repeat(900)}</Note>`);
    await expectRefused(parseCtf(textSource('record.xml', ctfOf(pupilXml(2) + big)), { limits: { maxRecordLength: 500 } }), { code: 'over-limit', limit: 'maxRecordLength', element: 'Pupil', line: 6 });
  });

  it('a file over the size limit is refused unread when its size is known, and at the limit when streamed', async () => {
    let read = false;
    const known: ByteSource = {
      name: 'big.xml',
      size: defaultImportLimits.maxFileBytes + 1,
      read: async function* () {
        read = true;
        yield new Uint8Array(0);
      },
    };
    await expectRefused(parseCtf(known), { code: 'over-limit', limit: 'maxFileBytes', file: 'big.xml' });
    expect(read).toBe(false);
    const { source, pulled } = pulledSource('streamed.xml', function* () {
      for (let i = 0; i < 1000; i++) yield `${'<!-- padding -->'.repeat(64)}\n`;
    });
    await expectRefused(parseCtf(source, { limits: { maxFileBytes: 4096 } }), { code: 'over-limit', limit: 'maxFileBytes' });
    expect(pulled()).toBeLessThan(4096 + 2048);
  });

  it('names of 10,000 characters are refused in every format, naming the field and not the name', async () => {
    const long = `Secret${'x'.repeat(10_000)}`;
    await expectRefused(parseCtf(textSource('name.xml', ctfOf(`<Pupil><UPN>A1</UPN><Surname>${long}</Surname></Pupil>\n`))), { code: 'over-limit', limit: 'maxNameLength', field: 'Surname', line: 5 }, ['Secret']);
    const students = `Person ID,UPN,Legal Surname,Legal Forename,Enrolment Status\n1,A1,${long},Ann,Current\n`;
    await expectRefused(parseSimsCsv({ students: textSource('students.csv', students), contacts: textSource('contacts.csv', 'Person ID,Contact ID,Contact Surname,Contact Forename,Priority\n') }), { code: 'over-limit', limit: 'maxNameLength', file: 'students.csv', row: 1, field: 'Legal Surname' }, ['Secret']);
    const users = `sourcedId,role,givenName,familyName\nu1,student,${long},B\n`;
    await expectRefused(parseOneRoster({ files: { 'users.csv': textSource('users.csv', users) } }), { code: 'over-limit', limit: 'maxNameLength', row: 1, field: 'givenName' }, ['Secret']);
    const ab = await parseAddressBookCsv(textSource('ab.csv', `Reference,Forename,Surname\nG1,${long},B\n`));
    expect(E.isLeft(ab) && ab.left).toMatchObject({ code: 'over-limit', limit: 'maxNameLength', row: 1, field: 'Forename' });
  });

  it('R-CON-1 an email of 254 characters is kept; one of 255 is over the limit', async () => {
    const email = (n: number) => `${'a'.repeat(n - 12)}@example.org`;
    const contactsOf = (e: string) => `Person ID,Contact ID,Contact Surname,Contact Forename,Priority,Parental Responsibility,Email (Home)\n1,9,Evans,Bo,1,Yes,${e}\n`;
    const students = 'Person ID,UPN,Legal Surname,Legal Forename,Enrolment Status\n1,A1,Evans,Ann,Current\n';
    const ok = right(await parseSimsCsv({ students: textSource('s.csv', students), contacts: textSource('c.csv', contactsOf(email(254))) }));
    expect(ok.contacts[0]!.emails[0]!.value).toHaveLength(254);
    await expectRefused(parseSimsCsv({ students: textSource('s.csv', students), contacts: textSource('c.csv', contactsOf(email(255))) }), { code: 'over-limit', limit: 'maxEmailLength', file: 'c.csv', row: 1, field: 'Email (Home)' }, ['aaaa']);
  });

  it('R-CON-1 a phone of 20 digits is kept and marked invalid; 21 digits, or 1,000, are over the limit', async () => {
    const contact = (phone: string) => `<Contacts><Contact><Order>1</Order><Surname>E</Surname><Forename>R</Forename><Responsibility>true</Responsibility><Phones><Phone><TelephoneType>M</TelephoneType><PhoneNo>${phone}</PhoneNo></Phone></Phones></Contact></Contacts>`;
    const twenty = '0'.repeat(20);
    const snapshot = right(await parseCtf(textSource('p.xml', ctfOf(pupilXml(1, contact(twenty))))));
    const h = harness();
    const r = await h.run(snapshot);
    expect(r.plan.issues.invalidMobiles).toHaveLength(1);
    await expectRefused(parseCtf(textSource('p.xml', ctfOf(pupilXml(1, contact(`0${'1'.repeat(20)}`))))), { code: 'over-limit', limit: 'maxPhoneDigits', element: 'Contact', field: 'Phones/Phone/PhoneNo' });
    const err = await expectRefused(parseCtf(textSource('p.xml', ctfOf(pupilXml(1, contact('7'.repeat(1000)))))), { code: 'over-limit', limit: 'maxPhoneDigits' }, ['7777']);
    expect(err.message).toContain('1,000 digits');
  });

  it('rows and pupils per file, and the length of a CSV row, are bounded', async () => {
    const students = (n: number) => `Person ID,UPN,Legal Surname,Legal Forename,Enrolment Status\n${Array.from({ length: n }, (_, i) => `${i + 1},A${i + 1},S,F,Current`).join('\n')}\n`;
    const contacts = textSource('c.csv', 'Person ID,Contact ID,Contact Surname,Contact Forename,Priority\n');
    await expectRefused(parseSimsCsv({ students: textSource('s.csv', students(5)), contacts }, { limits: { maxRows: 3 } }), { code: 'over-limit', limit: 'maxRows', row: 4 });
    await expectRefused(parseSimsCsv({ students: textSource('s.csv', students(5)), contacts }, { limits: { maxPupils: 2 } }), { code: 'over-limit', limit: 'maxPupils', row: 3 });
    await expectRefused(parseCtf(textSource('x.xml', ctfOf(pupilXml(1) + pupilXml(2) + pupilXml(3))), { limits: { maxPupils: 2 } }), { code: 'over-limit', limit: 'maxPupils', line: 7 });
    const wide = `Person ID,UPN,Legal Surname,Legal Forename,Enrolment Status\n1,A1,"${'s'.repeat(500)}",F,Current\n`;
    await expectRefused(parseSimsCsv({ students: textSource('s.csv', wide), contacts }, { limits: { maxTextLength: 200 } }), { code: 'over-limit', limit: 'maxTextLength', file: 's.csv' });
  });
});

describe('structure: an export that would import wrong is refused whole, naming the file and place', () => {
  it('R-IMP-7 a well-formed CTF with no pupils is refused: it would mark every pupil a leaver', async () => {
    const err = await expectRefused(parseCtf(fileSource(hostile('no-pupils.ctf.xml'))), { code: 'no-pupils', file: 'no-pupils.ctf.xml' });
    expect(err.message).toContain('leaver');
  });

  it('R-IMP-10 a CTF with no pupils because the MIS user could not read them is still read (no one is marked a leaver)', async () => {
    const xml = CTF_HEAD.replace('</Header>', '<cx:PermissionFailures><cx:Area>members</cx:Area></cx:PermissionFailures></Header>') + CTF_TAIL;
    const s = right(await parseCtf(textSource('denied.xml', xml)));
    expect(s.permissionFailures).toEqual(['members']);
    const h = await heldSchool();
    const r = await h.run(s, settings(), '2026-09-02');
    expect(r.counts.leavers).toBe(0);
  });

  it('R-IMP-7 pupils under a misspelt section (<CTFPupilData>) are refused, with a suggestion, and no one becomes a leaver', async () => {
    const err = await expectRefused(parseCtf(fileSource(hostile('misspelt-section.ctf.xml'))), { code: 'unknown-element', element: 'CTFPupilData', line: 12 });
    expect(err.message).toContain('did you mean <CTFpupilData>?');
  });

  it('a record that is not a pupil inside <CTFpupilData> is refused, not skipped', async () => {
    await expectRefused(parseCtf(textSource('pupl.xml', ctfOf(`${pupilXml(1)}<Pupl><UPN>A2</UPN></Pupl>\n`))), { code: 'unknown-element', element: 'Pupl', line: 6 });
  });

  it('two pupils with one UPN under different person ids are refused (CTF), naming both places and not the UPN', async () => {
    const err = await expectRefused(parseCtf(fileSource(hostile('duplicate-upn.ctf.xml'))), { code: 'duplicate-id', element: 'Pupil', field: 'UPN', line: 22 }, ['A123456789012']);
    expect(err.message).toContain('line 13');
  });

  it('two pupils with one UPN under different Person IDs are refused (SIMS CSV)', async () => {
    const err = await expectRefused(sims('sims-duplicate-upn'), { code: 'duplicate-id', file: 'students.csv', row: 2, field: 'UPN' }, ['A123456789012']);
    expect(err.message).toContain('row 1');
  });

  it('one Contact ID with two different emails is refused, naming both rows and what differs, not the values', async () => {
    const err = await expectRefused(sims('sims-conflicting-contact'), { code: 'conflicting-duplicate', file: 'contacts.csv', row: 2, field: 'Contact ID' }, ['ruby', 'example']);
    expect(err.message).toContain('row 1');
    expect(err.message).toContain('email addresses');
  });

  it("siblings' rows of one contact with the same details are one contact", async () => {
    const s = right(await parseCtf(fileSource(hostile('good.ctf.xml'))));
    expect(s.contacts.map((c) => c.externalId)).toEqual(['C1']);
    expect(s.links).toHaveLength(2);
  });

  it('a contact row for a pupil the export does not hold is refused, naming the row', async () => {
    await expectRefused(sims('sims-unknown-pupil'), { code: 'unknown-reference', file: 'contacts.csv', row: 2, line: 3, field: 'Person ID' });
  });

  it('UTF-16 with a BOM, and UTF-16 big-endian without one, read as the same school as UTF-8', async () => {
    const utf8 = right(await parseCtf(fileSource(hostile('good.ctf.xml'))));
    for (const f of ['utf16le-bom.ctf.xml', 'utf16be-nobom.ctf.xml']) {
      const r = right(await parseCtf(fileSource(hostile(f))));
      expect(canonical(r)).toEqual(canonical(utf8));
      // Chunk boundaries inside a character are no matter.
      const bytes = new Uint8Array(readFileSync(hostile(f)));
      expect(canonical(right(await parseCtf(bytesSource(f, bytes, 7))))).toEqual(canonical(utf8));
    }
  });

  it('a UTF-16 SIMS report (a "Unicode" export from a spreadsheet) is read', async () => {
    const text = readFileSync(hostile('sims-unknown-pupil/students.csv'), 'utf8');
    const le = new Uint8Array([0xff, 0xfe, ...new Uint8Array(Buffer.from(text, 'utf16le'))]);
    const contacts = 'Person ID,Contact ID,Contact Surname,Contact Forename,Priority,Parental Responsibility\r\n1001,9001,Evans,Ruby,1,Yes\r\n';
    const s = right(await parseSimsCsv({ students: bytesSource('students.csv', le), contacts: textSource('contacts.csv', contacts) }));
    expect(s.members.map((m) => m.name)).toEqual([{ given: 'Noah', family: 'Evans' }]);
  });

  it('a UTF-16 file cut in the middle of a character says so', async () => {
    const bytes = new Uint8Array(readFileSync(hostile('utf16le-bom.ctf.xml')));
    await expectRefused(parseCtf(bytesSource('cut16.xml', bytes.subarray(0, 1001))), { code: 'encoding', file: 'cut16.xml' });
  });

  it('a CSV with CRLF, LF and CR line ends mixed is read, with rows and lines right', async () => {
    const s = right(await sims('sims-mixed-line-endings'));
    expect(s.members.map((m) => m.externalId)).toEqual(['1001', '1002', '1003']);
    expect(s.members[1]!.name.family).toBe('Nowak,\nJr');
    expect(s.links.map((l) => l.memberExternalId)).toEqual(['1001', '1003']);
    const bad = readFileSync(hostile('sims-mixed-line-endings/students.csv'), 'utf8').replace('1003,C123456789012,Patel,Priya,Current', '1003,C123456789012,Patel,Priya,Sometimes');
    await expectRefused(
      parseSimsCsv({ students: textSource('students.csv', bad), contacts: fileSource(hostile('sims-mixed-line-endings/contacts.csv')) }),
      { code: 'invalid-value', row: 3, line: 5, field: 'Enrolment Status' },
    );
  });
});

describe('zip archives: limits on entries, size and ratio, checked before and while unpacking', () => {
  const folder = fixture('oneroster');
  const files = Object.fromEntries(['users.csv', 'classes.csv', 'enrollments.csv', 'orgs.csv'].map((f) => [f, new Uint8Array(readFileSync(`${folder}/${f}`))]));
  const zip = (entries: Parameters<typeof zipOf>[0]) => parseOneRoster({ zip: bytesSource('export.zip', zipOf(entries)) });
  const all = Object.entries(files).map(([name, data]) => ({ name: `export/${name}`, data }));

  it('reads a zip written by our own writer as the folder reads (so the refusals below are about the entries)', async () => {
    expect(canonical(right(await zip(all)))).toEqual(canonical(right(await parseOneRoster({ folder }))));
  });

  it('two users.csv in one archive are refused, naming both', async () => {
    const err = await expectRefused(zip([...all, { name: 'old/users.csv', data: files['users.csv']! }]), { code: 'unsafe-archive', file: 'export.zip' });
    expect(err.message).toContain('export/users.csv');
    expect(err.message).toContain('old/users.csv');
  });

  for (const name of ['../users.csv', 'export/../../users.csv', '/etc/users.csv', 'C:\\export\\users.csv', '..\\users.csv']) {
    it(`an entry named ${JSON.stringify(name)} is refused, whatever it holds`, async () => {
      await expectRefused(zip([...all.slice(1), { name, data: files['users.csv']! }]), { code: 'unsafe-archive', file: 'export.zip' });
    });
  }

  it('the same entry twice is refused', async () => {
    await expectRefused(zip([...all, { name: 'export/orgs.csv', data: files['orgs.csv']! }]), { code: 'unsafe-archive' });
  });

  it('a 3.4 MB archive that says it unpacks to 3.4 GB is refused from its directory, before unpacking a byte', async () => {
    const bomb = zerosBomb(3400);
    const started = process.memoryUsage().arrayBuffers;
    const err = await expectRefused(zip([...all, { name: 'export/demographics.csv', packed: { bytes: bomb.bytes, size: bomb.size, crc: 0 } }]), { code: 'over-limit', limit: 'maxZipBytes' });
    expect(err.message).toContain('1 GiB');
    expect(process.memoryUsage().arrayBuffers - started).toBeLessThan(256 * MiB);
  });

  it('an archive that lies about a size is refused as soon as the entry outgrows it', async () => {
    const bomb = zerosBomb(64);
    await expectRefused(zip([...all.filter((e) => !e.name.endsWith('users.csv')), { name: 'export/users.csv', packed: { bytes: bomb.bytes, size: 1000, crc: 0 } }]), { code: 'unsafe-archive', file: 'export.zip' });
  });

  it('an entry that unpacks to more than the ratio allows is refused', async () => {
    const bomb = zerosBomb(8);
    await expectRefused(zip([...all, { name: 'export/demographics.csv', packed: { bytes: bomb.bytes, size: bomb.size, crc: crc32(new Uint8Array(bomb.size)) } }]), { code: 'over-limit', limit: 'maxZipRatio' });
  });

  it('more entries than the limit are refused from the directory', async () => {
    const many = Array.from({ length: 101 }, (_, i) => ({ name: `junk/${i}.txt`, data: new Uint8Array([65]) }));
    await expectRefused(zip([...all, ...many]), { code: 'over-limit', limit: 'maxZipEntries' });
  });

  it('a damaged entry (checksum) and a cut archive are refused by name', async () => {
    const damaged = zipOf(all.map((e) => (e.name.endsWith('users.csv') ? { ...e, stored: true } : e)));
    const at = Buffer.from(damaged).indexOf('Ivy');
    damaged[at] = 'J'.charCodeAt(0);
    await expectRefused(parseOneRoster({ zip: bytesSource('export.zip', damaged) }), { code: 'corrupt-archive', file: 'export.zip' });
    const whole = zipOf(all);
    await expectRefused(parseOneRoster({ zip: bytesSource('export.zip', whole.subarray(0, whole.length - 30)) }), { code: 'not-this-format', file: 'export.zip' });
  });
});

describe('control characters are removed at import, never silently', () => {
  it('R-IMP-1 ESC sequences, OSC 8 hyperlinks (as &#x1b; references) and C1 controls leave the names; the warning says where, not what', async () => {
    const s = right(await parseCtf(fileSource(hostile('control-characters.ctf.xml'))));
    const names = [...s.members.map((m) => m.name), ...s.contacts.map((c) => c.name)];
    for (const n of names) expect(hasControlCharacters(n.given + n.family)).toBe(false);
    expect(s.members.map((m) => m.name)).toEqual([
      { given: 'Ava[2J', family: 'Renée' },
      { given: 'Noah', family: 'Evans' },
    ]);
    expect(s.contacts[0]!.name.given).toContain('Ruby');
    expect(s.warnings).toHaveLength(1);
    const w = s.warnings![0]!;
    expect(w.code).toBe(CONTROL_CHARACTERS_REMOVED);
    expect(w.message).toContain('3 field(s)');
    expect(w.message).toContain('line 13, <Pupil>, field Forename');
    expect(w.message).toContain('field Contacts/Contact/Forename');
    for (const secret of ['Ava', 'Ruby', 'evil', 'Noah']) expect(w.message).not.toContain(secret);
    // The plan carries it into the run's warnings; an unchanged re-import records nothing more (R-IMP-1).
    const h = harness();
    const first = await h.run(s);
    expect(first.plan.warnings.map((x) => x.code)).toContain(CONTROL_CHARACTERS_REMOVED);
    expect((await heldOf(h.store)).lastImportRun?.warnings.some((x) => x.startsWith(CONTROL_CHARACTERS_REMOVED))).toBe(true);
    expect((await h.run(s)).recorded).toBe(false);
  });

  it('control characters in CSV cells are removed the same way, by file, row and column', async () => {
    const s = right(await sims('sims-control-characters'));
    expect(s.members[0]!.name.family).toBe('Evans[31m');
    expect(s.contacts[0]!.name.given).toBe('Ruby');
    expect(s.warnings?.[0]?.message).toContain('students.csv, row 1, line 2, field Legal Surname; contacts.csv, row 1, line 2, field Contact Forename');
  });

  it('the address book removes them too, and says where', async () => {
    const r = right(await parseAddressBookCsv(textSource('ab.csv', 'Reference,Forename,Surname\nG1,Th\u001beo,Walker\n')));
    expect(r.entries[0]!.name.given).toBe('Theo');
    expect(r.warnings[0]?.message).toContain('ab.csv, row 1, line 2, field Forename');
  });

  it('character references are read as XML defines them (an accent, not the text &#233;)', async () => {
    const s = right(await parseCtf(textSource('ref.xml', ctfOf(pupilXml(1).replace('<Surname>S</Surname>', '<Surname>Ren&#233;e &#x4F;&#39;Neill &#60;3</Surname>')))));
    expect(s.members[0]!.name.family).toBe("Renée O'Neill <3");
    await expectRefused(parseCtf(textSource('ref.xml', ctfOf(pupilXml(1).replace('<Surname>S</Surname>', '<Surname>&#0;</Surname>')))), { code: 'malformed-xml', line: 5 });
  });
});

describe('the fixtures keep their hostile bytes', () => {
  it('mixed line ends, raw control characters and UTF-16 are in the files as the tests say', () => {
    const mixed = readFileSync(hostile('sims-mixed-line-endings/students.csv'), 'latin1');
    expect(mixed).toMatch(/[^\r]\n/);
    expect(mixed).toContain('\r\n');
    expect(mixed).toMatch(/\r[^\n]/);
    expect(readFileSync(hostile('control-characters.ctf.xml'), 'latin1')).toContain('\u001b[2J');
    expect([...readFileSync(hostile('utf16le-bom.ctf.xml')).subarray(0, 4)]).toEqual([0xff, 0xfe, 0x3c, 0x00]);
    expect([...readFileSync(hostile('utf16be-nobom.ctf.xml')).subarray(0, 4)]).toEqual([0x00, 0x3c, 0x00, 0x3f]);
    expect(readdirSync(fixture('hostile')).length).toBeGreaterThan(8);
  });
});
