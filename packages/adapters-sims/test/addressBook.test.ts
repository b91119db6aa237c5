/** Address-book CSV uploads and R-IMP-11. */
import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { fileSource, parseAddressBookCsv } from '@contactable/adapters-sims';
import { planAddressBook } from '@contactable/core';
import { contact, harness, heldOf, link, pupil, snapshot } from '../../core/test/import/fixtures.js';
import { fixture } from './helpers.js';

describe('address book', () => {
  it('reads entries and plans address-book contacts', async () => {
    const r = await parseAddressBookCsv(fileSource(fixture('addressbook.csv')));
    if (E.isLeft(r)) throw new Error(r.left.message);
    expect(r.right.entries.map((e) => e.ref)).toEqual(['GOV1', 'GOV2']);
    expect(r.right.warnings).toEqual([]);
    const h = harness();
    const plan = planAddressBook(r.right.entries, await heldOf(h.store));
    expect(plan.commands.map((c) => c.command.type)).toEqual(['AddContact', 'AddContact']);
    expect(plan.warnings).toEqual([]);
  });
  it('R-IMP-11 warns when an upload names someone the MIS holds, by row, without the value', async () => {
    const h = harness();
    await h.run(snapshot({ members: [pupil('p1')], contacts: [contact('c1', [{ value: 'theo.governor@example.org', location: 'Home' }])], links: [link('p1', 'c1')] }));
    const r = await parseAddressBookCsv(fileSource(fixture('addressbook.csv')));
    if (E.isLeft(r)) throw new Error(r.left.message);
    const plan = planAddressBook(r.right.entries, await heldOf(h.store));
    expect(plan.warnings).toHaveLength(1);
    expect(plan.warnings[0]!.message).toContain('rows 1');
    expect(plan.warnings[0]!.message).not.toContain('theo');
  });
});
