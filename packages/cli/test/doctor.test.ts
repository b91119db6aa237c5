/**
 * `contactable doctor`'s checks against an embedded store damaged on purpose: an event that does not
 * decode, personal data whose key is gone (with and without a recorded anonymisation), a key with no
 * data, a checkpoint ahead of the log, and a lock left by a dead process. Each is found, named by stream
 * and position, never by a personal value; a healthy store has no findings.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  contactDecider,
  contactStream,
  handleCommand,
  memberDecider,
  memberStream,
  messageDecider,
  messageStream,
  emailDetail,
  sequentialIds,
  steppingClock,
  type EventStore,
  type HandlerDeps,
} from '@contactable/core';
import { defaultKekFile, fileKekSource, inspectionOf, lockStatus, openPgliteDatabase, openSqlKeyStore, openStore, quoteSchema } from '@contactable/adapters-store';
import { runDoctor, type DoctorReport } from '@contactable/cli';

const dirs: string[] = [];
let template = '';
// Creating an embedded database is slow; each test starts from a copy of one made empty here.
beforeAll(async () => {
  const d = mkdtempSync(join(tmpdir(), 'contactable-doctor-'));
  dirs.push(d);
  template = join(d, 'template');
  await (await openStore(template)).close();
}, 120_000);
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const folder = (): string => {
  const d = mkdtempSync(join(tmpdir(), 'contactable-doctor-'));
  dirs.push(d);
  cpSync(template, join(d, 'store'), { recursive: true });
  // The key-encryption key lives beside the folder (a copy of the folder alone holds none).
  if (existsSync(defaultKekFile(template))) cpSync(defaultKekFile(template), defaultKekFile(join(d, 'store')));
  return join(d, 'store');
};

const NAME = { given: 'Zephyrine', family: 'Quillfeather' };
const EMAIL = 'zephyrine.quillfeather@example.org';

const deps = (store: EventStore): HandlerDeps => ({ store, clock: steppingClock('2026-09-01T08:00:00.000Z', 1000), ids: sequentialIds(`d-${Math.random()}`) });
const ctx = { schoolId: 'school-1', actor: { kind: 'person' as const, name: 'Office' } };
const must = async (p: Promise<E.Either<{ message: string }, unknown>>): Promise<void> => {
  const r = await p;
  if (E.isLeft(r)) throw new Error(r.left.message);
};

const addContact = (d: HandlerDeps, id: string) =>
  must(handleCommand(d, contactDecider, contactStream(id), { type: 'ImportContact', contactId: id, source: { kind: 'mis', system: 'sims', externalId: id }, name: NAME, email: emailDetail(EMAIL, 'Home'), mobile: null }, ctx));

const doctorOf = async (store: EventStore, path: string): Promise<DoctorReport> => runDoctor({ store, schoolId: 'school-1', inspection: inspectionOf(store), lock: await lockStatus(path) });

const findings = (r: DoctorReport, id: string) => r.checks.find((c) => c.id === id)!.findings;

describe('contactable doctor', () => {
  it('R-DEL-3 R-AUD-2 a healthy store has no findings; every check looked', async () => {
    const path = folder();
    const store = await openStore(path);
    try {
      await addContact(deps(store), 'c-1');
      const r = await doctorOf(store, path);
      expect(r.ok).toBe(true);
      expect(r.checks.map((c) => [c.id, c.status])).toEqual([
        ['folder-lock', 'ok'],
        ['undecodable-events', 'ok'],
        ['personal-data-keys', 'ok'],
        ['checkpoints', 'ok'],
        ['read-models', 'ok'],
      ]);
    } finally {
      await store.close();
    }
  });

  it('R-AUD-2 R-DEL-3 R-DEL-4 finds an undecodable event, a lost key, a key with no data and a checkpoint ahead of the log, naming no personal value', async () => {
    const path = folder();
    const db = await openPgliteDatabase(path);
    // A key made for a write that never landed.
    await (await openSqlKeyStore(db.sql, 'contactable', fileKekSource(defaultKekFile(path)), path)).current('contact-never-written');
    await db.close();
    const store = await openStore(path);
    try {
      const d = deps(store);
      for (const id of ['c-ok', 'c-lost', 'c-done']) await addContact(d, id);
      // An event whose data its codec refuses (written around the handler).
      await store.append('contact-c-ok', [{ id: 'bad-1', type: 'OptedOut', schemaVersion: 1, data: { contactId: 'c-ok', via: 'carrier-pigeon' }, metadata: { occurredAt: '2026-09-01T09:00:00.000Z', actor: ctx.actor, reason: null, correlationId: 'x', causationId: null, schoolId: 'school-1' } }], { kind: 'any' });
      // Keys destroyed: with nothing recorded, and properly (anonymisation recorded).
      await store.forget(contactStream('c-lost'));
      await store.forget(contactStream('c-done'));
      await store.append('contact-c-done', [{ id: 'anon-1', type: 'ContactAnonymised', schemaVersion: 1, data: { contactId: 'c-done' }, metadata: { occurredAt: '2026-09-20T09:00:00.000Z', actor: { kind: 'system', name: 'retention' }, reason: null, correlationId: 'r', causationId: null, schoolId: 'school-1' } }], { kind: 'any' });
      const head = (await store.readAll()).at(-1)!.position;
      await store.checkpoints.save('projections', head + 50);
      await store.checkpoints.save('http-service:school-1', head);

      const r = await doctorOf(store, path);
      expect(r.ok).toBe(false);
      const undecodable = findings(r, 'undecodable-events');
      expect(undecodable).toHaveLength(1);
      expect(undecodable[0]!.where).toMatch(/^contact-c-ok@1 \(position \d+\)$/);
      expect(undecodable[0]!.problem).toMatch(/via/);
      const keys = findings(r, 'personal-data-keys');
      expect(keys.find((f) => f.where?.startsWith('contact-c-lost'))?.problem).toMatch(/key is missing, and nobody was anonymised/);
      expect(keys.some((f) => f.where?.startsWith('contact-c-done'))).toBe(false);
      expect(keys.find((f) => f.where?.startsWith('contact-never-written'))?.problem).toMatch(/no stored event was sealed with/);
      const cp = findings(r, 'checkpoints');
      expect(cp.map((f) => f.where)).toEqual(['checkpoint projections']);
      expect(cp[0]!.problem).toContain(`the log ends at ${(await store.readAll()).at(-1)!.position}`);
      const text = JSON.stringify(r);
      for (const secret of [NAME.given, NAME.family, EMAIL]) expect(text).not.toContain(secret);
    } finally {
      await store.close();
    }
  });

  it('R-AUD-4 views kept in the store that no longer agree with the log are found, by id, with what to run', async () => {
    const path = folder();
    let store = await openStore(path);
    const d = deps(store);
    await addContact(d, 'c-1');
    await must(handleCommand(d, memberDecider, memberStream('m-1'), { type: 'ImportMember', memberId: 'm-1', source: { kind: 'mis', system: 'sims', externalId: 'm-1' }, kind: 'student', name: NAME, misReference: null, enrolment: { status: 'on-roll' }, stale: false }, { schoolId: 'school-1', actor: { kind: 'import', runId: 'r1' } }));
    await store.close();
    // A member's row lost behind the store's back (a restore of some tables only, a hand edit).
    const db = await openPgliteDatabase(path);
    await db.sql.query(`DELETE FROM ${quoteSchema('contactable')}."rm_member" WHERE key = $1`, ['m-1']);
    await db.close();
    store = await openStore(path);
    try {
      const r = await doctorOf(store, path);
      expect(r.ok).toBe(false);
      expect(findings(r, 'read-models')).toEqual([expect.objectContaining({ problem: expect.stringMatching(/^member m-1: in the log, not in the rows/), fix: expect.stringMatching(/contactable replay/) })]);
      expect(JSON.stringify(r)).not.toContain(NAME.family);
      // Rebuilt from the log, the views agree again.
      await store.readModels!.rebuild();
      expect(findings(await doctorOf(store, path), 'read-models')).toEqual([]);
    } finally {
      await store.close();
    }
  });

  it('R-DEL-2 a deleted contact whose key is gone but whose anonymisation is not recorded is told to run retention again', async () => {
    const path = folder();
    const store = await openStore(path);
    try {
      const d = deps(store);
      await addContact(d, 'c-1');
      await must(handleCommand(d, memberDecider, memberStream('m-1'), { type: 'ImportMember', memberId: 'm-1', source: { kind: 'mis', system: 'sims', externalId: 'm-1' }, kind: 'student', name: NAME, misReference: null, enrolment: { status: 'on-roll' }, stale: false }, { schoolId: 'school-1', actor: { kind: 'import', runId: 'r1' } }));
      await store.append('member-m-1', [{ id: 'del-1', type: 'MemberDeleted', schemaVersion: 1, data: { memberId: 'm-1' }, metadata: { occurredAt: '2026-09-02T09:00:00.000Z', actor: ctx.actor, reason: null, correlationId: 'x', causationId: null, schoolId: 'school-1' } }], { kind: 'any' });
      await store.forget(memberStream('m-1'));
      const keys = findings(await doctorOf(store, path), 'personal-data-keys');
      expect(keys).toEqual([expect.objectContaining({ where: expect.stringMatching(/^member-m-1 /), problem: expect.stringMatching(/retention stopped half-way/), fix: expect.stringMatching(/run contactable retention again/) })]);
    } finally {
      await store.close();
    }
  });

  it('R-DEL-3 a message whose content retention erased is no finding; a send failure sealed under its recipient\'s key counts as theirs', async () => {
    const path = folder();
    const store = await openStore(path);
    try {
      const d = deps(store);
      await addContact(d, 'c-1');
      const onMessage = (command: Parameters<typeof messageDecider.decide>[0]) => must(handleCommand(d, messageDecider, messageStream('m-1'), command, { ...ctx, reasonCode: 'message-send' }));
      await onMessage({ type: 'RequestMessage', messageId: 'm-1', channel: 'email', subject: 'Trip', body: 'Coats please', audience: { kind: 'contacts', contactIds: ['c-1'] }, purpose: 'message', recipients: ['c-1'], skipped: [] });
      await onMessage({ type: 'RecordSendFailure', messageId: 'm-1', contactId: 'c-1', error: `550 unknown user ${EMAIL}` });
      // Retention: the content's key destroyed, then the erasure recorded.
      await store.forget(messageStream('m-1'));
      await onMessage({ type: 'RecordMessageContentErased', messageId: 'm-1' });
      expect(findings(await doctorOf(store, path), 'personal-data-keys')).toEqual([]);
      // The contact's key lost with nothing recorded: their own event and the failure about them, one finding.
      await store.forget(contactStream('c-1'));
      const keys = findings(await doctorOf(store, path), 'personal-data-keys');
      expect(keys).toEqual([expect.objectContaining({ where: expect.stringMatching(/^contact-c-1 /), problem: expect.stringMatching(/^2 event\(s\) hold personal data whose key is missing/) })]);
      expect(JSON.stringify(keys)).not.toContain(EMAIL);
    } finally {
      await store.close();
    }
  });

  it('R-OPS-2 a lock left by a process killed with -9 is reported, and cleared by the next open', async () => {
    const path = folder();
    const first = await openStore(path);
    await first.close();
    // A process that took the folder and died without closing it.
    const child = spawnSync(process.execPath, ['--import', 'tsx', '-e', `
      import { lockFolder } from ${JSON.stringify(new URL('../../adapters-store/src/folderLock.ts', import.meta.url).pathname)};
      await lockFolder(${JSON.stringify(path)});
      process.kill(process.pid, 'SIGKILL');
    `], { cwd: new URL('../../..', import.meta.url).pathname, encoding: 'utf8' });
    expect(child.signal).toBe('SIGKILL');
    const status = await lockStatus(path);
    expect(status).toMatchObject({ state: 'stale', holder: { pid: child.pid } });
    const store = await openStore(path);
    try {
      const r = await runDoctor({ store, schoolId: 'school-1', inspection: inspectionOf(store), lock: status });
      expect(findings(r, 'folder-lock')[0]!.problem).toMatch(new RegExp(`process ${child.pid}.*no longer running`));
      expect(await lockStatus(path)).toMatchObject({ state: 'held', holder: { pid: process.pid } });
    } finally {
      await store.close();
    }
    expect(await lockStatus(path)).toEqual({ state: 'free' });
  });
});
