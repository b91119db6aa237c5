/**
 * The built `contactable` command's privacy features on the embedded store: reason codes chosen from
 * a list (the free text beside them sealed), a subject access report (JSON and escaped HTML, school-zone
 * times, recorded with who asked), the school's message retention, and key backups that refuse a
 * weak or wrong passphrase (R-AUD-1, R-DEL-3).
 */
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli as run, needBuiltCli, type CliRun } from '../support/cli.js';

let dir = '';
// Every command on the one embedded store of this file, with no key passphrase unless a test gives one.
const cli = (args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): Promise<CliRun> =>
  run([...args, '--store', join(dir, 'store')], dir, { CONTACTABLE_KEYS_PASSPHRASE: '', ...env });
// eslint-disable-next-line @typescript-eslint/no-explicit-any
const json = async <T = any>(args: ReadonlyArray<string>, env: Readonly<Record<string, string>> = {}): Promise<T> => {
  const r = await cli([...args, '--json'], env);
  if (r.code !== 0) throw new Error(`contactable ${args.join(' ')} exited ${r.code}: ${r.stderr}`);
  return JSON.parse(r.stdout) as T;
};

beforeAll(async () => {
  needBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'contactable-privacy-'));
  expect((await cli(['generate', '--pupils', '6', '--seed', 'privacy', '--format', 'ctf', '--out', 'day0.xml'])).code).toBe(0);
  await json(['import', 'day0.xml', '--today', '2026-09-07']);
}, 180_000);

afterAll(() => {
  if (dir !== '') rmSync(dir, { recursive: true, force: true });
});

describe('privacy from the command line', () => {
  it('R-AUD-1 an opt-out takes a reason code from the list; its free text is reported escaped in the subject access page', async () => {
    const { members } = await json<{ members: Array<{ misReference: string; kind: string }> }>(['members', '--kind', 'student']);
    let parent: any;
    for (const m of members) {
      parent = (await json(['linked-people', m.misReference])).linkedPeople.find((c: any) => c.email !== null && c.email.includes('@'));
      if (parent !== undefined) break;
    }
    expect(parent).toBeDefined();
    const words = `<script>alert('x')</script> ${parent.name} phoned to stop`;

    const bad = await cli(['opt-out', parent.email, '--by', 'J. Smith', '--reason-code', 'because I said so']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--reason-code must be one of/);
    expect(bad.stderr).toMatch(/phoned-to-stop/);
    await json(['opt-out', parent.email, '--by', 'J. Smith', '--reason-code', 'phoned-to-stop', '--reason', words]);

    const audit = await json(['audit', parent.email]);
    expect(audit.entries.find((e: any) => e.event === 'OptedOut')).toMatchObject({ reasonCode: 'phoned-to-stop', reason: words, actor: 'J. Smith' });
    const human = await cli(['audit', parent.email]);
    // Times in the school's zone, said as BST or GMT; the code beside the free text in "why".
    expect(human.stdout).toMatch(/^when\s+what\s+who\s+why/m);
    expect(human.stdout).toMatch(/(BST|GMT)/);
    expect(human.stdout).toMatch(/phoned-to-stop:/);

    const sar = await json(['subject-access', parent.email, '--by', 'Data Protection Officer', '--out', 'sar.json']);
    expect(sar).toMatchObject({ subject: { kind: 'contact', id: parent.contactId }, status: 'active', files: { json: 'sar.json', html: 'sar.html' }, recorded: ['SubjectAccessReported'] });
    expect(sar.sections.links).toBeGreaterThanOrEqual(1);
    // Both files hold personal data: readable by their owner only.
    expect(statSync(join(dir, 'sar.html')).mode & 0o077).toBe(0);
    const doc = JSON.parse(readFileSync(join(dir, 'sar.json'), 'utf8'));
    expect(doc).toMatchObject({ requestedBy: 'Data Protection Officer', timeZone: 'Europe/London' });
    expect(doc.generatedAtLocal).toMatch(/ (BST|GMT)$/);
    expect(doc.consent).toEqual([expect.objectContaining({ event: 'OptedOut', reasonCode: 'phoned-to-stop', reason: words, atLocal: expect.stringMatching(/ (BST|GMT)$/) })]);
    expect(doc.details.find((d: any) => d.field === 'email').value).toContain(parent.email);
    expect(doc.links.map((l: any) => l.kind)).toContain('member');
    const html = readFileSync(join(dir, 'sar.html'), 'utf8');
    expect(html).not.toContain("<script>alert('x')</script>");
    expect(html).toContain('&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;');
    expect(html).toContain(`<h1>Subject access report: ${parent.name}</h1>`);

    const unknown = await cli(['subject-access', 'nobody@example.org', '--by', 'DPO']);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toMatch(/No member or contact/);
    const noBy = await cli(['subject-access', parent.email]);
    expect(noBy.code).toBe(2);
  }, 180_000);

  it("the school's message retention is shown and set, as a whole number of days", async () => {
    expect(await json(['message-retention'])).toEqual({ days: 365 });
    expect(await json(['message-retention', '30', '--by', 'Head Teacher'])).toEqual({ days: 30, changed: true });
    expect(await json(['message-retention'])).toEqual({ days: 30 });
    expect((await cli(['message-retention', 'soon', '--by', 'Head Teacher'])).code).toBe(2);
  }, 120_000);

  it('R-DEL-3 a key export needs a passphrase from a file or the environment, long enough; the wrong one opens nothing', async () => {
    const none = await cli(['keys', 'export', '--to', 'keys.json']);
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/never on the command line/);
    const short = await cli(['keys', 'export', '--to', 'keys.json'], { CONTACTABLE_KEYS_PASSPHRASE: 'short' });
    expect(short.code).toBe(2);
    const pass = { CONTACTABLE_KEYS_PASSPHRASE: 'a passphrase long enough for this' };
    const exported = await json(['keys', 'export', '--to', 'keys.json'], pass);
    expect(exported.keys).toBeGreaterThan(5);
    expect(statSync(join(dir, 'keys.json')).mode & 0o077).toBe(0);
    const wrong = await cli(['keys', 'import', '--from', 'keys.json'], { CONTACTABLE_KEYS_PASSPHRASE: 'not the passphrase used' });
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/keys\.json: the passphrase does not open this key export.*nothing was imported/);
    expect(await json(['keys', 'import', '--from', 'keys.json'], pass)).toMatchObject({ restored: 0, alreadyHeld: exported.keys, erased: 0 });
    const status = await json(['keys', 'status']);
    expect(status.keys).toMatchObject({ rotatable: true, keys: exported.keys, lastExportAt: expect.any(String) });
    expect(status.keys.source).toContain(`${join(dir, 'store')}.kek`);
  }, 120_000);
});
