/**
 * End to end, the built `contactable` command on the embedded store, for the operations staff meet when
 * things go wrong: a send with the SMTP server down (not sent, exit 1, carried on later), a send whose
 * server drops two messages unanswered (in doubt, listed by name, resent once on a named person's
 * decision), a callback applied twice or too old, and `doctor` before and after an import killed with -9.
 */
import { generateKeyPairSync, sign } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startSmtpDropper, type SmtpDropper } from '../../packages/adapters-messaging/test/support/smtpDropper.js';
import { startSmtpSink, type SmtpSink } from '../../packages/adapters-messaging/test/support/smtpSink.js';
import { openStore, readLockFile } from '../../packages/adapters-store/src/index.js';
import { catchUp, createProjection, linkedPeople, listMembers } from '../../packages/projections/src/index.js';
import { ok, requireBuilt, run, start } from '../chaos/support/cli.js';

const keys = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
const env = { CONTACTABLE_SENDGRID_WEBHOOK_KEY: keys.publicKey.export({ format: 'der', type: 'spki' }).toString('base64') };

let dir = '';
let store = '';
let sink: SmtpSink;
let dropper: SmtpDropper;
let parents: Array<{ email: string; name: string }> = [];

const smtp = (port: number) => `smtp://127.0.0.1:${port}?from=office@school.example&starttls=off&timeout=5000`;
const closedPort = (): Promise<number> =>
  new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });

beforeAll(async () => {
  requireBuilt();
  dir = mkdtempSync(join(tmpdir(), 'contactable-ops-'));
  store = join(dir, 'store');
  sink = await startSmtpSink();
  await ok(['generate', '--pupils', '24', '--seed', 'ops', '--format', 'ctf', '--out', 'day0.xml'], dir);
  await ok(['import', 'day0.xml', '--today', '2026-09-07', '--store', store], dir);
  // Prime parents with a usable email, as the office sees them (read here: one open, not one command per pupil).
  const s = await openStore(store);
  try {
    const p = createProjection({});
    await catchUp(s, p);
    const seen = new Set<string>();
    for (const m of listMembers(p, { kind: 'student' }).slice(0, 12)) {
      for (const c of linkedPeople(p, m.memberId)?.linkedPeople ?? []) {
        const email = c.email?.value.toLowerCase() ?? null;
        if (!c.prime || email === null || !c.usableMethods.includes('email') || seen.has(email)) continue;
        seen.add(email);
        parents.push({ email, name: `${c.name?.given ?? ""} ${c.name?.family ?? ""}`.trim() });
      }
    }
  } finally {
    await s.close();
  }
  // Two parents whose messages the dropper takes in full and never answers.
  const doubtful = new Set(parents.slice(1, 3).map((p) => p.email));
  dropper = await startSmtpDropper((to) => doubtful.has(to));
}, 600_000);

