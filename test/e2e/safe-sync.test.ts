/**
 * Safe syncs and honest time, through the built `contactable` command on the embedded store:
 * the mass-change guard refuses an export that lost most of the school and leaves the store byte for
 * byte as it was (R-IMP-7); a partial export removes no one; --refresh-member takes any id form
 * (R-IMP-12); confirmations wait in the outbox and go out with one provider per channel (R-CON-10);
 * prime-parents:all reaches pre-admissions when they are imported; write commands never back-date or
 * silently run on another day, and a simulated clock shows in the audit (R-AUD-1, R-DEL-2).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson as json, needBuiltCli } from '../support/cli.js';
import { generateSchool, writeCtf } from '../../packages/adapters-sims/src/index.js';
import type { MisSnapshot } from '../../packages/core/src/index.js';
import { startHttpStub, type HttpStub } from '../../packages/adapters-messaging/test/support/httpStub.js';
import { startSmtpSink, type SmtpSink } from '../../packages/adapters-messaging/test/support/smtpSink.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';


const TODAY = '2026-09-07';
let dir: string;
let sink: SmtpSink;
let twilio: HttpStub;
let pg: TestPostgres;

beforeAll(async () => {
  needBuiltCli();
  // A PostgreSQL database per test: every command is its own process, and a server makes each start quick
  // (the embedded store's sharing by processes has its own end-to-end test, turns.test.ts).
  pg = await startPostgres();
  dir = mkdtempSync(join(tmpdir(), 'contactable-safe-'));
  sink = await startSmtpSink();
  twilio = await startHttpStub();
  twilio.respond = (_req, i) => ({ status: 201, body: { sid: `SM${i}`, status: 'queued' } });
}, 120_000);

afterAll(async () => {
  await sink?.close();
  await twilio?.close();
  await pg?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const write = (name: string, s: MisSnapshot, qualifier?: 'partial'): string => {
  writeFileSync(join(dir, name), writeCtf(s, qualifier === undefined ? {} : { qualifier }));
  return name;
};
const school = generateSchool({ seed: 'safe-sync', pupils: 80, today: TODAY }).snapshot;
const students = school.members.filter((m) => m.kind === 'student' && m.roll.status === 'on-roll');

describe('safe syncs, end to end', () => {
  it('R-IMP-7 an export that lost most of the school is refused, naming counts and year groups, and the store is byte for byte unchanged; a named person lets it through', async () => {
    const store = ['--store', await pg.newDatabase('guard'), '--kek-file', join(dir, 'guard.kek')];
    await json(['import', write('day0.xml', school), '--today', TODAY, ...store], dir);
    const before = await json(['replay', '--verify', ...store], dir);
    expect(before.verified).toBe(true);

    // The MIS export went wrong: 40% of the pupils are missing.
    const gone = new Set(students.filter((_, i) => i % 5 < 2).map((m) => m.externalId));
    const shrunk = write('shrunk.xml', { ...school, members: school.members.filter((m) => !gone.has(m.externalId)), links: school.links.filter((l) => !gone.has(l.memberExternalId)) });

    const dry = await json(['import', shrunk, '--today', TODAY, '--dry-run', ...store], dir);
    expect(dry.massChange).toMatchObject({ exceeded: true, thresholdPercent: 10, leavers: gone.size, allowedBy: null });
    expect(dry.massChange.yearGroups.length).toBeGreaterThan(0);

    const refused = await cli(['import', shrunk, '--today', TODAY, ...store], dir);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(new RegExp(`mark ${gone.size} of the \\d+ members on roll leavers \\(\\d+%\\)`));
    expect(refused.stderr).toMatch(/Most affected: Year \d+ \(\d+\)/);
    expect(refused.stderr).toMatch(/Nothing was written/);
    expect(refused.stderr).toMatch(/--allow-mass-change --by "Your Name"/);
    // No pupil's name or UPN in the message.
    for (const m of students.slice(0, 20)) expect(refused.stderr).not.toContain(m.name.family);

    const after = await json(['replay', '--verify', ...store], dir);
    expect({ sha256: after.sha256, position: after.position }).toEqual({ sha256: before.sha256, position: before.position });

    // Bad input: no name, or a threshold outside 0-100%, is refused before anything is read or written.
    const noBy = await cli(['import', shrunk, '--today', TODAY, '--allow-mass-change', ...store], dir);
    expect(noBy.code).toBe(2);
    expect(noBy.stderr).toMatch(/--allow-mass-change is recorded with who allowed it: add --by/);
    for (const bad of ['150', '-5', 'lots']) {
      const r = await cli(['import', shrunk, '--today', TODAY, `--mass-change-threshold=${bad}`, ...store], dir);
      expect(r.code).toBe(2);
      expect(r.stderr).toMatch(/--mass-change-threshold must be a percentage from 0 to 100/);
    }
    writeFileSync(join(dir, 'bad-settings.json'), '{"massChangeThreshold": 150}');
    const badFile = await cli(['import', shrunk, '--today', TODAY, '--settings', 'bad-settings.json', ...store], dir);
    expect(badFile.code).toBe(1);
    expect(badFile.stderr).toMatch(/bad-settings\.json: "massChangeThreshold" must be a percentage from 0 to 100/);
    expect((await json(['replay', ...store], dir)).position).toBe(before.position);

    // A higher threshold for this run, or a named person, lets it through; the name is on the run's events.
    const allowed = await json(['import', shrunk, '--today', TODAY, '--allow-mass-change', '--by', 'Office Manager', ...store], dir);
    expect(allowed.members.leavers).toBe(gone.size);
    expect(allowed.massChange).toMatchObject({ exceeded: true, allowedBy: 'Office Manager' });
    const leaver = (await json(['members', '--status', 'leaver', ...store], dir)).members[0];
    const trail = await json(['audit', leaver.memberId, ...store], dir);
    // Who allowed it is a name (the sealed reason); that a mass change was allowed stays in the code.
    expect(trail.entries.find((e: { event: string }) => e.event === 'MarkedLeaver')).toMatchObject({ reason: 'mass change allowed by Office Manager', reasonCode: 'MIS import - mass change allowed' });
  }, 900_000);

  it('R-IMP-7 R-IMP-12 a partial CTF changes what it holds and removes no one; --refresh-member takes a UPN, and an unknown one fails clearly', async () => {
    const store = ['--store', await pg.newDatabase('partial'), '--kek-file', join(dir, 'partial.kek')];
    await json(['import', write('whole.xml', school), '--today', TODAY, ...store], dir);
    const [one, two] = students as [MisSnapshot['members'][number], MisSnapshot['members'][number]];
    const renamed = { ...one, name: { ...one.name, given: 'Corrected' } };
    const correction = write('correction.xml', { ...school, members: [renamed], contacts: school.contacts.filter((c) => school.links.some((l) => l.memberExternalId === one.externalId && l.contactExternalId === c.externalId)), links: school.links.filter((l) => l.memberExternalId === one.externalId), groups: [] }, 'partial');
    const r = await json(['import', correction, '--today', TODAY, ...store], dir);
    expect(r).toMatchObject({ partial: true, members: { added: 0, changed: 1, leavers: 0, excluded: 0 } });
    expect((await json(['members', '--status', 'leaver', ...store], dir)).members).toEqual([]);

    // A full export with two changes; refresh one pupil, named by UPN: only they change.
    const changed = write('changed.xml', { ...school, members: school.members.map((m) => (m.externalId === two.externalId ? { ...m, name: { ...m.name, given: 'Refreshed' } } : m.externalId === one.externalId ? renamed : m)) });
    const refreshed = await json(['import', changed, '--today', TODAY, '--refresh-member', two.misReference!, ...store], dir);
    expect(refreshed.members).toMatchObject({ changed: 1, leavers: 0 });
    expect((await json(['members', '--search', 'Refreshed', ...store], dir)).members.map((m: { misReference: string }) => m.misReference)).toEqual([two.misReference]);
    const unknown = await cli(['import', changed, '--today', TODAY, '--refresh-member', 'Z999999999999', ...store], dir);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/--refresh-member: No member with id, MIS reference, export id or name "Z999999999999"/);
    const unknownContact = await cli(['import', changed, '--today', TODAY, '--refresh-contact', 'nobody@example.invalid', ...store], dir);
    expect(unknownContact.code).toBe(1);
    expect(unknownContact.stderr).toMatch(/No contact with id, email address/);
  }, 900_000);

  it('R-CON-10 confirmations wait in the outbox without a provider and go out by send-pending, one provider per channel; prime-parents:all reaches pre-admissions when imported', async () => {
    const store = ['--store', await pg.newDatabase('outbox'), '--kek-file', join(dir, 'outbox.kek')];
    // A family new to the school: an applicant whose parent is nobody else's (a send to the pupils on roll alone would miss them).
    const family: MisSnapshot = {
      ...school,
      members: [...school.members, { externalId: 'APP1', kind: 'student', name: { given: 'Nova', family: 'Newfamily' }, misReference: 'N000000000001', roll: { status: 'applicant', application: { status: 'Offered', standardStatus: 'offered' }, intakeAdmissionDate: '2027-09-01' }, parentsRefusedSharing: false }],
      contacts: [...school.contacts, { externalId: 'CAPP1', name: { given: 'Noor', family: 'Newfamily' }, emails: [{ value: 'noor.newfamily@example.org', location: 'Home' }], phones: [{ value: '07911 123458', location: 'Mobile' }] }],
      links: [...school.links, { memberExternalId: 'APP1', contactExternalId: 'CAPP1', relationship: 'Mother', priority: 1, parentalResponsibility: true }],
    };
    writeFileSync(join(dir, 'notify.json'), '{"notifyNewOrChangedDetails": true, "preAdmissions": true}');
    await json(['import', write('first.xml', family), '--today', TODAY, '--settings', 'notify.json', '--save-settings', '--by', 'Office Manager', ...store], dir);
    // New details for two parents: one email, one mobile.
    const parents = school.contacts.filter((c) => c.emails.length > 0 && c.phones.some((p) => p.location === 'Mobile') && school.links.some((l) => l.contactExternalId === c.externalId && l.priority === 1));
    const [a, b] = parents as [MisSnapshot['contacts'][number], MisSnapshot['contacts'][number]];
    const next = write('next.xml', {
      ...family,
      contacts: family.contacts.map((c) =>
        c.externalId === a.externalId ? { ...c, emails: [{ value: 'brand.new@example.org', location: 'Home' }] } : c.externalId === b.externalId ? { ...c, phones: c.phones.map((p) => (p.location === 'Mobile' ? { ...p, value: '07911 123457' } : p)) } : c,
      ),
    });
    const r = await json(['import', next, '--today', TODAY, ...store], dir);
    expect(r.confirmations).toEqual({ planned: 2, queued: 2, handedOver: 0, pending: 2 });

    const smtp = `smtp://127.0.0.1:${sink.port}?from=office@school.example.org&starttls=off`;
    const emails = await json(['send-pending', '--provider', smtp, ...store], dir);
    expect(emails.handedOver).toBe(1);
    expect(emails.waiting.map((w: { channel: string; purpose: string }) => [w.channel, w.purpose])).toEqual([['sms', 'confirmation']]);
    expect(sink.received.flatMap((m) => m.to)).toContain('brand.new@example.org');
    const texts = await json(['send-pending', '--provider', smtp, '--provider', `twilio://AC123:token@api.twilio.com?from=%2B447700900000&base=${encodeURIComponent(twilio.url)}`, ...store], dir);
    expect(texts).toMatchObject({ handedOver: 1, waiting: [] });
    expect(twilio.requests.some((q) => decodeURIComponent(q.body).includes('+447911123457'))).toBe(true);
    expect((await json(['send-pending', '--provider', smtp, ...store], dir))).toMatchObject({ messages: [], handedOver: 0, waiting: [] });
    const twice = await cli(['send-pending', '--provider', smtp, '--provider', smtp, ...store], dir);
    expect(twice.code).toBe(2);
    expect(twice.stderr).toMatch(/Two providers were given for email/);

    // Pre-admissions are imported here: prime-parents:all reaches the new family's parent too.
    expect((await json(['members', '--status', 'pre-admission', ...store], dir)).members.map((m: { misReference: string }) => m.misReference)).toContain('N000000000001');
    const before = sink.received.length;
    await json(['send', '--to', 'prime-parents:all', '--channel', 'email', '--subject', 'Welcome', '--body', 'Term starts', '--provider', smtp, '--by', 'Office Manager', ...store], dir);
    const welcomed = new Set(sink.received.slice(before).flatMap((m) => m.to.map((t) => t.toLowerCase())));
    expect(welcomed.has('noor.newfamily@example.org')).toBe(true);
  }, 900_000);

  it("R-AUD-1 R-DEL-2 honest time: --today on an import names the export's day only; a write for a later day is refused or runs on a marked simulated clock", async () => {
    const store = ['--store', await pg.newDatabase('time'), '--kek-file', join(dir, 'time.kek')];
    const future = '2099-01-04';
    const started = Date.now();
    await json(['import', write('future.xml', school), '--today', future, ...store], dir);
    const first = (await json(['members', ...store], dir)).members[0];
    const trail = await json(['audit', first.memberId, ...store], dir);
    // The event says when it happened, not the day the export names.
    expect(Math.abs(Date.parse(trail.entries[0].at) - started)).toBeLessThan(120_000);
    expect(trail.entries[0].simulatedClock).toBeNull();

    const position = (await json(['replay', ...store], dir)).position;
    const ahead = new Date(Date.now() + 20 * 86_400_000).toISOString().slice(0, 10);
    const refused = await cli(['retention', '--today', ahead, ...store], dir);
    expect(refused.code).toBe(2);
    expect(refused.stderr).toMatch(/day\(s\) ahead of today .* add --simulated-clock/);
    const past = await cli(['delete-leavers', first.memberId, '--by', 'Office Manager', '--today', '2020-01-01', ...store], dir);
    expect(past.code).toBe(2);
    expect(past.stderr).toMatch(/cannot be back-dated/);
    expect((await json(['replay', ...store], dir)).position).toBe(position);

    // A leaver, deleted now; anonymised on a rehearsal 20 days on, marked as such in the audit.
    const dropped = students[0]!;
    await json(['import', write('without.xml', { ...school, members: school.members.filter((m) => m !== dropped), links: school.links.filter((l) => l.memberExternalId !== dropped.externalId) }), '--today', future, ...store], dir);
    const [target] = (await json(['members', '--status', 'leaver', ...store], dir)).members;
    expect(target.misReference).toBe(dropped.misReference);
    await json(['delete-leavers', target.memberId, '--by', 'Office Manager', ...store], dir);
    const early = await json(['retention', ...store], dir);
    expect(early).toMatchObject({ anonymised: [], simulatedClock: null });
    expect(early.notYetDue).toBeGreaterThan(0);
    const rehearsed = await json(['retention', '--today', ahead, '--simulated-clock', ...store], dir);
    expect(rehearsed.anonymised).toContainEqual({ subject: 'member', id: target.memberId });
    expect(rehearsed.simulatedClock).toBe(`retention --today ${ahead}`);
    const erased = await json(['audit', target.memberId, ...store], dir);
    expect(erased.entries.find((e: { event: string }) => e.event === 'MemberAnonymised').simulatedClock).toBe(`retention --today ${ahead}`);
    expect(erased.entries.find((e: { event: string }) => e.event === 'MemberDeleted').simulatedClock).toBeNull();
    // As the office reads it, on a terminal wide enough that no cell wraps.
    process.env.COLUMNS = '400';
    const audit = await cli(['audit', target.memberId, ...store], dir).then((r) => r.stdout.replace(/\s+/g, ' ')).finally(() => delete process.env.COLUMNS);
    expect(audit).toMatch(new RegExp(`\\(simulated clock: retention --today ${ahead}\\) Anonymised`));
    expect(audit).toMatch(/\d+ \w{3} \d{4}, \d\d:\d\d (BST|GMT) Deleted/);

    // The school's time zone: a real IANA name only.
    const bad = await cli(['time-zone', 'Mars/Olympus', '--by', 'Office Manager', ...store], dir);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/not a time zone/);
    expect(await json(['time-zone', 'Europe/Paris', '--by', 'Office Manager', ...store], dir)).toMatchObject({ timeZone: 'Europe/Paris', recorded: ['TimeZoneChanged'] });
  }, 900_000);
});
