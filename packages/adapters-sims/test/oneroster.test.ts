/** OneRoster 1.1 CSV: our own small export, as a folder and a zip; the shared real samples when present. */
import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
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

  it('a zip that is not a zip is a typed error naming the file', async () => {
    const r = await parseOneRoster({ zip: bytesSource('export.zip', new TextEncoder().encode('not a zip at all')) });
    expect(E.isLeft(r) && r.left).toMatchObject({ file: 'export.zip', code: 'not-this-format' });
  });

  // Real exports from another project's tests (see shared/fixtures/oneroster/*/PROVENANCE.md); not part of this repository.
  const shared = fileURLToPath(new URL('../../../../shared/fixtures/oneroster/catalyst-moodle-enrol_oneroster', import.meta.url));
  const present = existsSync(shared);
  it.skipIf(!present)(`reads the shared real OneRoster samples (skipped: ${present ? 'present' : 'shared/fixtures absent in this checkout'})`, async () => {
    const full = await parseOneRoster({ folder: `${shared}/Test_full_data_set` }, { region: 'US' });
    if (E.isLeft(full)) throw new Error(full.left.message);
    expect(full.right.members.filter((m) => m.kind === 'student')).toHaveLength(3);
    expect(full.right.links.some((l) => l.memberExternalId === 'usr-222-66778899' && l.contactExternalId === 'usr-222-1234561')).toBe(true);
    const minimal = await parseOneRoster({ folder: `${shared}/Test_minimal_data_set` });
    expect(E.isRight(minimal)).toBe(true);
    const v12 = await parseOneRoster({ folder: `${shared}/v1p2_full_dataset` }, { region: 'US' });
    if (E.isLeft(v12)) throw new Error(v12.left.message);
    expect(v12.right.members.filter((m) => m.kind === 'staff').map((m) => m.externalId).sort()).toEqual(['usr-222-123456', 'usr-222-1234561', 'usr-222-987654']);
  });
});
