/**
 * The new commands and the office's reading of every command, in-process over one memory store:
 * groups by name, hand edits of members and linked people, staff accounts, and text output that
 * names people with their references, explains codes, keeps rule ids out and fits the width.
 */
import { Readable } from 'node:stream';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { contactDecider, contactStream, defaultImportSettings, fixedClock, handleCommand, memoryStore, readAllEvents, runImport, type EventStore } from '@contactable/core';
import { generateSchool } from '@contactable/adapters-sims';
import { uuidV7Ids } from '@contactable/adapters-store';
import { runCli } from '../src/index.js';
import { fitText } from '../src/output.js';

const TODAY = '2026-09-08';
const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/;
const RULE_ID = /R-[A-Z]{2,4}-\d/;
let store: EventStore;

interface Ran {
  readonly code: number;
  readonly out: string;
  readonly err: string;
  readonly json: any;
}

/** Runs `contactable ARGS` against the shared store; text lines and the JSON result are captured. */
const run = async (...argv: string[]): Promise<Ran> => {
  const lines: string[] = [];
  const errors: string[] = [];
  let json: unknown = null;
  const code = await runCli([...argv, '--store', 'memory:'], {
    openStore: async () => ({ ...store, close: async () => undefined }),
    error: (t) => void errors.push(t),
    output: (isJson) => ({
      json: isJson,
      // The executable's own fitting of prose lines (tables fit by themselves).
      line: (t = '') => void (!isJson && lines.push(fitText(t, 90))),
      result: (value, human) => (isJson ? void (json = value) : human()),
      note: (t) => void errors.push(t),
    }),
  });
  return { code, out: lines.join('\n'), err: errors.join(''), json };
};

const count = async (type: string): Promise<number> => {
  let n = 0;
  for await (const e of readAllEvents(store)) if (e.type === type) n++;
  return n;
};

beforeAll(async () => {
  process.env.COLUMNS = '90';
  store = memoryStore();
  const school = generateSchool({ seed: 'cli-commands', pupils: 40, today: TODAY });
  const r = await runImport({ store, clock: fixedClock(`${TODAY}T08:00:00.000Z`), ids: uuidV7Ids }, school.snapshot, defaultImportSettings, TODAY, { runId: uuidV7Ids.next(), format: 'ctf', sourceName: 'school.xml', schoolId: 'default' });
  if (r._tag === 'Left') throw new Error(r.left.message);
});
afterAll(() => {
  delete process.env.COLUMNS;
});

describe('groups by name (R-GRP-2, R-GRP-3)', () => {
  it('R-GRP-3 lists groups by name and shows one by name, its people named with their MIS reference', async () => {
    const list = await run('groups', '--json');
    const names = list.json.groups.map((g: { name: string }) => g.name);
    expect(names).toEqual([...names].sort((a: string, b: string) => a.toLowerCase().localeCompare(b.toLowerCase())));
    const year = list.json.groups.find((g: { name: string; source: string }) => g.source === 'mis' && g.name.startsWith('Year'));
    const shown = await run('group', year.name);
    expect(shown.code).toBe(0);
    expect(shown.out).toMatch(/\(X\d{12}\)/);
    expect(shown.out).not.toMatch(UUID);
    const json = await run('group', year.name, '--json');
    expect(json.json.people[0]).toMatchObject({ kind: 'member', memberId: expect.any(String), memberName: expect.any(String), misReference: expect.any(String) });
    expect((await run('group', 'No Such Group')).err).toContain('No group is called "No Such Group"');
    expect((await run('group', 'edit', year.name, '--name', 'Mine', '--by', 'J Smith')).err).toContain('comes from the MIS');
  });

  it('R-GRP-1 R-GRP-2 adds a member not in the MIS with a linked person, makes a Governors group of both, edits and deletes it', async () => {
    const added = await run('member', 'add', '--name', 'Grace Governor', '--kind', 'external', '--by', 'J Smith', '--json');
    expect(added.code).toBe(0);
    const contact = await run('contact', 'add', '--name', 'Gil Governor', '--email', 'gil.governor@example.org', '--member', 'Grace Governor', '--relationship', 'Governor', '--prime', '--by', 'J Smith');
    expect(contact.out).toBe('Added Gil Governor to the address book as Governor of Grace Governor (prime parent).');
    const before = await count('GroupCreated');
    const made = await run('group', 'create', 'Governors', '--kind', 'governors', '--add', 'Grace Governor', '--add', 'gil.governor@example.org', '--by', 'J Smith');
    expect(made.code).toBe(0);
    expect(await count('GroupCreated')).toBe(before + 1);
    const shown = await run('group', 'Governors', '--json');
    expect(shown.json.people.map((p: { kind: string }) => p.kind).sort()).toEqual(['contact', 'member']);
    expect((await run('group', 'create', 'governors', '--by', 'J Smith')).err).toContain('already called');
    const renamed = await run('group', 'edit', 'Governors', '--name', 'Board of Governors', '--remove', 'gil.governor@example.org', '--by', 'J Smith');
    expect(renamed.out).toContain('renamed from Governors');
    expect((await run('group', 'Board of Governors', '--json')).json.people).toHaveLength(1);
    expect((await run('group', 'delete', 'Board of Governors', '--by', 'J Smith')).out).toContain('Deleted the group Board of Governors');
    expect((await run('groups', '--json')).json.groups.some((g: { name: string }) => g.name === 'Board of Governors')).toBe(false);
    expect((await run('group', 'create', 'Needs By')).err).toContain('--by');
  });
});

