/** CTF XML: the standard elements, our extension, and round trips. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { ctfChunks, fileSource, generateSchool, parseCtf, textSource, writeCtf } from '@contactable/adapters-sims';
import { canonical, fixture } from './helpers.js';

describe('parseCtf', () => {
  it('reads a plain CTF: pupils, contacts with order, relationship, responsibility, phones and email', async () => {
    const r = await parseCtf(fileSource(fixture('plain.ctf.xml')));
    if (E.isLeft(r)) throw new Error(r.left.message);
    const s = r.right;
    expect(s.source).toMatchObject({ system: 'sims', schoolRef: '999/4001', schoolName: 'Example Primary' });
    expect(s.areas).toEqual(['contacts', 'members']);
    expect(s.members.map((m) => m.name)).toEqual([{ given: 'Ava', family: "O'Neill" }, { given: 'Zara', family: 'Khan' }]);
    expect(s.members[0]!.externalId).toMatch(/^upn-[0-9a-f]{20}$/);
    expect(s.members[0]!.externalId).not.toContain('A123456789012');
    expect(s.members[0]!.misReference).toBe('A123456789012');
    expect(s.members[0]!.roll).toEqual({ status: 'on-roll', admissionDate: null });
    expect(s.contacts[0]).toMatchObject({
      name: { given: 'Siobhan', family: "O'Neill" },
      emails: [{ value: 'siobhan@example.org', location: 'Home' }],
      phones: [{ value: '07123 456789', location: 'Mobile' }, { value: '020 7946 0123', location: 'Home' }],
    });
    expect(s.links.map((l) => [l.priority, l.relationship, l.parentalResponsibility])).toEqual([[1, 'Parent', true], [2, 'Carer', false]]);
  });

  it('R-IMP-7 a CTF whose DocumentQualifier is partial makes a partial snapshot; full (or none) a whole one; anything else is refused by element', async () => {
    const { snapshot } = generateSchool({ seed: 'partial', pupils: 3 });
    const partial = await parseCtf(textSource('one-pupil.xml', writeCtf(snapshot, { qualifier: 'partial' })));
    expect(E.isRight(partial) && partial.right.partial).toBe(true);
    // The writer says partial for a partial snapshot unless told otherwise, and full by default.
    expect(writeCtf({ ...snapshot, partial: true })).toContain('<DocumentQualifier>partial</DocumentQualifier>');
    const full = await parseCtf(textSource('whole.xml', writeCtf(snapshot)));
    expect(E.isRight(full) && full.right.partial).toBeUndefined();
    const none = await parseCtf(textSource('none.xml', writeCtf(snapshot).replace('<DocumentQualifier>full</DocumentQualifier>', '')));
    expect(E.isRight(none) && none.right.partial).toBeUndefined();
    const odd = await parseCtf(textSource('odd.xml', writeCtf(snapshot).replace('>full<', '>sometimes<')));
    expect(E.isLeft(odd) && odd.left).toMatchObject({ file: 'odd.xml', code: 'invalid-value' });
    expect(E.isLeft(odd) && odd.left.message).toMatch(/DocumentQualifier.*not full or partial/);
  });

  it('reads the same records whatever the chunk size', async () => {
    const { snapshot } = generateSchool({ seed: 'chunks', pupils: 40 });
    const xml = writeCtf(snapshot);
    for (const size of [7, 64, 1000, 1 << 20]) {
      const r = await parseCtf(textSource('x.xml', xml, size));
      expect(E.isRight(r) && canonical(r.right)).toEqual(canonical(snapshot));
    }
  });

  it('round-trips a generated school: parse(write(s)) equals s', async () => {
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 0, max: 1_000_000 }), fc.integer({ min: 1, max: 60 }), fc.integer({ min: 0, max: 3 }), async (seed, pupils, day) => {
        const { snapshot } = generateSchool({ seed, pupils, day, permissionFailures: seed % 3 === 0 ? ['timetables'] : [] });
        const r = await parseCtf(textSource('x.xml', writeCtf(snapshot), 4096));
        if (E.isLeft(r)) throw new Error(r.left.message);
        expect(canonical(r.right)).toEqual(canonical(snapshot));
      }),
      { numRuns: 40 },
    );
  });

  it('writes the standard CTF element names', () => {
    const { snapshot } = generateSchool({ seed: 'names', pupils: 5 });
    const xml = [...ctfChunks(snapshot)].join('');
    for (const el of ['<CTfile', '<Header>', '<CTFversion>', '<SourceSchool>', '<CTFpupilData>', '<Pupil>', '<UPN>', '<Surname>', '<Forename>', '<Contacts>', '<Contact>', '<Order>', '<Relationship>', '<Responsibility>']) {
      expect(xml).toContain(el);
    }
    expect(xml).toContain('xmlns:cx="urn:contactable:ctf-extension:1"');
  });
});
