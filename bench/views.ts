/**
 * Views benchmark (issue 12): what office staff meet when they open a view from a fresh process.
 *
 * On a generated school imported with the CLI into the default embedded store (a PGlite folder), each of
 * `linked-people MEMBER`, `dashboard`, `data-issues --type T`, `members --status on-roll`,
 * `explain CONTACT --channel email` and `audit MEMBER` runs as a fresh process three ways:
 * - `node packages/cli/dist/main.js ...` (reads the read-model rows kept in the store),
 * - `pnpm -s contactable ...` (the README's form, the same plus the package manager's start-up),
 * - the old path: a fresh process that opens the store without read models, folds the whole log in memory
 *   with `rebuildFromStore` and answers with the same command code.
 * Beside them the floors: `node -e 0`, `pnpm -s exec node -e 0`, and a process that only opens the store
 * and closes it (PGlite's start-up: PostgreSQL in WebAssembly). Each figure is the median of BENCH_RUNS runs
 * (default 3; the old path BENCH_FOLD_RUNS, default 1: it takes tens of seconds a run), in wall time and in
 * the child's CPU time (user + system, which a loaded machine disturbs less), with its peak resident set
 * (`/usr/bin/time -f %M` when present, else /proc/PID/status VmHWM polled).
 *
 * Also: the first import through the CLI into PGlite against the same import into the memory store
 * (target <= 1.5x); the no-change re-import against a bare parse of the same file, each a fresh process
 * (target <= 1.5x); single appends on the school's PGlite store, one provider-callback event per append
 * (target >= 2,000/s).
 *
 * Trust scale (opt-in, BENCH_TRUST=1): BENCH_TRUST_PUPILS (default 200000) pupils across BENCH_TRUST_SCHOOLS
 * (default 10) schools in one PostgreSQL database (a throwaway cluster, or BENCH_POSTGRES_URL's server in a
 * fresh schema), the same views of one school as fresh processes (target under 1 s each).
 *
 * Alone: `pnpm build && node --import tsx bench/views.ts`; in `pnpm bench`: BENCH_ONLY=views.
 * BENCH_PUPILS (default 20000) sets the school's size (the first size given is used).
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { generateSchool } from '../packages/adapters-sims/dist/index.js';
import { BENCH_LIMITS, envList, writeFile } from './import.js';
import { startPostgres, type TestPostgres } from '../test/support/postgres.js';

const execFileP = promisify(execFile);
const ROOT = dirname(dirname(fileURLToPath(import.meta.url)));
const MAIN = join(ROOT, 'packages/cli/dist/main.js');
const dist = (pkg: string, file = 'index.js'): string => pathToFileURL(join(ROOT, 'packages', pkg, 'dist', file)).href;
const TIME = '/usr/bin/time';

/** What to run. */
export interface BenchViewsOptions {
  /** Pupils in the school (default BENCH_PUPILS' first size, or 20000). */
  readonly pupils?: number;
  /** Runs of each fresh-process figure (median reported); default BENCH_RUNS or 3. */
  readonly runs?: number;
  /** Runs of each old full-fold figure; default BENCH_FOLD_RUNS or 1. */
  readonly foldRuns?: number;
  /** Single appends measured on the school's store; default BENCH_SINGLE_APPENDS or 2000 (0 skips). */
  readonly singleAppends?: number;
  /** Also the trust-scale run on PostgreSQL; default BENCH_TRUST=1. */
  readonly trust?: boolean;
  readonly log?: (line: string) => void;
}

/** One fresh process's cost. */
interface Cost {
  readonly wallS: number;
  /** User + system CPU of the process and its children (null where it could not be measured). */
  readonly cpuS: number | null;
  /** Peak resident set, MB (of the largest process in the tree, under /usr/bin/time). */
  readonly rssMb: number | null;
}

/** A figure: the median of its runs. */
interface Figure extends Cost {
  readonly runs: number;
}

// ---- the children: small ES modules run by plain node (no tsx), so their start-up is what a user's is ----

/** Opens the store as the CLI does for a short look, and closes it: the floor of every view. */
const OPEN_ONLY = `
const { openStore } = await import(${JSON.stringify(dist('adapters-store'))});
const store = await openStore(process.argv[1], { purpose: 'bench open-only', settings: ['shared_buffers=16MB'] });
await store.close();
`;

/**
 * The old path: the CLI's command, but its views a fold of the whole log (rebuildFromStore) in this
 * process, over the store opened without read models (as before they existed).
 */
