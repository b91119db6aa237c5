/**
 * Checking read-model rows against a fresh fold of the log (`replay --verify`, `doctor`, the laws): the
 * rows' members, contacts, groups, messages by quarter hour, staff accounts and school state must be what the in-memory
 * projection holds, each member's dashboard flags and issue bits the fold's, and the open issues the
 * fold's list. Differences are named by table and key, never by personal values.
 */
import type { RowReader } from '@contactable/core';
import { allDataIssues } from '../dataIssues.js';
import { canonicalJson } from '../json.js';
import type { Projection } from '../state.js';
import { contactEntryOf, memberEntryOf, numberOf, SCHOOL_KEY, staffAccountOf, TABLES, type IssueDoc, type SchoolDoc } from './model.js';

const MAX_REPORTED = 20;

/** The differences between a school's rows and a fold of the log (empty when they agree). */
export const compareRowsWithFold = async (rows: RowReader, schoolId: string, fold: Projection): Promise<ReadonlyArray<string>> => {
  const listKeys = async (table: string): Promise<ReadonlyArray<string>> => (await rows.find(table, schoolId, {})).map((r) => r.key);
  const out: string[] = [];
  const note = (s: string): void => {
    if (out.length < MAX_REPORTED) out.push(s);
  };
  const same = (a: unknown, b: unknown): boolean => canonicalJson(a) === canonicalJson(b);

  const memberKeys = new Set(await listKeys(TABLES.member));
  for (const id of fold.members.keys()) if (!memberKeys.has(id)) note(`member ${id}: in the log, not in the rows`);
  for (const r of await rows.get(TABLES.member, schoolId, [...memberKeys])) {
    const want = fold.members.get(r.key);
    if (want === undefined) {
      note(`member ${r.key}: in the rows, not in the log`);
      continue;
    }
    const got = memberEntryOf(r);
    if (!same(got.record, want.record)) note(`member ${r.key}: record differs`);
    if (got.flags !== want.flags || numberOf(r.columns['flags']) !== want.flags) note(`member ${r.key}: dashboard flags differ`);
    if (got.issueBits !== want.issueBits || got.staleRaisedAt !== want.staleRaisedAt || got.primeRaisedAt !== want.primeRaisedAt) note(`member ${r.key}: issues differ`);
  }

  const contactKeys = new Set(await listKeys(TABLES.contact));
  for (const [id, e] of fold.contacts) if (!contactKeys.has(id) && (e.view !== undefined || e.members !== undefined)) note(`contact ${id}: in the log, not in the rows`);
  for (const r of await rows.get(TABLES.contact, schoolId, [...contactKeys])) {
    const want = fold.contacts.get(r.key);
    const got = contactEntryOf(r);
    if (want === undefined) {
      if (got.view !== undefined || got.members !== undefined) note(`contact ${r.key}: in the rows, not in the log`);
      continue;
    }
    if (!same(got.view ?? null, want.view ?? null)) note(`contact ${r.key}: view differs`);
    if (!same(got.members ?? null, want.members ?? null)) note(`contact ${r.key}: linked members differ`);
  }

  const groupKeys = await listKeys(TABLES.group);
  if (groupKeys.length !== fold.groups.size) note(`groups: ${groupKeys.length} rows, ${fold.groups.size} in the log`);
  for (const r of await rows.get(TABLES.group, schoolId, groupKeys)) if (!same(r.doc, fold.groups.get(r.key) ?? null)) note(`group ${r.key}: differs`);

  const slotRows = await rows.get(TABLES.messages, schoolId, [...fold.messagesBySlot.keys()].map(String));
  const slots = new Map(slotRows.map((r) => [r.key, r]));
  for (const [slot, c] of fold.messagesBySlot) {
    const r = slots.get(String(slot));
    if (r === undefined || numberOf(r.columns['email']) !== c.email || numberOf(r.columns['sms']) !== c.sms) note(`messages of quarter hour ${slot}: counts differ`);
  }
  if ((await listKeys(TABLES.messages)).length !== fold.messagesBySlot.size) note('messages sent: the rows have other quarter hours than the log');

  const [school] = await rows.get(TABLES.school, schoolId, [SCHOOL_KEY]);
  const doc = school?.doc as SchoolDoc | undefined;
  if (doc !== undefined && !same(doc.school, fold.school)) note('school settings and saved filters differ');
  if (!same(doc?.permissionIssues ?? {}, Object.fromEntries(fold.permissionIssues))) note('permission issues differ');
  if (!same(doc?.importWarnings ?? {}, Object.fromEntries(fold.importWarnings))) note('import warnings differ');

  const staff = await rows.find(TABLES.staff, schoolId, {});
  if (staff.length !== fold.staff.size) note(`staff: ${staff.length} rows, ${fold.staff.size} in the log`);
  for (const r of staff) if (!same(staffAccountOf(r), fold.staff.get(r.key) ?? null)) note(`staff ${r.key}: differs`);

  const open = (await rows.find(TABLES.issue, schoolId, { open: true })).map((r) => {
    const { resolvedAt: _r, ...issue } = r.doc as IssueDoc;
    return issue;
  });
  const want = allDataIssues(fold);
  const byId = new Map(open.map((i) => [i.id, i]));
  for (const i of want) if (!same(byId.get(i.id) ?? null, i)) note(`issue ${i.id}: ${byId.has(i.id) ? 'differs' : 'open in the log, not in the rows'}`);
  if (open.length !== want.length) note(`open issues: ${open.length} rows, ${want.length} in the log`);
  return out;
};