describe('hand edits of linked people (R-IMP-9, R-GRP-1)', () => {
  it('R-IMP-9 overrides an MIS contact\'s mobile until the next sync, and refuses to edit their name by hand', async () => {
    const v = await run('members', '--status', 'on-roll', '--kind', 'student', '--json');
    let target: { ref: string; email: string } | null = null;
    for (const m of v.json.members) {
      const lp = await run('linked-people', m.misReference, '--json');
      const c = lp.json.linkedPeople.find((x: { prime: boolean; email: string | null }) => x.prime && x.email !== null);
      if (c !== undefined) {
        target = { ref: m.misReference, email: c.email };
        break;
      }
    }
    const before = await count('LocalOverrideSet');
    const r = await run('contact', 'override', target!.email, '--mobile', '07911 123456', '--by', 'J Smith');
    expect(r.code).toBe(0);
    expect(r.out.replace(/\s+/g, ' ')).toContain('until the next MIS sync');
    expect(await count('LocalOverrideSet')).toBe(before + 1);
    expect((await run('contact', 'edit', target!.email, '--name', 'New Name', '--by', 'J Smith')).err).toContain('comes from the MIS');
    const lp = await run('linked-people', target!.ref, '--json');
    expect(lp.json.linkedPeople.find((x: { email: string }) => x.email === target!.email).mobile).toBe('+447911123456');
  });

  it('chooses the prime parent, links and unlinks a hand-added contact, and deletes it', async () => {
    await run('member', 'add', '--name', 'Eve External', '--by', 'J Smith');
    const pat = await run('contact', 'add', '--name', 'Pat Parent', '--mobile', '07911 123456', '--member', 'Eve External', '--by', 'J Smith');
    expect(pat.err).toBe('');
    const prime = await run('contact', 'prime', 'Pat Parent', '--member', 'Eve External', '--by', 'J Smith', '--json');
    expect(prime.err).toBe('');
    expect(prime.json).toMatchObject({ prime: true, changed: true, contactName: 'Pat Parent', memberName: 'Eve External' });
    const lp = await run('linked-people', 'Eve External', '--json');
    expect(lp.json.linkedPeople[0]).toMatchObject({ name: 'Pat Parent', prime: true });
    expect((await run('contact', 'unlink', 'Pat Parent', '--member', 'Eve External', '--by', 'J Smith')).out).toContain('no longer linked to Eve External');
    expect((await run('contact', 'link', 'Pat Parent', '--member', 'Eve External', '--relationship', 'PAF', '--by', 'J Smith')).out).toContain('as Father');
    const deleted = await run('contact', 'delete', 'Pat Parent', '--by', 'J Smith');
    expect(deleted.out).toContain('Deleted Pat Parent');
    expect((await run('member', 'edit', 'Eve External', '--name', 'Eve Outside', '--by', 'J Smith')).out).toContain('Saved Eve Outside');
  });
});

describe('staff accounts', () => {
  it('adds an account from a password on standard input, lists it, changes its role, and removes it (its details erased)', async () => {
    const stdin = Object.getOwnPropertyDescriptor(process, 'stdin')!;
    const feed = (text: string) => Object.defineProperty(process, 'stdin', { value: Readable.from([text]), configurable: true });
    try {
      feed('a long secret password\n');
      const added = await run('staff', 'add', 'Head@School.example', '--name', 'Hana Head', '--role', 'admin', '--password-stdin', '--by', 'Installer', '--json');
      expect(added.json).toMatchObject({ email: 'head@school.example', name: 'Hana Head', role: 'admin' });
      feed('short\n');
      expect((await run('staff', 'add', 'x@school.example', '--name', 'X', '--role', 'office', '--password-stdin')).err).toContain('at least 10 characters');
      feed('another long password\n');
      await run('staff', 'add', 'olu@school.example', '--name', 'Olu Office', '--role', 'office', '--password-stdin');
    } finally {
      Object.defineProperty(process, 'stdin', stdin);
    }
    const list = await run('staff', 'list');
    expect(list.out.split('\n')[2]).toMatch(/^Hana Head\s+head@school\.example\s+admin/);
    expect((await run('staff', 'role', 'olu@school.example', '--role', 'compliance')).out).toContain('now compliance');
    expect((await run('staff', 'remove', 'head@school.example')).err).toContain('no admin left');
    expect((await run('staff', 'remove', 'olu@school.example')).out).toContain('erased');
    expect((await run('staff', 'list', '--json')).json.staff.map((a: { email: string }) => a.email)).toEqual(['head@school.example']);
    expect((await run('staff', 'frobnicate')).code).toBe(2);
  });
});