const FOLD = `
const { parseArgs } = await import('node:util');
const { createContext } = await import(${JSON.stringify(dist('cli', 'context.js'))});
const { commandIndex } = await import(${JSON.stringify(dist('cli', 'commands/index.js'))});
const { globalOptions } = await import(${JSON.stringify(dist('cli', 'command.js'))});
const { processOutput } = await import(${JSON.stringify(dist('cli', 'output.js'))});
const { projectionViews, rebuildFromStore } = await import(${JSON.stringify(dist('projections'))});
const [url, school, name, ...rest] = process.argv.slice(1);
const command = await commandIndex.find((c) => c.name === name).load();
const parsed = parseArgs({ args: rest, options: { ...globalOptions, ...command.options }, allowPositionals: true });
const ctx = createContext(processOutput(false), url, school, undefined, { readModels: null, purpose: name + ' (full fold)', settings: ['shared_buffers=16MB'] });
let views = null;
const folded = { ...ctx, views: async () => (views ??= projectionViews(await rebuildFromStore(await ctx.store(), { schoolId: school }))) };
try {
  await command.run(folded, { values: parsed.values, positionals: parsed.positionals });
} finally {
  await ctx.close();
}
`;

/** Parses a CTF file and nothing else: the floor of a no-change re-import. */
const PARSE = `
const { fileSource, parseCtf } = await import(${JSON.stringify(dist('adapters-sims'))});
const r = await parseCtf(fileSource(process.argv[1]), { limits: JSON.parse(process.argv[2]) });
if (r._tag === 'Left') { process.stderr.write(r.left.message + '\\n'); process.exit(1); }
`;

/**
 * Appends N provider-callback events (DeliverySucceeded), one event per append, each in its own
 * transaction with the read models, to the school's contacts; prints {events, seconds}.
 */
const APPENDS = `
const { randomUUID } = await import('node:crypto');
const { openStore } = await import(${JSON.stringify(dist('adapters-store'))});
const { anyVersion, contactStream } = await import(${JSON.stringify(dist('core'))});
const { TABLES, contactEntryOf } = await import(${JSON.stringify(dist('projections'))});
const [url, school, count] = [process.argv[1], process.argv[2], Number(process.argv[3])];
const store = await openStore(url, { purpose: 'bench appends' });
const contacts = (await store.readModels.find(TABLES.contact, school, {}, count))
  .map((r) => ({ id: r.key, email: contactEntryOf(r).view?.email?.value ?? null }))
  .filter((c) => c.email !== null);
if (contacts.length === 0) throw new Error('no contact with an email address in the store');
const start = performance.now();
for (let i = 0; i < count; i++) {
  const c = contacts[i % contacts.length];
  const at = new Date(Date.parse('2026-09-02T08:00:00Z') + i * 1000).toISOString();
  const event = {
    id: randomUUID(), type: 'DeliverySucceeded', schemaVersion: 1,
    data: { contactId: c.id, channel: 'email', address: c.email, provider: 'sendgrid', feedbackId: 'bench-' + i, providerMessageId: 'bench-m-' + i, observedAt: at },
    metadata: { occurredAt: at, actor: { kind: 'provider', provider: 'sendgrid', verified: true }, reason: null, correlationId: 'bench-callbacks', causationId: null, schoolId: school },
  };
  const r = await store.append(contactStream(c.id), [event], anyVersion);
  if (r._tag === 'Left') throw new Error('append refused');
}
const seconds = (performance.now() - start) / 1000;
await store.close();
process.stdout.write(JSON.stringify({ events: count, seconds }) + '\\n');
`;

/** A child that runs an ES module's text with plain node. */
const script = (code: string, args: ReadonlyArray<string>): [string, string[]] => [process.execPath, ['--input-type=module', '-e', code, ...args]];

// ---- measuring a fresh process -------------------------------------------------------------------

const hasTime = existsSync(TIME);

