/**
 * End to end: the built `contactable` command as a subprocess, over a generated school, on the
 * embedded PGlite folder and on a real PostgreSQL server. Checks the JSON of each command and
 * that bad input fails with a clear message and a non-zero exit.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as run, cliJson, needBuiltCli, type CliRun } from '../support/cli.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const SENDGRID_KEY = keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64');

// Every command runs with the SendGrid key that verifies the callbacks signed here (and the runner's
// key-encryption key file for PostgreSQL, in the run's folder).
const WITH_KEY = { CONTACTABLE_SENDGRID_WEBHOOK_KEY: SENDGRID_KEY };
type Run = CliRun;
const cli = (args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<Run> => run(args, cwd, { ...WITH_KEY, ...env });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = <T = any>(args: ReadonlyArray<string>, cwd: string, env: NodeJS.ProcessEnv = {}): Promise<T> => cliJson<T>(args, cwd, { ...WITH_KEY, ...env });

const signedBounce = (email: string, id: string): { body: string; headers: string[] } => {
  const body = JSON.stringify([{ email, timestamp: Math.floor(Date.now() / 1000), event: 'bounce', type: 'bounce', reason: '550 mailbox unavailable', sg_event_id: id, sg_message_id: `m-${id}` }]);
  const timestamp = String(Math.floor(Date.now() / 1000));
  const signature = sign('sha256', Buffer.from(timestamp + body), keys.privateKey).toString('base64');
  return { body, headers: ['--header', `X-Twilio-Email-Event-Webhook-Signature=${signature}`, '--header', `X-Twilio-Email-Event-Webhook-Timestamp=${timestamp}`] };
};

let pg: TestPostgres | null = null;

beforeAll(async () => {
  needBuiltCli();
  pg = await startPostgres();
}, 120_000);

afterAll(async () => {
  await pg?.stop();
});

const journey = (storeOf: (dir: string) => Promise<string>) => async () => {
  const dir = mkdtempSync(join(tmpdir(), 'contactable-e2e-'));
  try {
    const store = ['--store', await storeOf(dir)];
    expect((await cli(['generate', '--pupils', '60', '--seed', 'e2e', '--format', 'ctf', '--out', 'day0.xml'], dir)).code).toBe(0);
    expect((await cli(['generate', '--pupils', '60', '--seed', 'e2e', '--day', '1', '--format', 'sims-csv', '--out', 'day1'], dir)).code).toBe(0);

    // R-IMP-1: a dry run writes nothing; the import records; the same export again records nothing.
    const dry = await json(['import', 'day0.xml', '--today', '2026-09-07', '--dry-run', ...store], dir);
    expect(dry).toMatchObject({ dryRun: true, eventsAppended: 0 });
    const first = await json(['import', 'day0.xml', '--today', '2026-09-07', ...store], dir);
    expect(first).toMatchObject({ dryRun: false, members: { added: dry.members.added, changed: 0, leavers: 0 }, contacts: { added: dry.contacts.added, changed: 0 } });
    expect(first.eventsAppended).toBeGreaterThan(100);
    expect(Array.isArray(first.issues)).toBe(true);
    const again = await json(['import', 'day0.xml', '--today', '2026-09-07', ...store], dir);
    expect(again).toMatchObject({ eventsAppended: 0, members: { added: 0, changed: 0, leavers: 0 } });

    // R-LNK-1: a member's linked people by MIS reference.
    const { members } = await json<{ members: Array<{ memberId: string; misReference: string; kind: string; status: string }> }>(['members', '--status', 'on-roll', ...store], dir);
    const withPrime = [];
    for (const m of members.filter((x) => x.kind === 'student')) {
      const v = await json(['linked-people', m.misReference, ...store], dir);
      const prime = v.linkedPeople.find((c: any) => c.prime && c.email !== null && c.usableMethods.includes('email'));
      if (prime !== undefined) withPrime.push({ member: v.member, prime });
      if (withPrime.length === 2) break;
    }
    expect(withPrime).toHaveLength(2);
    const [a, b] = withPrime as [any, any];
    expect(a.member).toEqual({ memberId: expect.any(String), misReference: expect.any(String), name: expect.any(String), status: 'on-roll' });
    expect(Object.keys(a.prime).sort()).toEqual(['blocked', 'contactId', 'email', 'mobile', 'name', 'optedOut', 'parentalResponsibility', 'prime', 'priority', 'relationship', 'usableMethods'].sort());

    // R-DSH-1: the dashboard's shape and sums.
    const dash = await json(['dashboard', '--today', '2026-09-08', ...store], dir);
    const s = dash.studentsWithContactablePrimeParent;
    expect(s.byEither).toBeGreaterThanOrEqual(Math.max(s.byEmail, s.byMobile));
    expect(s.total).toBe(s.byEither + s.without.length);
    expect(dash.messagesLast7Days).toHaveLength(7);

    // R-CON-3: three signed bounce callbacks from files block the email.
    for (const i of [1, 2, 3]) {
      const cb = signedBounce(a.prime.email, `e2e-bounce-${i}`);
      writeFileSync(join(dir, `bounce-${i}.json`), cb.body);
      const fed = await json(['feedback', 'sendgrid', `bounce-${i}.json`, ...cb.headers, ...store], dir);
      expect(fed).toMatchObject({ verified: true, facts: 1, eventsWritten: i === 3 ? 2 : 1 });
    }
    // A tampered file is refused and records nothing.
    const forged = signedBounce(b.prime.email, 'e2e-forged');
    writeFileSync(join(dir, 'forged.json'), forged.body.replace('bounce', 'spamreport'));
    const refused = await cli(['feedback', 'sendgrid', 'forged.json', ...forged.headers, ...store], dir);
    expect(refused.code).not.toBe(0);
    expect(refused.stderr).toMatch(/forged\.json: .*signature.*nothing was recorded/i);

    // R-CON-2: opt-out by email address, by a named person; the code stays in the clear, the words are sealed.
    const out = await json(['opt-out', b.prime.email, '--by', 'J. Smith', '--reason-code', 'asked-in-person', '--reason', 'asked at parents evening', ...store], dir);
    expect(out).toMatchObject({ contactId: b.prime.contactId, recorded: ['OptedOut'], changed: true });
    expect(out.contacts.map((c: any) => c.contactId)).toEqual([b.prime.contactId]);
    const after = await json(['linked-people', b.member.memberId, ...store], dir);
    expect(after.linkedPeople.find((c: any) => c.contactId === b.prime.contactId)).toMatchObject({ optedOut: true, usableMethods: [] });

    // R-AUD-3: why was the bounced parent not emailable now, and why was B reachable before the opt-out?
    const why = await json(['explain', a.prime.contactId, '--channel', 'email', ...store], dir);
    expect(why.usable).toBe(false);
    expect(why.reasons.map((r: any) => r.event)).toContain('Blocked');
    expect(Object.keys(why.reasons[0]).sort()).toEqual(['actor', 'at', 'because', 'event', 'reasonCode', 'standing'].sort());
    const earlier = await json(['explain', b.prime.contactId, '--channel', 'email', '--at', '2000-01-01T00:00:00Z', ...store], dir);
    expect(earlier.usable).toBe(false);

    // R-DSH-3: the bounce shows as a data issue, and a filter can be saved and reused.
    const issues = await json<any[]>(['data-issues', '--type', 'permanent-bounce', '--save-filter', 'bounces', ...store], dir);
    expect(issues).toEqual([expect.objectContaining({ type: 'permanent-bounce', contactId: a.prime.contactId, raisedAt: expect.any(String) })]);
    expect(await json(['data-issues', '--filter', 'bounces', ...store], dir)).toEqual(issues);

    // R-IMP-7, R-DEL-1, R-DEL-2: the next day's sync marks a leaver; deleting and retention anonymise them.
    const next = await json(['import', 'day1', '--today', '2026-09-08', ...store], dir);
    expect(next.members.leavers).toBeGreaterThanOrEqual(1);
    const lv = await json(['leavers', ...store], dir);
    const leaver = lv.awaitingDeletion[0].memberId as string;
    const del = await json(['delete-leavers', leaver, '--by', 'Office Manager', ...store], dir);
    expect(del.deleted[0]).toMatchObject({ memberId: leaver });
    const early = await json(['retention', ...store], dir);
    expect(early).toMatchObject({ anonymised: [], notYetDue: expect.any(Number) });
    // 15 days on: a rehearsal on a simulated clock, which every event it writes records (R-AUD-1).
    const late = new Date(Date.now() + 15 * 86_400_000).toISOString().slice(0, 10);
    const ret = await json(['retention', '--today', late, '--simulated-clock', ...store], dir);
    expect(ret.anonymised).toContainEqual({ subject: 'member', id: leaver });
    // R-DEL-3: the remaining keys were re-wrapped under a fresh key-encryption key, the old one destroyed.
    expect(ret.keys).toMatchObject({ rewrapped: true, retired: 1 });
    expect(ret.backups.length).toBeGreaterThan(0);
    expect(ret.warnings.map((w: any) => w.subject)).toContain('key export');

    // R-DEL-4: the audit keeps the facts and shows XXXX for the erased person.
    const audit = await json(['audit', leaver, ...store], dir);
    expect(audit.entries.map((e: any) => e.event)).toEqual(expect.arrayContaining(['MemberImported', 'MarkedLeaver', 'DeletionQueued', 'MemberDeleted', 'MemberAnonymised']));
    expect(JSON.stringify(audit)).toContain('XXXX');

    // The key backup, kept in step with retention (a new export after each erasure).
    const exported = await json(['keys', 'export', '--to', 'keys.json', ...store], dir, { CONTACTABLE_KEYS_PASSPHRASE: 'a passphrase for the e2e run' });
    expect(exported.keys).toBeGreaterThan(10);

    // A subject access report on the erased leaver: everything XXXX, the facts and the request recorded.
    const sar = await json(['subject-access', leaver, '--by', 'Data Protection Officer', '--out', 'leaver', ...store], dir);
    expect(sar).toMatchObject({ subject: { kind: 'member', id: leaver }, status: 'anonymised', recorded: ['SubjectAccessReported'] });
    const report = JSON.parse(readFileSync(join(dir, 'leaver.json'), 'utf8'));
    expect(report.details.find((d: any) => d.field === 'name').value).toBe('XXXX XXXX');
    expect(report.auditTrail.map((e: any) => e.event)).toContain('MemberAnonymised');
    expect(readFileSync(join(dir, 'leaver.html'), 'utf8')).toMatch(/<h1>Subject access report: XXXX XXXX<\/h1>/);

    // R-AUD-4: replay twice gives byte-identical views.
    const replay = await json(['replay', '--verify', ...store], dir);
    expect(replay.verified).toBe(true);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

describe('contactable, end to end', () => {
  it('R-IMP-1 R-CON-3 R-AUD-3 R-DEL-2 a school day on the embedded PGlite store', journey(async (dir) => join(dir, 'store')), 900_000);

  it('R-IMP-1 R-CON-3 R-AUD-3 R-DEL-2 a school day on PostgreSQL', journey(async () => pg!.newDatabase()), 900_000);

  it('bad arguments, a missing file and an unreachable store give a clear message and a non-zero exit', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'contactable-e2e-bad-'));
    try {
      const unknown = await cli(['frobnicate'], dir);
      expect(unknown.code).toBe(2);
      expect(unknown.stderr).toMatch(/unknown command "frobnicate"/);
      const badOpt = await cli(['members', '--colour', 'blue', '--store', 'memory:'], dir);
      expect(badOpt.code).toBe(2);
      expect(badOpt.stderr).toMatch(/--colour/);
      const badChannel = await cli(['explain', 'x', '--channel', 'fax', '--store', 'memory:'], dir);
      expect(badChannel).toMatchObject({ code: 2 });
      expect(badChannel.stderr).toMatch(/--channel must be email or sms/);
      const missing = await cli(['import', 'nowhere.xml', '--store', join(dir, 'store')], dir);
      expect(missing.code).toBe(1);
      expect(missing.stderr).toMatch(/nowhere\.xml does not exist/);
      const noBy = await cli(['opt-out', 'someone@example.org', '--store', 'memory:'], dir);
      expect(noBy.code).toBe(2);
      expect(noBy.stderr).toMatch(/--by/);
      // PostgreSQL with no key-encryption key configured: refused, saying how to give one.
      const noKek = await cli(['members', '--store', await pg!.newDatabase()], dir, { CONTACTABLE_KEK_FILE: '' });
      expect(noKek.code).toBe(1);
      expect(noKek.stderr).toMatch(/CONTACTABLE_KEK_FILE/);
      const unreachable = await cli(['members', '--store', 'postgres://office:hunter2@127.0.0.1:9/school'], dir);
      expect(unreachable.code).toBe(1);
      expect(unreachable.stderr).toMatch(/postgres:\/\/office:\*\*\*@127\.0\.0\.1:9\/school/);
      expect(unreachable.stderr).not.toContain('hunter2');
      writeFileSync(join(dir, 'broken.xml'), '<CTfile><Header><CTFversion>18.0</CTFversion></Header><CTFpupilData><Pupil><UPN>A1</UPN>');
      const broken = await cli(['import', 'broken.xml', '--store', join(dir, 'store2'), '--json'], dir);
      expect(broken.code).toBe(1);
      expect(broken.stdout).toBe('');
      expect(broken.stderr).toMatch(/broken\.xml/);
      expect(broken.stderr).toMatch(/store is unchanged/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
