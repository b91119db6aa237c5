/**
 * Kill -9 at random moments: the built `contactable` command runs an import, a send (to the loopback SMTP
 * sink) or a retention run on a copy of a prepared store, is killed with SIGKILL part-way, and is run
 * again until it converges; the store is then compared with a clean run's. A trial passes when no domain
 * event is lost or duplicated, every stream's versions run without a gap, every recipient is messaged
 * exactly once (by the SMTP Message-ID, our idempotency key) and nobody is missed, and the office's views
 * equal the clean run's.
 *
 * Where the kill lands: on PostgreSQL the lab watches the store from outside and kills once a random
 * amount of the work is visible; a send is watched through the sink on either store; an embedded (PGlite)
 * import or retention cannot be watched from outside, so it is killed at a random time within the clean
 * run's duration. Each trial says where its kill landed (before the first write, or during the work).
 */
import { copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { defaultKekFile, openPostgresDatabase, openStore } from '../../../packages/adapters-store/src/index.js';
import { startSmtpSink, type SmtpSink } from '../../../packages/adapters-messaging/test/support/smtpSink.js';
import { startPostgres, type TestPostgres } from '../../support/postgres.js';
import { ok as okIn, requireBuilt, run as runIn, start as startIn, type Run } from './cli.js';
import { fingerprint, missingFrom, type Fingerprint } from './fingerprint.js';

/** Where a trial's store lives. */
export type Backend = 'pglite' | 'postgres';
/** What is killed. */
export type Scenario = 'import' | 'send' | 'retention';

/** A seeded generator (mulberry32), so a slice's trials are the same every time. */
export const rng = (seed: number): (() => number) => {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
};

/** What one trial found. */
export interface TrialResult {
  readonly scenario: Scenario;
  readonly backend: Backend;
  /** Where the kill landed: before anything was written, during the work, or not at all (it finished first). */
  readonly landed: 'before-first-write' | 'during-work' | 'finished-first';
  readonly killedAtMs: number;
  readonly lost: number;
  readonly duplicated: number;
  readonly gaps: number;
  /** Recipients who received two different messages (two Message-IDs). */
  readonly double: number;
  /** Recipients who should have had the message and did not. */
  readonly missed: number;
  /** Messages handed to someone not in the clean run's audience. */
  readonly stray: number;
  /** Copies of one message (same Message-ID) a recipient in doubt received again on staff's decision. */
  readonly copies: number;
  /** Recipients the re-run reported in doubt. */
  readonly inDoubt: number;
  readonly viewsEqual: boolean;
  /** Anything else wrong (a re-run that failed, a subject still readable after anonymisation...). */
  readonly errors: ReadonlyArray<string>;
}

/** True when a trial shows nothing wrong. */
export const clean = (r: TrialResult): boolean =>
  r.lost === 0 && r.duplicated === 0 && r.gaps === 0 && r.double === 0 && r.missed === 0 && r.stray === 0 && r.viewsEqual && r.errors.length === 0;

const PUPILS = 40;
const TODAY = '2026-09-07';
const LATER = '2026-10-07';
const MESSAGE = 'chaos-message';

interface Prepared {
  /** A store in the state before the command: a folder, or a database name. */
  readonly template: string;
  /** The clean run: its fingerprint, duration, the work it did (for the kill's aim), the addresses it reached. */
  readonly clean: Fingerprint;
  readonly cleanMs: number;
  readonly cleanWork: number;
  readonly addresses: ReadonlySet<string>;
  /** Events in the template (to tell whether a kill came before anything was written). */
  readonly templateEvents: number;
  /** How long the same command takes when there is nothing left to do (start, open, read): the work comes after. */
  readonly idleMs: number;
}

/** Shared servers, files and prepared stores for a series of trials. */
export interface KillLab {
  readonly trial: (scenario: Scenario, backend: Backend, random: () => number) => Promise<TrialResult>;
  /** PostgreSQL stopped (as in a crash) while the command runs, then started again; the re-run must converge. */
  readonly serverStop: (scenario: 'import' | 'send', random: () => number) => Promise<TrialResult & { readonly firstError: string }>;
  readonly close: () => Promise<void>;
}

/** Starts the lab: a PostgreSQL cluster, the SMTP sink, a generated school and the prepared stores. */
export const startKillLab = async (options: { readonly backends: ReadonlyArray<Backend>; readonly scenarios: ReadonlyArray<Scenario> }): Promise<KillLab> => {
  requireBuilt();
  const dir = mkdtempSync(join(tmpdir(), 'contactable-kill-'));
  const pg: TestPostgres = await startPostgres();
  const sink: SmtpSink = await startSmtpSink();
  const smtp = `smtp://127.0.0.1:${sink.port}?from=office@school.example&starttls=off`;
  // Retention is due 14 days after deletion, which happens now (the real clock).
  const retentionDay = new Date(Date.now() + 15 * 86_400_000).toISOString().slice(0, 10);
  const viewsDay = new Date().toISOString().slice(0, 10);
  let n = 0;

  // Every store has its own key-encryption key file (a re-wrap in one copy retires KEKs the others use):
  // an embedded one beside its folder (copied with it), a PostgreSQL database's in the lab's folder,
  // given to each command with --kek-file and to this process's reads as the store's `kek` option.
  const keks = join(dir, 'keks');
  mkdirSync(keks);
  const isPostgres = (url: string): boolean => /^postgres(ql)?:\/\//i.test(url);
  const kekOfDatabase = (name: string): string => join(keks, `${name}.kek`);
  const kekOf = (url: string): string => (isPostgres(url) ? kekOfDatabase(decodeURIComponent(new URL(url).pathname.slice(1))) : defaultKekFile(url));
  const withKek = (args: ReadonlyArray<string>): string[] => {
    const at = args.indexOf('--store');
    const url = at < 0 ? undefined : args[at + 1];
    return url !== undefined && isPostgres(url) ? [...args, '--kek-file', kekOf(url)] : [...args];
  };
  const ok = <T = unknown>(args: ReadonlyArray<string>, cwd: string): Promise<T> => okIn<T>(withKek(args), cwd);
  const run = (args: ReadonlyArray<string>, cwd: string): Promise<Run> => runIn(withKek(args), cwd);
  const start = (args: ReadonlyArray<string>, cwd: string) => startIn(withKek(args), cwd);
  const storeOptions = (url: string) => ({ kek: kekOf(url) });

  await ok(['generate', '--pupils', String(PUPILS), '--seed', 'chaos', '--format', 'ctf', '--out', 'day0.xml'], dir);
  await ok(['generate', '--pupils', String(PUPILS), '--seed', 'chaos', '--day', '30', '--format', 'ctf', '--out', 'day30.xml'], dir);

  const command = (scenario: Scenario, url: string): string[] => {
    switch (scenario) {
      case 'import':
        return ['import', 'day0.xml', '--today', TODAY, '--store', url, '--json'];
      case 'send':
        return ['send', '--to', 'prime-parents:all', '--channel', 'email', '--subject', 'Chaos', '--body', 'A message that must arrive once.', '--provider', smtp, '--by', 'Chaos Monkey', '--message-id', MESSAGE, '--store', url, '--json'];
      case 'retention':
        // Due only 14 days after today's deletions: a later day, so on a (marked) simulated clock.
        return ['retention', '--today', retentionDay, '--simulated-clock', '--store', url, '--json'];
    }
  };

  // Brings a store to the state before the command.
  const setUp = async (scenario: Scenario, url: string): Promise<void> => {
    await (await openStore(url, storeOptions(url))).close();
    if (scenario === 'import') return;
    await ok(['import', 'day0.xml', '--today', TODAY, '--store', url], dir);
    if (scenario === 'send') return;
    // A month's churn on a 40-pupil school is past the mass-change guard's 10%: it is real here, so allowed.
    await ok(['import', 'day30.xml', '--today', LATER, '--allow-mass-change', '--by', 'Chaos Monkey', '--store', url], dir);
    const lv = await ok<{ awaitingDeletion: Array<{ memberId: string }> }>(['leavers', '--store', url, '--json'], dir);
    if (lv.awaitingDeletion.length === 0) throw new Error('the generated school has no leavers to delete');
    await ok(['delete-leavers', ...lv.awaitingDeletion.map((l) => l.memberId), '--by', 'Chaos Monkey', '--store', url], dir);
  };

  // Messages the sink took for the lab's message, from index `from` on.
  const received = (from: number) => sink.received.slice(from).filter((r) => r.messageId !== null && r.messageId.includes(MESSAGE));

  // Runs the command again until the store has converged (a send: resumed, then in-doubt recipients resent as staff would decide).
  const converge = async (scenario: Scenario, url: string): Promise<{ inDoubt: number; errors: string[] }> => {
    const errors: string[] = [];
    const again = await run(command(scenario, url), dir);
    if (scenario !== 'send') {
      if (again.code !== 0) errors.push(`re-run exited ${again.code}: ${again.stderr.trim()}`);
      return { inDoubt: 0, errors };
    }
    let report: { inDoubt: unknown[]; notSent: unknown[]; completed: boolean } | null = null;
    try {
      report = JSON.parse(again.stdout);
    } catch {
      errors.push(`re-run printed no report (exit ${again.code}): ${again.stderr.trim()}`);
      return { inDoubt: 0, errors };
    }
    const inDoubt = report!.inDoubt.length;
    if (inDoubt > 0) {
      if (again.code !== 1 || !/--resend-in-doubt/.test(again.stderr)) errors.push('a re-run with recipients in doubt must exit 1 and say how to resend');
      const resend = await run(['send', '--resend-in-doubt', '--message-id', MESSAGE, '--provider', smtp, '--by', 'Chaos Monkey', '--store', url, '--json'], dir);
      if (resend.code !== 0) errors.push(`resend exited ${resend.code}: ${resend.stderr.trim()}`);
    } else if (again.code !== 0) {
      errors.push(`re-run exited ${again.code}: ${again.stderr.trim()}`);
    }
    return { inDoubt, errors };
  };

  // A store copied from a template: a folder copied, or a database made from a template.
  const copy = async (backend: Backend, template: string): Promise<{ url: string; drop: () => Promise<void> }> => {
    const name = `t${process.pid}_${++n}`;
    if (backend === 'pglite') {
      const folder = join(dir, name);
      cpSync(template, folder, { recursive: true });
      if (existsSync(defaultKekFile(template))) copyFileSync(defaultKekFile(template), defaultKekFile(folder));
      return {
        url: folder,
        drop: async () => {
          rmSync(folder, { recursive: true, force: true });
          rmSync(defaultKekFile(folder), { force: true });
        },
      };
    }
    const url = await pg.newDatabase(name, template);
    copyFileSync(kekOfDatabase(template), kekOfDatabase(name));
    return {
      url,
      drop: async () => {
        await pg.dropDatabase(name);
        rmSync(kekOfDatabase(name), { force: true });
      },
    };
  };

  const fp = (url: string) => fingerprint(url, { today: viewsDay, store: storeOptions(url) });

  // Work visible from outside: events appended plus keys destroyed (PostgreSQL), or messages the sink took.
  const watch = async (scenario: Scenario, backend: Backend, url: string, sinkFrom: number): Promise<{ progress: () => Promise<number>; close: () => Promise<void> } | null> => {
    if (scenario === 'send') return { progress: async () => received(sinkFrom).length, close: async () => undefined };
    if (backend === 'pglite') return null;
    const db = await openPostgresDatabase(url, { poolSize: 1 });
    const q = async () => {
      const [r] = await db.sql.query<{ e: unknown; k: unknown }>('SELECT (SELECT count(*) FROM contactable.events) AS e, (SELECT count(*) FROM contactable.subject_keys) AS k');
      return { e: Number(r!.e), k: Number(r!.k) };
    };
    const base = await q();
    return { progress: async () => {
      const now = await q();
      return now.e - base.e + Math.max(0, base.k - now.k);
    }, close: db.close };
  };

  const prepared = new Map<string, Prepared>();
  const prepare = async (scenario: Scenario, backend: Backend): Promise<Prepared> => {
    const key = `${scenario}/${backend}`;
    const have = prepared.get(key);
    if (have !== undefined) return have;
    let template: string;
    if (backend === 'pglite') {
      template = join(dir, `template-${scenario}`);
      await setUp(scenario, template);
    } else {
      template = `template_${scenario}`;
      await setUp(scenario, await pg.newDatabase(template));
    }
    const store = await copy(backend, template);
    const from = sink.received.length;
    const w = await watch(scenario, backend, store.url, from);
    const r = await run(command(scenario, store.url), dir);
    const work = (await w?.progress()) ?? 0;
    await w?.close();
    if (r.code !== 0) throw new Error(`the clean ${scenario} run failed: ${r.stderr}`);
    const addresses = new Set(received(from).flatMap((x) => x.to));
    // The same command again has nothing to do: how long starting, opening and reading take.
    const idle = await run(command(scenario, store.url), dir);
    const before = await copy(backend, template);
    const templateEvents = (await fp(before.url)).events;
    await before.drop();
    const p: Prepared = { template, clean: await fp(store.url), cleanMs: r.ms, cleanWork: work, addresses, templateEvents, idleMs: Math.min(idle.ms, r.ms) };
    await store.drop();
    prepared.set(key, p);
    return p;
  };

  const compare = async (scenario: Scenario, url: string, p: Prepared, sinkFrom: number, extra: { inDoubt: number; errors: string[] }) => {
    const f = await fp(url);
    const errors = [...extra.errors];
    if (f.undecodable > 0) errors.push(`${f.undecodable} undecodable events`);
    if (f.duplicateIds > 0) errors.push(`${f.duplicateIds} duplicate event ids`);
    if (scenario === 'retention') {
      if (f.keysLeftForAnonymised > 0) errors.push(`${f.keysLeftForAnonymised} anonymised subjects still readable`);
      if ([...f.anonymised.values()].some((c) => c !== 1)) errors.push('a subject anonymised more than once');
      if (f.anonymised.size !== p.clean.anonymised.size) errors.push(`${f.anonymised.size} subjects anonymised, the clean run ${p.clean.anonymised.size}`);
    }
    let double = 0;
    let missed = 0;
    let stray = 0;
    let copies = 0;
    if (scenario === 'send') {
      const byAddress = new Map<string, string[]>();
      for (const r of received(sinkFrom)) for (const to of r.to) byAddress.set(to, [...(byAddress.get(to) ?? []), r.messageId ?? '']);
      for (const a of p.addresses) if (!byAddress.has(a)) missed += 1;
      for (const [a, ids] of byAddress) {
        if (!p.addresses.has(a)) stray += 1;
        const distinct = new Set(ids).size;
        if (distinct > 1) double += 1;
        copies += ids.length - distinct;
      }
      if ((f.completed.get(MESSAGE) ?? 0) !== 1) errors.push(`the message completed ${f.completed.get(MESSAGE) ?? 0} times`);
    }
    return {
      lost: missingFrom(p.clean.domain, f.domain).length,
      duplicated: missingFrom(f.domain, p.clean.domain).length,
      gaps: f.gaps.length,
      double,
      missed,
      stray,
      copies,
      inDoubt: extra.inDoubt,
      viewsEqual: f.views === p.clean.views,
      errors,
    };
  };

  const trial: KillLab['trial'] = async (scenario, backend, random) => {
    const p = await prepare(scenario, backend);
    const store = await copy(backend, p.template);
    try {
      const sinkFrom = sink.received.length;
      const w = await watch(scenario, backend, store.url, sinkFrom);
      const child = start(command(scenario, store.url), dir);
      let landed: TrialResult['landed'] = 'before-first-write';
      if (w === null) {
        // Not watchable: a random moment from a little before the work can start to the clean run's end.
        const from = p.idleMs * 0.8;
        await new Promise((r) => setTimeout(r, from + random() * Math.max(0, p.cleanMs - from)));
      } else {
        // Aim at a random amount of the work (a tenth of kills before any), then a little more at random.
        const aim = random() < 0.1 ? 0 : 1 + Math.floor(random() * Math.max(1, p.cleanWork - 1));
        if (aim === 0) await new Promise((r) => setTimeout(r, random() * p.cleanMs * 0.5));
        else while (child.alive() && (await w.progress()) < aim) await new Promise((r) => setTimeout(r, 2));
        await new Promise((r) => setTimeout(r, random() * 30));
      }
      const killedAtMs = Date.now() - child.startedAt;
      const killed: Run = await child.kill();
      const progressed = w === null ? null : await w.progress();
      await w?.close();
      if (killed.signal !== 'SIGKILL') landed = 'finished-first';
      else if (progressed !== null) landed = progressed > 0 ? 'during-work' : 'before-first-write';
      else {
        // Embedded store: did anything change before the kill?
        landed = (await fp(store.url)).events > p.templateEvents ? 'during-work' : 'before-first-write';
      }
      const extra = await converge(scenario, store.url);
      return { scenario, backend, landed, killedAtMs, ...(await compare(scenario, store.url, p, sinkFrom, extra)) };
    } finally {
      await store.drop();
    }
  };

  const serverStop: KillLab['serverStop'] = async (scenario, random) => {
    const p = await prepare(scenario, 'postgres');
    const store = await copy('postgres', p.template);
    try {
      const sinkFrom = sink.received.length;
      // Watches for the command's own connection, then stops the server a random moment into its work.
      const db = await openPostgresDatabase(store.url, { poolSize: 1 });
      const child = start(command(scenario, store.url), dir);
      const connected = async () =>
        Number((await db.sql.query<{ n: unknown }>('SELECT count(*) AS n FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid()'))[0]?.n ?? 0) > 0;
      while (child.alive() && !(await connected())) await new Promise((r) => setTimeout(r, 2));
      await db.close();
      await new Promise((r) => setTimeout(r, random() * Math.max(200, p.cleanMs - p.idleMs)));
      const killedAtMs = Date.now() - child.startedAt;
      await pg.pause();
      const failed = await Promise.race([child.done, new Promise<null>((r) => setTimeout(() => r(null), 120_000))]);
      await pg.resume();
      const errors: string[] = [];
      let firstError = '';
      let landed: TrialResult['landed'] = 'during-work';
      if (failed === null) {
        errors.push('the command hung for two minutes after the server stopped');
        await child.kill();
      } else if (failed.code === 0) {
        // It finished before the stop took hold: nothing to judge but the result.
        landed = 'finished-first';
      } else {
        firstError = failed.stderr.trim().split('\n')[0] ?? '';
        if (!/postgres:\/\/postgres@127\.0\.0\.1/.test(failed.stderr)) errors.push(`the error does not name the store: ${failed.stderr.trim()}`);
        if (!/run (it|the command) again|--message-id/.test(failed.stderr)) errors.push(`the error does not say what to do: ${failed.stderr.trim()}`);
        if (/^\s+at /m.test(failed.stderr)) errors.push('the error is a stack trace');
      }
      const extra = await converge(scenario, store.url);
      const result = await compare(scenario, store.url, p, sinkFrom, { inDoubt: extra.inDoubt, errors: [...errors, ...extra.errors] });
      return { scenario, backend: 'postgres', landed, killedAtMs, ...result, firstError };
    } finally {
      await store.drop();
    }
  };

  // Prepared ahead so the first trial is not slower than the rest.
  for (const b of options.backends) for (const s of options.scenarios) await prepare(s, b);

  return {
    trial,
    serverStop,
    close: async () => {
      await sink.close();
      await pg.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
};

/** Sums trial results for the report. */
export const tally = (results: ReadonlyArray<TrialResult>) => ({
  trials: results.filter((r) => r.landed !== 'finished-first').length,
  duringWork: results.filter((r) => r.landed === 'during-work').length,
  beforeFirstWrite: results.filter((r) => r.landed === 'before-first-write').length,
  finishedFirst: results.filter((r) => r.landed === 'finished-first').length,
  lost: results.reduce((s, r) => s + r.lost, 0),
  duplicated: results.reduce((s, r) => s + r.duplicated, 0),
  gaps: results.reduce((s, r) => s + r.gaps, 0),
  double: results.reduce((s, r) => s + r.double, 0),
  missed: results.reduce((s, r) => s + r.missed, 0),
  stray: results.reduce((s, r) => s + r.stray, 0),
  copies: results.reduce((s, r) => s + r.copies, 0),
  inDoubt: results.reduce((s, r) => s + r.inDoubt, 0),
  viewsDiffer: results.filter((r) => !r.viewsEqual).length,
  errors: results.flatMap((r) => r.errors),
});