/** Runs a command to its end (stdout kept, for the few children that print a result); throws on a non-zero exit. */
const costOf = async (cmd: string, args: ReadonlyArray<string>, env: NodeJS.ProcessEnv = process.env): Promise<Cost & { stdout: string }> => {
  const dir = mkdtempSync(join(tmpdir(), 'contactable-bench-time-'));
  const timeFile = join(dir, 'time');
  const [file, argv] = hasTime ? [TIME, ['-f', '%U %S %M', '-o', timeFile, cmd, ...args]] : [cmd, [...args]];
  try {
    const start = performance.now();
    const child = spawn(file, argv, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (b: Buffer) => (stdout += b.toString()));
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    // Without /usr/bin/time: the child's own high-water mark, read while it runs.
    let hwm = 0;
    const poll = hasTime
      ? undefined
      : setInterval(() => {
          try {
            const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync(`/proc/${child.pid}/status`, 'utf8'));
            if (m !== null) hwm = Math.max(hwm, Number(m[1]));
          } catch {
            // gone already
          }
        }, 5);
    const code = await new Promise<number>((resolve) => child.on('close', (c) => resolve(c ?? 1)));
    const wallS = (performance.now() - start) / 1000;
    if (poll !== undefined) clearInterval(poll);
    if (code !== 0) throw new Error(`${[cmd, ...args].filter((a) => a.length < 200).join(' ')} exited ${code}: ${stderr.trim().split('\n').slice(-3).join(' | ')}`);
    if (!hasTime) return { wallS, cpuS: null, rssMb: hwm === 0 ? null : hwm / 1024, stdout };
    const [user, system, maxKb] = readFileSync(timeFile, 'utf8').trim().split('\n').pop()!.split(' ').map(Number);
    return { wallS, cpuS: user! + system!, rssMb: maxKb! / 1024, stdout };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
};

const median = (xs: ReadonlyArray<number>): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 === 1 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};

/** The median of `runs` fresh runs (peak RSS: the largest seen). */
const figure = async (runs: number, cmd: string, args: ReadonlyArray<string>): Promise<Figure> => {
  const costs: Cost[] = [];
  for (let i = 0; i < runs; i++) costs.push(await costOf(cmd, args));
  const cpus = costs.map((c) => c.cpuS).filter((c): c is number => c !== null);
  const rss = costs.map((c) => c.rssMb).filter((c): c is number => c !== null);
  return { runs, wallS: median(costs.map((c) => c.wallS)), cpuS: cpus.length === 0 ? null : median(cpus), rssMb: rss.length === 0 ? null : Math.max(...rss) };
};

// ---- printing ------------------------------------------------------------------------------------

const s2 = (n: number | null): string => (n === null ? '-' : n.toFixed(2));
const mb = (n: number | null): string => (n === null ? '-' : String(Math.round(n)));
const x = (a: number | null, b: number | null): string => (a === null || b === null || b === 0 ? '-' : `${(a / b).toFixed(1)}x`);

/** Prints rows as an aligned table (first column left, the rest right). */
const printTable = (log: (l: string) => void, header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): void => {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: ReadonlyArray<string>): string => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  log(line(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) log(line(r));
};

const machine = (): string => {
  const [one, five, fifteen] = loadavg().map((l) => l.toFixed(2));
  return `${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, load average ${one}, ${five}, ${fifteen}`;
};

// ---- the school ----------------------------------------------------------------------------------

/** A generated school written as a CTF file, and a pupil a user would look up. */
interface School {
  readonly file: string;
  readonly today: string;
  readonly member: string;
}

const writeSchool = async (dir: string, seed: string, pupils: number): Promise<School> => {
  const g = generateSchool({ seed, pupils });
  const file = join(dir, `${seed}-${pupils}.xml`);
  await writeFile(file, g.snapshot);
  // A pupil on roll from the middle of the roll, with linked people.
  const linked = new Set(g.snapshot.links.map((l) => l.memberExternalId));
  const pupilsOnRoll = g.snapshot.members.filter((m) => m.misReference != null && linked.has(m.externalId) && m.roll.status === 'on-roll' && m.kind === 'student');
  const member = pupilsOnRoll[pupilsOnRoll.length >> 1];
  if (member?.misReference == null) throw new Error('the generated school has no pupil on roll with linked people');
  return { file, today: g.today, member: member.misReference };
};

/** An import settings file raising the limits a benchmark school is over (the rest default), as a trust's would. */
const limitsFile = (dir: string): string => {
  const file = join(dir, 'bench-import-settings.json');
  if (!existsSync(file)) writeFileSync(file, JSON.stringify({ limits: BENCH_LIMITS }));
  return file;
};

