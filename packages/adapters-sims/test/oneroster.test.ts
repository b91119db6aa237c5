/** OneRoster CSV: our own small exports (1.1 and 1.2, with the quirks real exports have), as folders and zips. */
import { readFileSync, readdirSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { zipSync } from 'fflate';
import { bytesSource, parseOneRoster } from '@contactable/adapters-sims';
import { fixture } from './helpers.js';

const folder = fixture('oneroster');

describe('parseOneRoster', () => {
  it('reads students, staff, parents and their links from users.csv agents', async () => {
    const r = await parseOneRoster({ folder }, { region: 'GB' });
    if (E.isLeft(r)) throw new Error(r.left.message);
    const s = r.right;
    expect(s.source).toMatchObject({ system: 'oneroster', schoolRef: '999-4001', schoolName: 'Example Academy' });
    expect(s.members.map((m) => [m.externalId, m.kind, m.roll.status])).toEqual([
      ['u-t1', 'staff', 'on-roll'],
      ['u-s1', 'student', 'on-roll'],
      ['u-s2', 'student', 'leaver'],
    ]);
    expect(s.links.filter((l) => l.memberExternalId === 'u-s1').map((l) => [l.contactExternalId, l.priority, l.relationship, l.parentalResponsibility])).toEqual([
      ['u-p1', 1, 'Parent', true],
      ['u-p2', 2, 'Guardian', true],
      ['u-r1', 3, 'Relative', false],
    ]);
    expect(s.links.find((l) => l.memberExternalId === 'u-s2')?.contactExternalId).toBe('u-p2');
    expect(s.contacts.find((c) => c.externalId === 'u-p1')).toMatchObject({ emails: [{ value: 'chloe@example.org', location: 'Home' }], phones: [{ value: '07123 444555', location: 'Mobile' }, { value: '020 7946 0111', location: 'Home' }] });
    expect(s.groups).toEqual([
      { externalId: 'c-1', name: '9A', kind: 'class', active: true, memberExternalIds: ['u-s1', 'u-t1'] },
      { externalId: 'c-2', name: 'Old Maths', kind: 'teaching', active: false, memberExternalIds: [] },
    ]);
  });

  it('reads the same export from a zip', async () => {
    const files = Object.fromEntries(['users.csv', 'classes.csv', 'enrollments.csv', 'orgs.csv'].map((f) => [`export/${f}`, new Uint8Array(readFileSync(`${folder}/${f}`))]));
    const zip = zipSync(files);
    const fromZip = await parseOneRoster({ zip: bytesSource('export.zip', zip) });
    const fromFolder = await parseOneRoster({ folder });
    expect(E.isRight(fromZip) && fromZip.right).toEqual(E.isRight(fromFolder) && fromFolder.right);
  });

  it('R-IMP-7 a delta export (manifest.csv naming a file delta) makes a partial snapshot; bulk a whole one', async () => {
    const files = (mode: string) =>
      Object.fromEntries([
        ...['users.csv', 'classes.csv', 'enrollments.csv', 'orgs.csv'].map((f) => [`export/${f}`, new Uint8Array(readFileSync(`${folder}/${f}`))]),
        ['export/manifest.csv', new TextEncoder().encode(`propertyName,value\r\nmanifest.version,1.0\r\noneroster.version,1.1\r\nfile.users,${mode}\r\nfile.orgs,bulk\r\n`)],
      ]);
    const delta = await parseOneRoster({ zip: bytesSource('delta.zip', zipSync(files('delta'))) });
    expect(E.isRight(delta) && delta.right.partial).toBe(true);
    const bulk = await parseOneRoster({ zip: bytesSource('bulk.zip', zipSync(files('bulk'))) });
    expect(E.isRight(bulk) && bulk.right.partial).toBeUndefined();
  });

  it('a zip that is not a zip is a typed error naming the file', async () => {
    const r = await parseOneRoster({ zip: bytesSource('export.zip', new TextEncoder().encode('not a zip at all')) });
    expect(E.isLeft(r) && r.left).toMatchObject({ file: 'export.zip', code: 'not-this-format' });
  });

  // Our own exports in the shapes real ones take, with their quirks (see the comments in each test).
  const full = fixture('oneroster/v1p1-full');
  const minimal = fixture('oneroster/v1p1-minimal');
  const v12 = fixture('oneroster/v1p2-full');
  const parsed = async (dir: string) => {
    const r = await parseOneRoster({ folder: dir }, { region: 'GB' });
    if (E.isLeft(r)) throw new Error(r.left.message);
    return r.right;
  };
  const links = (s: { links: ReadonlyArray<{ memberExternalId: string; contactExternalId: string; relationship: string; priority: number; parentalResponsibility: boolean }> }) =>
    s.links.map((l) => `${l.memberExternalId}->${l.contactExternalId} ${l.relationship} ${l.priority}${l.parentalResponsibility ? ' PR' : ''}`);

  it('the fixtures keep the quirks of real exports (so a tidy-up cannot quietly remove what the tests rely on)', () => {
    const bytes = (dir: string, f: string) => readFileSync(`${dir}/${f}`);
    // A UTF-8 BOM before the first header; CRLF line ends; no newline after the last row.
    expect([...bytes(full, 'users.csv').subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    for (const f of ['users.csv', 'classes.csv', 'enrollments.csv', 'orgs.csv']) {
      expect(bytes(full, f).toString('utf8'), f).toContain('\r\n');
      expect(bytes(full, f).toString('utf8').endsWith('\n'), f).toBe(false);
    }
    // 1.2: roles.csv with the "dataLastModified" typo and two empty trailing header columns; misspelt "preffered..." headers and d/mm/yyyy dates in users.csv.
    const roles = bytes(v12, 'roles.csv').toString('utf8').split('\r\n');
    expect(roles[0]).toBe('sourcedId,status,dataLastModified,userSourcedId,roleType,role,beginDate,endDate,orgSourcedId,,');
    expect(roles.some((r) => r.split(',').length === 9)).toBe(true);
    const users = bytes(v12, 'users.csv').toString('utf8');
    expect(users.split('\r\n')[0]).toContain(',prefferedGivenName,prefferedMiddleName,prefferedFamilyName,');
    expect(users.split('\r\n')[0]).not.toMatch(/(^|,)role(,|$)/);
    expect(users).toMatch(/,15\/09\/2025,/);
    // Files the parser does not read are there, as in real exports.
    expect(readdirSync(v12).sort()).toEqual(['academicSessions.csv', 'classes.csv', 'enrollments.csv', 'manifest.csv', 'orgs.csv', 'roles.csv', 'userProfiles.csv', 'users.csv']);
  });

  it('reads a full 1.1 export: BOM, CRLF without a last newline, empty statuses, quoted lists; agents naming staff are not contacts; links from either side', async () => {
    const s = await parsed(full);
    expect(s.source).toMatchObject({ system: 'oneroster', schoolRef: '999-2010', schoolName: 'Northfield Primary School' });
    // The BOM did not hide "sourcedId"; an empty status is on roll; tobedeleted is a leaver; an aide is staff.
    expect(s.members.map((m) => [m.externalId, m.kind, m.roll.status, m.misReference])).toEqual([
      ['usr-0101', 'staff', 'on-roll', 'S0101'],
      ['usr-0102', 'staff', 'on-roll', 'S0102'],
      ['usr-0201', 'student', 'on-roll', 'A100000000201'],
      ['usr-0202', 'student', 'on-roll', 'A100000000202'],
      ['usr-0203', 'student', 'leaver', 'A100000000203'],
    ]);
    // Bethan names a teacher and her father as agents: only her father is a contact; her grandmother names her from her side.
    expect(links(s)).toEqual([
      'usr-0101->usr-0101 Self 1',
      'usr-0102->usr-0102 Self 1',
      'usr-0201->usr-0301 Parent 1 PR',
      'usr-0203->usr-0301 Parent 1 PR',
      'usr-0202->usr-0302 Guardian 1 PR',
      'usr-0201->usr-0303 Relative 2',
    ]);
    expect(s.contacts.find((c) => c.externalId === 'usr-0302')).toMatchObject({ emails: [{ value: 'priya.desai@example.com', location: 'Home' }], phones: [{ value: '07700 900302', location: 'Mobile' }] });
    expect(s.contacts.find((c) => c.externalId === 'usr-0303')).toMatchObject({ emails: [], phones: [{ value: '01632 960303', location: 'Home' }] });
    expect(s.contacts.find((c) => c.externalId === 'usr-0101')).toMatchObject({ emails: [{ value: 'a.okafor@northfield.example.org', location: 'Work' }], phones: [{ value: '07700 900101', location: 'Mobile' }, { value: '0161 496 0101', location: 'Work' }] });
    // "Scheduled" (capitalised) is a teaching group; a deleted enrolment and one to an unknown class are dropped.
    expect(s.groups).toEqual([
      { externalId: 'cls-5W', name: 'Year 5 Willow', kind: 'class', active: true, memberExternalIds: ['usr-0101', 'usr-0201'] },
      { externalId: 'cls-4SCI', name: 'Year 4 Science', kind: 'teaching', active: true, memberExternalIds: ['usr-0102', 'usr-0202', 'usr-0201'] },
      { externalId: 'cls-6RD', name: 'Year 6 Reading', kind: 'teaching', active: false, memberExternalIds: ['usr-0203'] },
    ]);
  });

  it('reads a minimal 1.1 export: only required cells, an org without type or identifier, a blank last line', async () => {
    const s = await parsed(minimal);
    expect(s.source).toMatchObject({ schoolRef: 'org-0020', schoolName: 'Riverside Academy' });
    expect(s.members.map((m) => [m.externalId, m.kind, m.roll.status, m.misReference])).toEqual([
      ['usr-0501', 'staff', 'on-roll', null],
      ['usr-0601', 'student', 'on-roll', null],
      ['usr-0602', 'student', 'on-roll', null],
    ]);
    // A parent named by no one, and naming no one: a contact with no details and no link.
    expect(s.contacts.map((c) => [c.externalId, c.emails.length, c.phones.length])).toEqual([['usr-0501', 0, 0], ['usr-0701', 0, 0]]);
    expect(links(s)).toEqual(['usr-0501->usr-0501 Self 1']);
    expect(s.groups).toEqual([{ externalId: 'cls-R1', name: 'Reception Robins', kind: 'class', active: true, memberExternalIds: ['usr-0501', 'usr-0601', 'usr-0602'] }]);
  });

  it('reads a 1.2 export: roles from roles.csv (typo header, empty trailing columns), misspelt and non-ISO columns ignored, a teacher who is also a guardian', async () => {
    const s = await parsed(v12);
    expect(s.source).toMatchObject({ schoolRef: '999-4030', schoolName: 'Eastbrook High School' });
    expect(s.members.map((m) => [m.externalId, m.kind, m.roll.status])).toEqual([
      ['usr-1101', 'staff', 'on-roll'],
      ['usr-1102', 'staff', 'on-roll'],
      ['usr-1201', 'student', 'on-roll'],
      ['usr-1202', 'student', 'on-roll'],
      ['usr-1203', 'student', 'on-roll'],
    ]);
    // The given names are the legal ones, not the "preffered" ones.
    expect(s.members.find((m) => m.externalId === 'usr-1201')?.name).toEqual({ given: 'Olive', family: 'Park' });
    // The secondary guardian role makes the teacher a contact of the students naming her; the deleted role leaves usr-1302 neither member nor contact.
    expect(links(s)).toEqual(['usr-1101->usr-1101 Self 1', 'usr-1102->usr-1102 Self 1', 'usr-1201->usr-1101 Guardian 1 PR', 'usr-1202->usr-1301 Parent 1 PR', 'usr-1202->usr-1101 Guardian 2 PR']);
    expect(s.contacts.map((c) => c.externalId)).toEqual(['usr-1101', 'usr-1102', 'usr-1301']);
    expect(s.groups.map((g) => [g.externalId, g.kind, g.memberExternalIds])).toEqual([
      ['cls-8T', 'class', ['usr-1101', 'usr-1201']],
      ['cls-9MA', 'teaching', ['usr-1102', 'usr-1202', 'usr-1203']],
    ]);
  });

  it('reads each export the same from a zip (files in a folder inside it)', async () => {
    for (const dir of [full, minimal, v12]) {
      const files = Object.fromEntries(readdirSync(dir).map((f) => [`oneroster-export/${f}`, new Uint8Array(readFileSync(`${dir}/${f}`))]));
      const fromZip = await parseOneRoster({ zip: bytesSource('export.zip', zipSync(files)) }, { region: 'GB' });
      if (E.isLeft(fromZip)) throw new Error(fromZip.left.message);
      expect(fromZip.right, dir).toEqual(await parsed(dir));
    }
  });
});
