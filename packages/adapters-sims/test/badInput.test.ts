/**
 * Bad input: each is a typed error naming the file and where (line, row, element or field),
 * never a raw parser exception and never a personal value, and nothing reaches the store.
 */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { bytesSource, generateSchool, parseAddressBookCsv, parseCtf, parseSimsCsv, rngFrom, textSource, writeCtf, type ParseError } from '@contactable/adapters-sims';
import type { MisSnapshot } from '@contactable/core';
import { eventCount, harness, settings } from '../../core/test/import/fixtures.js';

const students = 'Person ID,UPN,Legal Surname,Legal Forename,Enrolment Status\n1,A1,Secretname,Ann,Current\n';
const contacts = 'Person ID,Contact ID,Contact Surname,Contact Forename,Priority,Parental Responsibility\n1,9,Hiddenfamily,Bo,1,Yes\n';

/** Parses, imports only a good parse, and checks the store did not change on a bad one. */
const expectRejected = async (parsed: Promise<E.Either<ParseError, MisSnapshot>>, expected: Partial<ParseError>, secrets: ReadonlyArray<string> = []): Promise<ParseError> => {
  const h = harness();
  await h.run(generateSchool({ seed: 'base', pupils: 3 }).snapshot, settings(), '2026-09-01');
  const before = await eventCount(h.store);
  const r = await parsed;
  if (E.isRight(r)) await h.run(r.right);
  expect(await eventCount(h.store)).toBe(before);
  expect(E.isLeft(r)).toBe(true);
  const err = (r as E.Left<ParseError>).left;
  expect(err._tag).toBe('ParseError');
  expect(err).toMatchObject(expected);
  expect(err.message.startsWith(err.file)).toBe(true);
  for (const s of secrets) expect(err.message).not.toContain(s);
  return err;
};

const ctfOf = (pupils: string): string =>
  `<?xml version="1.0"?>\n<CTfile xmlns:cx="urn:contactable:ctf-extension:1">\n<Header><SupplierID>SIMS</SupplierID></Header>\n<CTFpupilData>\n${pupils}</CTFpupilData>\n</CTfile>\n`;

describe('bad CTF files', () => {
  for (const bad of ['<Surname>Secret & name</Surname>', '<Surname>Secret &bogus; name</Surname>', '<Surname a="1" a="2">Secretname</Surname>']) {
    it(`malformed content inside a record is malformed XML on its line: ${bad.replace(/Secret/g, 'S')}`, async () => {
      await expectRejected(parseCtf(textSource('bad.xml', ctfOf(`<Pupil><UPN>A1</UPN>\n${bad}</Pupil>\n`))), { code: 'malformed-xml', file: 'bad.xml', line: 6 }, ['Secret']);
    });
  }
  it('a closing tag that does not match is malformed XML, with line, column and element', async () => {
    const err = await expectRejected(parseCtf(textSource('bad.xml', ctfOf('<Pupil><UPN>A1</UPN><Surname>Secretname</Forename></Pupil>\n'))), { code: 'malformed-xml', file: 'bad.xml', line: 5, element: 'Surname' }, ['Secretname']);
    expect(err.column).toBeGreaterThan(1);
  });
  it('a broken attribute inside a record is malformed XML at the record line', async () => {
    await expectRejected(parseCtf(textSource('bad.xml', ctfOf('<Pupil><UPN>A1</UPN>\n<Surname x=1>Secretname</Surname></Pupil>\n'))), { code: 'malformed-xml', file: 'bad.xml', line: 6 }, ['Secretname']);
  });
  it('a truncated file names the element left open', async () => {
    const xml = writeCtf(generateSchool({ seed: 'cut', pupils: 20 }).snapshot);
    const err = await expectRejected(parseCtf(textSource('cut.xml', xml.slice(0, Math.floor(xml.length * 0.6)), 512)), { code: 'truncated', file: 'cut.xml' });
    expect(err.element).not.toBeNull();
    expect(err.line).toBeGreaterThan(1);
  });
  it('a UTF-32 file is an encoding error (UTF-16 is read: see hostile.test.ts)', async () => {
    const text = ctfOf('<Pupil><UPN>A1</UPN></Pupil>\n');
    const bytes = new Uint8Array(4 + text.length * 4);
    bytes.set([0xff, 0xfe, 0, 0]);
    for (let i = 0; i < text.length; i++) bytes[4 + i * 4] = text.charCodeAt(i);
    await expectRejected(parseCtf(bytesSource('u32.xml', bytes)), { code: 'encoding', file: 'u32.xml', line: 1 });
  });
  it('Latin-1 bytes are an encoding error on their line', async () => {
    const text = new TextEncoder().encode(ctfOf('<Pupil><UPN>A1</UPN><Surname>Ren_</Surname></Pupil>\n'));
    const at = text.indexOf('_'.charCodeAt(0));
    text[at] = 0xe9;
    await expectRejected(parseCtf(bytesSource('latin1.xml', text)), { code: 'encoding', file: 'latin1.xml', line: 5 });
  });
  it('two pupils with the same id are a duplicate, naming the second', async () => {
    const p = (n: string) => `<Pupil><UPN>A${n}</UPN><Surname>S</Surname><Forename>F</Forename><cx:PersonId>P1</cx:PersonId></Pupil>\n`;
    await expectRejected(parseCtf(textSource('dup.xml', ctfOf(p('1') + p('2')))), { code: 'duplicate-id', file: 'dup.xml', line: 6, element: 'Pupil' });
  });
  it('XML that is not a CTF says so', async () => {
    await expectRejected(parseCtf(textSource('other.xml', '<?xml version="1.0"?><Invoice><Total>3</Total></Invoice>')), { code: 'not-this-format', element: 'Invoice' });
  });
  it('a DOCTYPE is refused', async () => {
    await expectRejected(parseCtf(textSource('dtd.xml', '<?xml version="1.0"?><!DOCTYPE CTfile [<!ENTITY x "y">]><CTfile></CTfile>')), { code: 'malformed-xml', line: 1 });
  });
  it('a pupil with neither UPN nor person id names the missing field', async () => {
    await expectRejected(parseCtf(textSource('noid.xml', ctfOf('<Pupil><Surname>Secretname</Surname></Pupil>\n'))), { code: 'missing-element', field: 'UPN', line: 5 }, ['Secretname']);
  });
  it('an empty file is an error, not an empty school', async () => {
    await expectRejected(parseCtf(textSource('empty.xml', '')), { code: 'truncated', file: 'empty.xml' });
  });
});