/** An email address held by one of the member's linked people, as the store has it (for `explain`). */
const contactEmailOf = async (member: string, storeArgs: ReadonlyArray<string>): Promise<string> => {
  const { stdout } = await execFileP(process.execPath, [MAIN, 'linked-people', member, '--json', ...storeArgs], { cwd: ROOT, maxBuffer: 1 << 24 });
  const emails = (JSON.parse(stdout) as { linkedPeople: Array<{ email: string | null }> }).linkedPeople.map((c) => c.email).filter((e): e is string => e !== null);
  if (emails[0] === undefined) throw new Error('the chosen pupil has no linked person with an email address');
  return emails[0];
};

/** The six views a user opens, as CLI arguments. */
const viewsOf = (school: School, contactEmail: string, issueType: string): ReadonlyArray<{ readonly label: string; readonly args: ReadonlyArray<string> }> => [
  { label: 'linked-people MEMBER', args: ['linked-people', school.member] },
  { label: 'dashboard', args: ['dashboard'] },
  { label: `data-issues --type ${issueType}`, args: ['data-issues', '--type', issueType] },
  { label: 'members --status on-roll', args: ['members', '--status', 'on-roll'] },
  { label: 'explain CONTACT --channel email', args: ['explain', contactEmail, '--channel', 'email'] },
  { label: 'audit MEMBER', args: ['audit', school.member] },
];

/** The most common open data-issue type in the store (the list a user would scroll). */
const commonIssueType = async (storeArgs: ReadonlyArray<string>): Promise<string> => {
  const { stdout } = await execFileP(process.execPath, [MAIN, 'data-issues', '--json', ...storeArgs], { cwd: ROOT, maxBuffer: 1 << 28 });
  const counts = new Map<string, number>();
  for (const i of JSON.parse(stdout) as Array<{ type: string }>) counts.set(i.type, (counts.get(i.type) ?? 0) + 1);
  return [...counts].sort((a, b) => b[1] - a[1])[0]?.[0] ?? 'invalid-email';
};

