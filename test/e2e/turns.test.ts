/**
 * The embedded store shared by processes, as a school uses it (R-OPS-1, R-OPS-2): an opt-out made while
 * the nightly import runs waits for its turn, says so, lands, and survives the import; and an import
 * killed part-way then run again leaves the views exactly as a clean import's (R-AUD-4).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cli, cliJson as json, MAIN, needBuiltCli } from '../support/cli.js';


let dir: string;
beforeAll(async () => {
  needBuiltCli();
  dir = mkdtempSync(join(tmpdir(), 'contactable-turns-'));
  await json(['generate', '--pupils', '150', '--seed', 'small', '--format', 'ctf', '--out', 'small.xml'], dir);
  await json(['generate', '--pupils', '1500', '--seed', 'big', '--format', 'ctf', '--out', 'big.xml'], dir);
}, 120_000);

afterAll(() => rmSync(dir, { recursive: true, force: true }));

const waitFor = async (check: () => boolean, ms: number): Promise<void> => {
  const until = Date.now() + ms;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 25));
  }
};

describe('the embedded store, shared by processes', () => {
  it('R-OPS-1 R-OPS-2 an opt-out made while an import runs waits for its turn, lands, and survives the import', async () => {
    const store = ['--store', join(dir, 'shared')];
    await json(['import', 'small.xml', ...store], dir);
    const first = (await json(['members', '--status', 'on-roll', ...store], dir)).members[0];
    const parent = (await json(['linked-people', first.memberId, ...store], dir)).linkedPeople.find((c: { email: string | null }) => c.email !== null);
    expect(parent).toBeDefined();
    // Another school of the trust, in the same folder: a long import.
    const importing = spawn(process.execPath, [MAIN, 'import', 'big.xml', '--school', 'other', ...store], { cwd: dir, env: { ...process.env, CONTACTABLE_STORE: '' } });
    let importOut = '';
    importing.stderr.on('data', (d: Buffer) => (importOut += d.toString()));
    const importDone = new Promise<number>((resolve) => importing.on('exit', (code) => resolve(code ?? 1)));
    await waitFor(() => existsSync(join(dir, 'shared', 'lock')), 60_000);
    const out = await cli(['opt-out', parent.email, '--by', 'J. Smith', '--json', ...store], dir);
    expect(out.code).toBe(0);
    expect(JSON.parse(out.stdout).changed).toBe(true);
    expect(await importDone).toBe(0);
    expect(importOut).not.toMatch(/failed/);
    // The import, in this run, was still holding the folder when the opt-out came, so it waited.
    if (out.stderr !== '') expect(out.stderr).toMatch(/waiting for the import \(pid \d+\)/);
    const after = await json(['linked-people', first.memberId, ...store], dir);
    expect(after.linkedPeople.find((c: { contactId: string }) => c.contactId === parent.contactId).optedOut).toBe(true);
    expect((await json(['members', '--school', 'other', '--status', 'on-roll', ...store], dir)).members.length).toBeGreaterThan(1000);
  }, 600_000);

  it('R-AUD-4 an import killed part-way, then run again, leaves the views a clean import leaves', async () => {
    const clean = ['--store', join(dir, 'clean')];
    const killed = ['--store', join(dir, 'killed')];
    await json(['import', 'big.xml', '--today', '2026-09-01', ...clean], dir);
    const child = spawn(process.execPath, [MAIN, 'import', 'big.xml', '--today', '2026-09-01', ...killed], { cwd: dir, env: { ...process.env, CONTACTABLE_STORE: '' } });
    const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
    // Killed once it has been writing a while (the folder has its lock and the import has started).
    await waitFor(() => existsSync(join(dir, 'killed', 'lock')), 60_000);
    await new Promise((r) => setTimeout(r, 4_000));
    child.kill('SIGKILL');
    await exited;
    const rerun = await json(['import', 'big.xml', '--today', '2026-09-01', ...killed], dir);
    expect(rerun.refused).toEqual([]);
    const views = async (s: ReadonlyArray<string>) => ({
      dashboard: (await json(['dashboard', '--today', '2026-09-01', ...s], dir)).studentsWithContactablePrimeParent,
      issues: (await json(['data-issues', ...s], dir)).map((i: { type: string; memberId: string | null; contactId: string | null }) => [i.type, i.memberId, i.contactId]).sort(),
      members: (await json(['members', ...s], dir)).members.map((m: { memberId: string; status: string }) => [m.memberId, m.status]),
    });
    expect(await views(killed)).toEqual(await views(clean));
    expect((await json(['replay', '--verify', ...killed], dir)).verified).toBe(true);
  }, 600_000);
});