describe('what office staff read', () => {
  it('names people with their reference and never shows a bare id, a code or a rule id in text output', async () => {
    // A bounced parent, so the data issues and explanations have something to say.
    const members = (await run('members', '--status', 'on-roll', '--kind', 'student', '--json')).json.members;
    const lp = await run('linked-people', members[3].misReference, '--json');
    const c = lp.json.linkedPeople.find((x: { email: string | null }) => x.email !== null);
    if (c !== undefined) {
      for (const i of [1, 2, 3]) {
        await handleCommand({ store, clock: fixedClock(`${TODAY}T1${i}:00:00.000Z`), ids: uuidV7Ids }, contactDecider, contactStream(c.contactId), { type: 'RecordDeliveryFailure', contactId: c.contactId, channel: 'email', address: c.email, permanent: true, detail: null, provider: 'sendgrid', feedbackId: `cli-bounce-${i}`, providerMessageId: null, observedAt: `${TODAY}T1${i}:00:00.000Z` }, { schoolId: 'default', actor: { kind: 'provider', provider: 'sendgrid', verified: true } });
      }
    }
    const outputs = await Promise.all([
      run('members'),
      run('linked-people', members[3].misReference),
      run('dashboard', '--today', TODAY),
      run('data-issues'),
      run('leavers', '--today', TODAY),
      run('groups'),
      run('audit', members[3].misReference),
      ...(c === undefined ? [] : [run('explain', c.email, '--channel', 'email')]),
    ]);
    for (const o of outputs) {
      expect(o.code, o.err).toBe(0);
      expect(o.out).not.toMatch(UUID);
      expect(o.out).not.toMatch(RULE_ID);
      expect(o.out).not.toMatch(/permanent-bounce|text-delivery-failure|\bPA[MF]\b/);
      for (const line of o.out.split('\n')) expect(line.length).toBeLessThanOrEqual(90);
    }
    const issues = await run('data-issues');
    if (c !== undefined) expect(issues.out).toContain('Email bouncing');
    const names = (await run('members', '--json')).json.members.map((m: { name: string }) => m.name.split(' ').reverse().join(' ').toLowerCase().replace(/[^a-z ]/g, ''));
    expect(names).toEqual([...names].sort());
  });

  it('keeps the JSON fields and adds names beside the ids', async () => {
    const issues = (await run('data-issues', '--json')).json as Array<Record<string, unknown>>;
    expect(issues.length).toBeGreaterThan(0);
    for (const i of issues) expect(Object.keys(i).sort()).toEqual(['contactId', 'contactName', 'detail', 'memberId', 'memberName', 'misReference', 'raisedAt', 'relatedContactId', 'relatedContactName', 'type']);
    const dash = (await run('dashboard', '--today', TODAY, '--json')).json;
    for (const w of dash.studentsWithContactablePrimeParent.without) expect(w).toMatchObject({ memberId: expect.any(String), name: expect.any(String), memberName: expect.any(String) });
  });
});

describe('serve', () => {
  it('R-OPS-1 starts the console on the store, answers sign-in and the webhooks, and stops on a signal', async () => {
    let result: any = null;
    const running = runCli(['serve', '--port', '0', '--store', 'memory:', '--json'], {
      openStore: async () => ({ ...store, close: async () => undefined }),
      error: () => undefined,
      output: (isJson) => ({ json: isJson, line: () => undefined, result: (v) => void (result = v), note: () => undefined }),
    });
    for (let i = 0; i < 200 && result === null; i++) await new Promise((r) => setTimeout(r, 50));
    expect(result).toMatchObject({ url: expect.stringMatching(/^http:\/\/127\.0\.0\.1:\d+$/), schoolId: 'default' });
    try {
      expect((await fetch(`${result.url}/login`)).status).toBe(200);
      expect((await fetch(`${result.url}/`, { redirect: 'manual' })).status).toBe(303);
      expect((await fetch(`${result.url}/webhooks/twilio`, { method: 'POST', body: 'x=1' })).status).toBe(500);
    } finally {
      process.emit('SIGTERM');
    }
    expect(await running).toBe(0);
  });
});