/** Runs the views benchmark and prints its tables. */
export async function benchViews(opts: BenchViewsOptions = {}): Promise<void> {
  const log = opts.log ?? ((l: string) => console.log(l));
  const pupils = opts.pupils ?? Number(envList('BENCH_PUPILS')?.[0] ?? 20000);
  const runs = opts.runs ?? Number(process.env['BENCH_RUNS'] ?? 3);
  const foldRuns = opts.foldRuns ?? Number(process.env['BENCH_FOLD_RUNS'] ?? 1);
  const appends = opts.singleAppends ?? Number(process.env['BENCH_SINGLE_APPENDS'] ?? 2000);
  const trust = opts.trust ?? process.env['BENCH_TRUST'] === '1';
  if (!existsSync(MAIN)) throw new Error(`the CLI is not built (${MAIN}): run pnpm build`);
  const dir = mkdtempSync(join(tmpdir(), 'contactable-bench-views-'));
  const pnpm = process.env['npm_execpath'] ?? 'pnpm';
  // pnpm's own entry is a JS file when we run under it; run it with this node, as the shell would.
  const pnpmCmd: [string, string[]] = pnpm.endsWith('.js') || pnpm.endsWith('.cjs') ? [process.execPath, [pnpm]] : [pnpm, []];
  try {
    log(`views bench: ${pupils} pupils, ${runs} run(s) per figure (old path ${foldRuns}); started ${machine()}`);
    log(hasTime ? 'peak RSS and CPU from /usr/bin/time (RSS: the largest process of the tree)' : 'no /usr/bin/time: peak RSS from /proc/PID/status VmHWM, CPU not measured');
    const school = await writeSchool(dir, 'bench-views', pupils);
    const folder = join(dir, 'store');

    // Imports, each a fresh process as a user runs it.
    log('views bench: importing (memory, then the PGlite folder)...');
    const importArgs = ['import', school.file, '--today', school.today, '--settings', limitsFile(dir)];
    const firstMemory = await figure(1, process.execPath, [MAIN, ...importArgs, '--store', 'memory:']);
    const firstPglite = await figure(1, process.execPath, [MAIN, ...importArgs, '--store', folder]);
    log('views bench: no-change re-import and bare parse...');
    const again = await figure(runs, process.execPath, [MAIN, ...importArgs, '--store', folder]);
    const parse = await figure(runs, ...script(PARSE, [school.file, JSON.stringify(BENCH_LIMITS)]));
    // What the first import pays once for the folder itself: PGlite's initdb.
    const created = await figure(1, ...script(OPEN_ONLY, [join(dir, 'empty-store')]));
    log('');
    log(`First import and no-change re-import, ${pupils} pupils, each a fresh \`node packages/cli/dist/main.js import FILE\` (median of the runs):`);
    printTable(
      log,
      ['what', 'runs', 'wall s', 'CPU s', 'peak RSS MB', 'ratio', 'target'],
      [
        ['first import, memory:', '1', s2(firstMemory.wallS), s2(firstMemory.cpuS), mb(firstMemory.rssMb), '1.0x', ''],
        ['first import, PGlite folder', '1', s2(firstPglite.wallS), s2(firstPglite.cpuS), mb(firstPglite.rssMb), `${x(firstPglite.wallS, firstMemory.wallS)} wall, ${x(firstPglite.cpuS, firstMemory.cpuS)} CPU`, `<= 1.5x of memory: ${met((firstPglite.cpuS ?? firstPglite.wallS) / (firstMemory.cpuS ?? firstMemory.wallS) <= 1.5)}`],
        ['of which: create an empty folder', '1', s2(created.wallS), s2(created.cpuS), mb(created.rssMb), x(created.cpuS, firstPglite.cpuS) + ' CPU', ''],
        ['bare parse of the file', String(parse.runs), s2(parse.wallS), s2(parse.cpuS), mb(parse.rssMb), '1.0x', ''],
        ['no-change re-import, PGlite', String(again.runs), s2(again.wallS), s2(again.cpuS), mb(again.rssMb), `${x(again.wallS, parse.wallS)} wall, ${x(again.cpuS, parse.cpuS)} CPU`, `<= 1.5x of parse: ${met((again.cpuS ?? again.wallS) / (parse.cpuS ?? parse.wallS) <= 1.5)}`],
      ],
    );

    const storeArgs = ['--store', folder];
    const issueType = await commonIssueType(storeArgs);
    const views = viewsOf(school, await contactEmailOf(school.member, storeArgs), issueType);
    log('');
    log('views bench: floors...');
    const nodeBare = await figure(runs, process.execPath, ['-e', '0']);
    const pnpmBare = await figure(runs, pnpmCmd[0], [...pnpmCmd[1], '-s', 'exec', 'node', '-e', '0']);
    const openOnly = await figure(runs, ...script(OPEN_ONLY, [folder]));
    const rows: string[][] = [
      ['node -e 0', '', s2(nodeBare.wallS), s2(nodeBare.cpuS), '1.0x', mb(nodeBare.rssMb), '', '', ''],
      ['pnpm -s exec node -e 0', '', s2(pnpmBare.wallS), s2(pnpmBare.cpuS), '1.0x', mb(pnpmBare.rssMb), '', '', ''],
      ['open the store, close it', 'node', s2(openOnly.wallS), s2(openOnly.cpuS), x(openOnly.wallS, nodeBare.wallS), mb(openOnly.rssMb), '', '', ''],
    ];
    const targets: string[] = [];
    for (const v of views) {
      log(`views bench: ${v.label}...`);
      const viaNode = await figure(runs, process.execPath, [MAIN, ...v.args, ...storeArgs]);
      const viaPnpm = await figure(runs, pnpmCmd[0], [...pnpmCmd[1], '-s', 'contactable', ...v.args, ...storeArgs]);
      const old = await figure(foldRuns, ...script(FOLD, [folder, 'default', ...v.args]));
      rows.push(
        [v.label, 'node', s2(viaNode.wallS), s2(viaNode.cpuS), x(viaNode.wallS, nodeBare.wallS), mb(viaNode.rssMb), s2(old.wallS), s2(old.cpuS), x(old.wallS, viaNode.wallS)],
        ['', 'pnpm -s contactable', s2(viaPnpm.wallS), s2(viaPnpm.cpuS), x(viaPnpm.wallS, pnpmBare.wallS), mb(viaPnpm.rssMb), '', '', ''],
      );
      targets.push(`${v.label}: peak RSS ${mb(viaNode.rssMb)} MB (target < 200 MB: ${met((viaNode.rssMb ?? Infinity) < 200)}); ${s2(viaNode.wallS)} s wall, ${x(viaNode.wallS, openOnly.wallS)} of opening the store alone`);
    }
    log('');
    log(`Views as fresh processes, ${pupils} pupils, default PGlite store (median of ${runs} runs; old full fold: ${foldRuns}):`);
    printTable(log, ['view', 'form', 'wall s', 'CPU s', 'x bare start', 'peak RSS MB', 'old fold wall s', 'old fold CPU s', 'old / new'], rows);
    log('(x bare start: wall time over `node -e 0` for the node form, over `pnpm -s exec node -e 0` for the pnpm form)');
    for (const t of targets) log(`target ${t}`);

    if (appends > 0) {
      log('');
      log(`views bench: ${appends} single appends on the school's store...`);
      const a = await costOf(...script(APPENDS, [folder, 'default', String(appends)]));
      const r = JSON.parse(a.stdout.trim().split('\n').pop()!) as { events: number; seconds: number };
      const rate = r.events / r.seconds;
      log(`target PGlite single appends (one DeliverySucceeded per append, read models in the transaction, ${pupils}-pupil school): ${Math.round(rate).toLocaleString('en-GB')} ev/s (target >= 2,000/s: ${met(rate >= 2000)}); peak RSS ${mb(a.rssMb)} MB`);
    }
    log(`views bench: finished ${machine()}`);
    if (trust) await benchTrust(log, runs, dir);
    else log('\nTrust scale (200k pupils in 10 schools on PostgreSQL) not run: BENCH_TRUST=1 pnpm bench (BENCH_ONLY=views; BENCH_TRUST_PUPILS, BENCH_TRUST_SCHOOLS, BENCH_POSTGRES_URL to change it).');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');

/** The trust-scale run: many schools in one PostgreSQL database, one school's views as fresh processes. */
const benchTrust = async (log: (l: string) => void, runs: number, dir: string): Promise<void> => {
  const total = Number(process.env['BENCH_TRUST_PUPILS'] ?? 200_000);
  const schools = Number(process.env['BENCH_TRUST_SCHOOLS'] ?? 10);
  const each = Math.ceil(total / schools);
  const external = process.env['BENCH_POSTGRES_URL'];
  let server: TestPostgres | undefined;
  try {
    let url: string;
    if (external === undefined) {
      server = await startPostgres();
      url = await server.newDatabase('bench_trust');
    } else url = external;
    log(`\nviews bench (trust): ${schools} schools of ${each} pupils on PostgreSQL; started ${machine()}`);
    let first: School | undefined;
    let importCpu = 0;
    let importWall = 0;
    for (let k = 1; k <= schools; k++) {
      const school = await writeSchool(dir, `bench-trust-${k}`, each);
      first ??= school;
      log(`views bench (trust): importing school ${k} of ${schools}...`);
      const c = await costOf(process.execPath, [MAIN, 'import', school.file, '--today', school.today, '--settings', limitsFile(dir), '--store', url, '--school', `school-${k}`]);
      importWall += c.wallS;
      importCpu += c.cpuS ?? 0;
      rmSync(school.file, { force: true });
    }
    log(`views bench (trust): imported in ${importWall.toFixed(1)} s wall, ${importCpu.toFixed(1)} s CPU of the importing processes`);
    const storeArgs = ['--store', url, '--school', 'school-1'];
    const issueType = await commonIssueType(storeArgs);
    const contactEmail = await contactEmailOf(first!.member, storeArgs);
    const nodeBare = await figure(runs, process.execPath, ['-e', '0']);
    const openOnly = await figure(runs, ...script(OPEN_ONLY, [url]));
    const rows: string[][] = [
      ['node -e 0', s2(nodeBare.wallS), s2(nodeBare.cpuS), '1.0x', mb(nodeBare.rssMb), ''],
      ['open the store, close it', s2(openOnly.wallS), s2(openOnly.cpuS), x(openOnly.wallS, nodeBare.wallS), mb(openOnly.rssMb), ''],
    ];
    for (const v of viewsOf(first!, contactEmail, issueType)) {
      log(`views bench (trust): ${v.label}...`);
      const f = await figure(runs, process.execPath, [MAIN, ...v.args, ...storeArgs]);
      rows.push([v.label, s2(f.wallS), s2(f.cpuS), x(f.wallS, nodeBare.wallS), mb(f.rssMb), `< 1 s: ${met(f.wallS < 1)}`]);
    }
    log('');
    log(`Views of one school as fresh processes, ${schools} schools x ${each} pupils on PostgreSQL (median of ${runs} runs):`);
    printTable(log, ['view', 'wall s', 'CPU s', 'x node -e 0', 'peak RSS MB', 'target'], rows);
    log(`views bench (trust): finished ${machine()}`);
  } finally {
    await server?.stop();
  }
};

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await benchViews();
