/**
 * The world, not our generator: a CTF as any MIS writes it (no ids of ours, contacts listed under each
 * pupil with only their order), through the built `contactable` command on the embedded store.
 * A parent listed under two siblings is one person (R-LNK-1); consent given once reaches both (R-CON-2);
 * a send reaches each address once and never an opted-out parent (R-CON-9); staff merge and split stand
 * across syncs and show in the audit (R-AUD-1).
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson as json, needBuiltCli } from '../support/cli.js';
import { startSmtpSink, type SmtpSink } from '../../packages/adapters-messaging/test/support/smtpSink.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';


let sink: SmtpSink;
let dir: string;
let pg: TestPostgres;

beforeAll(async () => {
  needBuiltCli();
  sink = await startSmtpSink();
  // A PostgreSQL database: every command is its own process, and a server makes each start quick.
  pg = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'contactable-plain-'));
}, 120_000);

afterAll(async () => {
  await sink.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe('a plain CTF, end to end', () => {
  it('R-LNK-1 R-CON-2 R-CON-9 siblings share one contact; an opt-out by email reaches both; no address is emailed twice', async () => {
    const store = ['--store', await pg.newDatabase('plain')];
    const gen = await json(['generate', '--pupils', '120', '--seed', 'plain', '--format', 'ctf', '--plain', '--out', 'school.xml'], dir);
    expect(gen.format).toBe('ctf');
    const text = readFileSync(join(dir, 'school.xml'), 'utf8');
    // As any MIS writes it: none of our extension.
    expect(text).not.toMatch(/cx:|ContactId|PersonId|xmlns:/);

    const dry = await cli(['import', 'school.xml', '--dry-run', ...store], dir);
    expect(dry.code).toBe(0);
    expect(dry.stdout).toMatch(/: one contact for .+ and .+ \(same name(, email and mobile| and email| and mobile)\)/);

    const imported = await json(['import', 'school.xml', ...store], dir);
    const shared = imported.identities.find((n: { members: unknown[] }) => n.members.length >= 2);
    expect(shared).toBeDefined();
    const [first, second] = shared.members.map((m: { memberId: string }) => m.memberId);
    const people = await json(['linked-people', first, ...store], dir);
    const parent = people.linkedPeople.find((c: { contactId: string }) => c.contactId === shared.contactId);
    expect(parent).toBeDefined();
    const other = await json(['linked-people', second, ...store], dir);
    expect(other.linkedPeople.map((c: { contactId: string }) => c.contactId)).toContain(shared.contactId);

    // A send to both siblings' prime parents: the shared parent is emailed once.
    const smtp = `smtp://127.0.0.1:${sink.port}?from=office@school.example.org`;
    if (parent.email !== null && parent.usableMethods.includes('email')) {
      const before = sink.received.length;
      const sent = await json(['send', '--to', `prime-parents:${first},${second}`, '--channel', 'email', '--subject', 'Trip', '--body', 'Letters home', '--provider', smtp, '--by', 'J. Smith', ...store], dir);
      expect(sent.completed).toBe(true);
      const to = sink.received.slice(before).flatMap((m) => m.to.map((a) => a.toLowerCase()));
      expect(new Set(to).size).toBe(to.length);
      expect(to.filter((a) => a === parent.email.toLowerCase())).toHaveLength(1);
      expect(sent.handedOver).toBe(to.length);
    }

    // R-CON-2: the parent opts out by email address; both siblings see it, and the next send skips them.
    if (parent.email !== null) {
      const out = await json(['opt-out', parent.email, '--by', 'J. Smith', '--reason', 'asked at parents evening', ...store], dir);
      expect(out.contacts.map((c: { contactId: string }) => c.contactId)).toEqual([shared.contactId]);
      for (const m of [first, second]) {
        const view = await json(['linked-people', m, ...store], dir);
        expect(view.linkedPeople.find((c: { contactId: string }) => c.contactId === shared.contactId)).toMatchObject({ optedOut: true, usableMethods: [] });
      }
      const before = sink.received.length;
      const again = await json(['send', '--to', `prime-parents:${first},${second}`, '--channel', 'email', '--subject', 'Trip', '--body', 'Second letter', '--provider', smtp, '--by', 'J. Smith', ...store], dir);
      expect(sink.received.slice(before).flatMap((m) => m.to.map((a) => a.toLowerCase()))).not.toContain(parent.email.toLowerCase());
      expect(again.skipped.map((s: { contactId: string }) => s.contactId)).toContain(shared.contactId);
    }

    // A re-import records nothing: the ids stay.
    const same = await json(['import', 'school.xml', ...store], dir);
    expect(same.recorded).toBe(false);

    // R-LNK-1 staff split the parent for the second sibling; the next sync keeps them apart; the audit says so.
    const split = await json(['contacts', 'split', shared.contactId, '--member', second, '--by', 'J. Smith', ...store], dir);
    expect(split.changed).toBe(true);
    expect((await json(['import', 'school.xml', ...store], dir)).recorded).toBe(false);
    const afterSplit = await json(['linked-people', second, ...store], dir);
    expect(afterSplit.linkedPeople.map((c: { contactId: string }) => c.contactId)).toContain(split.newContactId);
    expect(afterSplit.linkedPeople.map((c: { contactId: string }) => c.contactId)).not.toContain(shared.contactId);
    // The new record keeps the opt-out: who asked to stop is not known to be the other person.
    expect(afterSplit.linkedPeople.find((c: { contactId: string }) => c.contactId === split.newContactId).optedOut).toBe(parent.email !== null);

    // ...and a merge brings them together again, which the next sync keeps.
    const merged = await json(['contacts', 'merge', shared.contactId, split.newContactId, '--by', 'J. Smith', ...store], dir);
    expect(merged.relinkedMembers).toEqual([second]);
    expect((await json(['import', 'school.xml', ...store], dir)).recorded).toBe(false);
    const audit = await json(['audit', shared.contactId, ...store], dir);
    expect(audit.entries.map((e: { event: string }) => e.event)).toEqual(expect.arrayContaining(['ContactSourcesAdded', 'ContactSplit', 'ContactMerged']));
    const refusal = await cli(['contacts', 'merge', shared.contactId, shared.contactId, '--by', 'J. Smith', ...store], dir);
    expect(refusal.code).toBe(1);
    expect(refusal.stderr).toMatch(/itself.*Nothing was recorded/);
  }, 600_000);
});