describe('bad CSV files', () => {
  it('missing required columns are named', async () => {
    await expectRejected(parseSimsCsv({ students: textSource('students.csv', 'Person ID,Legal Surname\n1,Secretname\n'), contacts: textSource('contacts.csv', contacts) }), { code: 'missing-column', file: 'students.csv', row: 0, field: 'Legal Forename, Enrolment Status' }, ['Secretname']);
  });
  it('a duplicate student id names the row', async () => {
    await expectRejected(parseSimsCsv({ students: textSource('students.csv', `${students}1,A2,Other,Bo,Current\n`), contacts: textSource('contacts.csv', contacts) }), { code: 'duplicate-id', file: 'students.csv', row: 2, field: 'Person ID' });
  });
  it('a bad row early in a large file stops at once (no hang, no raw exception)', async () => {
    const rows = Array.from({ length: 200_000 }, (_, i) => `${i + 3},A${i},Name,Given,Current`).join('\n');
    await expectRejected(parseSimsCsv({ students: textSource('students.csv', `${students}1,A2,Other,Bo,Current\n${rows}\n`, 4096), contacts: textSource('contacts.csv', contacts) }), { code: 'duplicate-id', row: 2 });
  });
  it('a file cut inside a quoted field is truncated, naming the row', async () => {
    await expectRejected(parseSimsCsv({ students: textSource('students.csv', students), contacts: textSource('contacts.csv', `${contacts}1,10,"Hiddenfam`) }), { code: 'truncated', file: 'contacts.csv', row: 2 }, ['Hiddenfam']);
  });
  it('a row cut short names the row', async () => {
    await expectRejected(parseSimsCsv({ students: textSource('students.csv', `${students}2,A2,Secret`), contacts: textSource('contacts.csv', contacts) }), { code: 'malformed-csv', file: 'students.csv', row: 2 }, ['Secret']);
  });
  it('a bad value names row and column without repeating it', async () => {
    await expectRejected(parseSimsCsv({ students: textSource('students.csv', students), contacts: textSource('contacts.csv', contacts.replace(',1,Yes', ',first,Yes')) }), { code: 'invalid-value', file: 'contacts.csv', row: 1, field: 'Priority' }, ['first']);
  });
  it('an address book with a repeated reference names the row', async () => {
    const r = await parseAddressBookCsv(textSource('ab.csv', 'Reference,Forename,Surname\nG1,A,B\nG1,C,D\n'));
    expect(E.isLeft(r) && r.left).toMatchObject({ code: 'duplicate-id', file: 'ab.csv', row: 2, field: 'Reference' });
  });
});

describe('random bytes', () => {
  const random = (size: number): Uint8Array => {
    const rng = rngFrom('noise');
    const b = new Uint8Array(size);
    for (let i = 0; i < size; i++) b[i] = Math.floor(rng.next() * 256);
    return b;
  };
  const noise = random(10 * 1024 * 1024);
  it('10 MB of random bytes as a CTF is a typed error', async () => {
    const err = await expectRejected(parseCtf(bytesSource('noise.xml', noise)), { file: 'noise.xml' });
    expect(['encoding', 'binary', 'malformed-xml']).toContain(err.code);
  });
  it('10 MB of random bytes as a SIMS report is a typed error', async () => {
    const err = await expectRejected(parseSimsCsv({ students: bytesSource('noise.csv', noise), contacts: textSource('contacts.csv', contacts) }), { file: 'noise.csv' });
    expect(['encoding', 'binary', 'malformed-csv']).toContain(err.code);
  });
});