afterAll(async () => {
  await sink?.close();
  await dropper?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('operations, end to end', () => {
  it('R-CON-9 R-AUD-1 SMTP down: not sent and exit 1; carried on later; two dropped unanswered are in doubt by name; resent once on a named decision', async () => {
    expect(parents.length).toBeGreaterThanOrEqual(4);
    const send = ['send', '--to', 'prime-parents:all', '--channel', 'email', '--subject', 'Trip', '--body', 'The trip is on Friday.', '--by', 'Office Manager', '--message-id', 'trip-1', '--store', store, '--json'];

    // The server is down: nobody is handed over, the run stops, and it says what to do.
    const down = await run([...send, '--provider', smtp(await closedPort())], dir);
    expect(down.code).toBe(1);
    const report = JSON.parse(down.stdout);
    expect(report).toMatchObject({ sent: 0, failed: [], inDoubt: [], completed: false });
    expect(report.notSent.length).toBeGreaterThanOrEqual(parents.length);
    expect(report.notSent.map((n: any) => n.name)).toEqual(expect.arrayContaining(parents.map((p) => p.name)));
    expect(down.stderr).toMatch(/recipient\(s\) not sent .*could not connect to the SMTP server/);
    expect(down.stderr).toMatch(/contactable send --message-id trip-1/);

    // Carried on through a server that takes two messages and never answers for them.
    const resumed = await run(['send', '--message-id', 'trip-1', '--provider', smtp(dropper.port), '--by', 'Office Manager', '--store', store], dir, { COLUMNS: '400' });
    expect(resumed.code).toBe(1);
    expect(resumed.stdout).toMatch(/not sent 0, in doubt 2/);
    for (const p of parents.slice(1, 3)) expect(resumed.stdout).toContain(`in doubt ${p.name}, `);
    expect(resumed.stderr).toMatch(/2 recipient\(s\) in doubt/);
    for (const p of parents.slice(1, 3)) expect(resumed.stderr).toContain(p.name);
    expect(resumed.stderr).toMatch(/contactable send --resend-in-doubt --message-id trip-1/);
    // Names, never bare ids.
    expect(resumed.stdout).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/);

    // The decision, by a named person: sent once, to them only.
    const before = sink.received.length;
    const resend = await run(['send', '--resend-in-doubt', '--message-id', 'trip-1', '--provider', smtp(sink.port), '--by', 'Head Teacher', '--store', store, '--json'], dir);
    expect(resend.code).toBe(0);
    expect(JSON.parse(resend.stdout)).toMatchObject({ resent: 2, inDoubt: [], notSent: [], completed: true });
    expect(sink.received.slice(before).flatMap((m) => m.to).sort()).toEqual(parents.slice(1, 3).map((p) => p.email).sort());
    const again = await run(['send', '--resend-in-doubt', '--message-id', 'trip-1', '--provider', smtp(sink.port), '--by', 'Head Teacher', '--store', store, '--json'], dir);
    expect(again.code).toBe(0);
    expect(sink.received.length).toBe(before + 2);

    const s = await openStore(store);
    try {
      const decided = (await s.readStream('message-trip-1')).filter((e) => e.type === 'InDoubtResendDecided');
      expect(decided).toHaveLength(1);
      expect((decided[0]!.metadata as any).actor).toEqual({ kind: 'person', name: 'Head Teacher' });
    } finally {
      await s.close();
    }
  }, 600_000);

  it('R-CON-3 a callback applied twice is reported as already applied (exit 0, nothing written); one too old is refused (exit 1)', async () => {
    const signed = (email: string, eventId: string, at: number) => {
      const body = JSON.stringify([{ email, timestamp: at - 5, event: 'bounce', type: 'bounce', reason: '550 mailbox unavailable', sg_event_id: eventId, sg_message_id: `m-${eventId}` }]);
      const ts = String(at);
      const signature = sign('sha256', Buffer.from(ts + body), keys.privateKey).toString('base64');
      return { body, headers: ['--header', `X-Twilio-Email-Event-Webhook-Signature=${signature}`, '--header', `X-Twilio-Email-Event-Webhook-Timestamp=${ts}`] };
    };
    const now = Math.floor(Date.now() / 1000);
    const cb = signed(parents[0]!.email, 'ops-bounce-1', now);
    writeFileSync(join(dir, 'bounce.json'), cb.body);
    const first = await run(['feedback', 'sendgrid', 'bounce.json', ...cb.headers, '--store', store, '--json'], dir, env);
    expect(first.code).toBe(0);
    expect(JSON.parse(first.stdout)).toMatchObject({ replayed: false, eventsWritten: 1, callbackId: expect.stringMatching(/^sendgrid:[0-9a-f]{64}$/) });
    const second = await run(['feedback', 'sendgrid', 'bounce.json', ...cb.headers, '--store', store, '--json'], dir, env);
    expect(second.code).toBe(0);
    expect(JSON.parse(second.stdout)).toMatchObject({ replayed: true, eventsWritten: 0 });
    const old = signed(parents[0]!.email, 'ops-bounce-2', now - 3_600);
    writeFileSync(join(dir, 'old.json'), old.body);
    const stale = await run(['feedback', 'sendgrid', 'old.json', ...old.headers, '--store', store, '--json'], dir, env);
    expect(stale.code).toBe(1);
    expect(stale.stderr).toMatch(/old\.json: sendgrid callback rejected \(stale\).*nothing was recorded/);
  }, 300_000);

  it('R-OPS-2 doctor: healthy, then a lock left by an import killed with -9 (exit 1), then healthy again once the import is re-run', async () => {
    const healthy = await run(['doctor', '--store', store, '--json'], dir);
    expect(healthy.code).toBe(0);
    expect(JSON.parse(healthy.stdout)).toMatchObject({ ok: true, problems: 0 });
    await ok(['generate', '--pupils', '24', '--seed', 'ops', '--day', '20', '--format', 'ctf', '--out', 'day20.xml'], dir);
    // Twenty days of churn in a 24-pupil school is past the mass-change guard (R-IMP-7): allowed, by name.
    const importing = start(['import', 'day20.xml', '--today', '2026-09-27', '--allow-mass-change', '--by', 'Office Manager', '--store', store], dir);
    // Killed once it holds the folder (its lock file names it).
    for (let i = 0; i < 2_000 && importing.alive(); i++) {
      if (readLockFile(join(store, 'lock'))?.pid === importing.child.pid) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const killed = await importing.kill();
    expect(killed.signal).toBe('SIGKILL');
    const sick = await run(['doctor', '--store', store, '--json'], dir);
    expect(sick.code).toBe(1);
    const found = JSON.parse(sick.stdout);
    expect(found.checks.find((c: any) => c.id === 'folder-lock').findings[0].problem).toMatch(new RegExp(`process ${importing.child.pid}.*no longer running`));
    expect(sick.stderr).toMatch(/problem\(s\) found/);
    await ok(['import', 'day20.xml', '--today', '2026-09-27', '--allow-mass-change', '--by', 'Office Manager', '--store', store], dir);
    const well = await run(['doctor', '--store', store, '--json'], dir);
    expect(JSON.parse(well.stdout).checks.map((c: any) => c.findings.length)).toEqual([0, 0, 0, 0]);
    expect(well.code).toBe(0);
  }, 600_000);
});
