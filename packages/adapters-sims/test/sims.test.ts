/** SIMS-style CSV reports: default headers, a custom mapping, round trips. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { fileSource, generateSchool, parseSimsCsv, simsColumns, textSource, writeSimsCsv } from '@contactable/adapters-sims';
import { canonical, fixture } from './helpers.js';

describe('parseSimsCsv', () => {
  it('reads a student report and a contacts report with typical SIMS headers', async () => {
    const r = await parseSimsCsv({ students: fileSource(fixture('students.csv')), contacts: fileSource(fixture('contacts.csv')) });
    if (E.isLeft(r)) throw new Error(r.left.message);
    const s = r.right;
    expect(s.areas).toEqual(['contacts', 'members']);
    expect(s.members.map((m) => m.roll)).toEqual([
      { status: 'on-roll', admissionDate: '2024-09-03' },
      { status: 'leaver', leftOn: '2026-07-20' },
      { status: 'applicant', application: { status: 'Waiting list', standardStatus: 'offered' }, intakeAdmissionDate: '2027-09-02' },
      { status: 'on-roll', admissionDate: '2026-09-14' },
    ]);
    expect(s.members[1]!.name.family).toBe('Nowak, Jr');
    expect(s.contacts.find((c) => c.externalId === '9002')).toMatchObject({
      emails: [{ value: 'leo@example.net', location: 'Other' }],
      phones: [{ value: '07123 456780', location: 'Mobile' }, { value: '07123 456781', location: 'Mobile' }, { value: '020 7946 0123', location: 'Home' }],
    });
    expect(s.contacts.find((c) => c.externalId === '9003')!.emails[0]!.value).toBe('not-an-email');
    expect(s.links.map((l) => [l.memberExternalId, l.contactExternalId, l.priority, l.parentalResponsibility])).toEqual([
      ['1001', '9001', 1, true],
      ['1001', '9002', 2, true],
      ['1003', '9003', 1, true],
    ]);
  });

  it('reads renamed columns through a column mapping', async () => {
    const students = 'Adno,Surname,Forename,Status\n7,Lee,Ann,Current\n';
    const contacts = 'Adno,Contact Ref,Surname,Forename,Priority,PR,Mobile\n7,C7,Lee,Bo,1,Y,07123 456789\n';
    const columns = simsColumns({
      students: { id: 'Adno', surname: 'Surname', forename: 'Forename', status: 'Status' },
      contacts: { personId: 'Adno', contactId: 'Contact Ref', surname: 'Surname', forename: 'Forename', parentalResponsibility: 'PR', emails: [], phones: [{ column: 'Mobile', location: 'Mobile' }] },
    });
    const r = await parseSimsCsv({ students: textSource('s.csv', students), contacts: textSource('c.csv', contacts) }, { columns });
    expect(E.isRight(r) && r.right.contacts[0]!.phones).toEqual([{ value: '07123 456789', location: 'Mobile' }]);
  });

  it('round-trips a generated school: parse(write(s)) equals s for what the reports carry', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 3 }), async (seed, pupils, day) => {
        const { snapshot } = generateSchool({ seed, pupils, day });
        const csv = writeSimsCsv(snapshot);
        const r = await parseSimsCsv({ students: textSource('s.csv', csv.students), contacts: textSource('c.csv', csv.contacts), staff: textSource('t.csv', csv.staff), groups: textSource('g.csv', csv.groups) });
        if (E.isLeft(r)) throw new Error(r.left.message);
        expect(canonical(r.right, false)).toEqual(canonical(snapshot, false));
      }),
      { numRuns: 40 },
    );
  });
});
