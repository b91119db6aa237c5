/**
 * Import benchmark: first import, no-change re-import and 1%-churn re-import of a
 * generated school, from a CTF file on disk, on the in-memory store and on PGlite.
 * Prints time, events appended, events/s, peak RSS, and the no-change re-import time
 * as a ratio to merely parsing the same file (target <= 1.5x).
 *
 * Runs on the built packages: `pnpm build`, then `node --expose-gc --import tsx bench/import.ts`
 * (add --max-old-space-size=12000 for 200k pupils on the in-memory store, which keeps every event in RAM).
 * The no-change re-import is shown twice: as a fresh process does it (reading the log to learn what is
 * held) and as a long-running importer does it (handing each run the held state the last one returned).
 * BENCH_PUPILS=2000,20000 limits the sizes (default 2000,20000,200000);
 * BENCH_PGLITE_MAX (default 20000) is the largest size run on PGlite;
 * BENCH_STORES=memory,pglite picks the stores (add postgres for a throwaway PostgreSQL cluster, or
 * BENCH_POSTGRES_URL's server; each size gets a fresh database, or there a fresh schema).
 */
import { createWriteStream, mkdtempSync, rmSync } from 'node:fs';
import { once } from 'node:events';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { defaultImportSettings, describePlan, fixedClock, memoryStore, runImport, sequentialIds, type EventStore, type HeldState, type MisSnapshot } from '../packages/core/dist/index.js';
import { ctfChunks, fileSource, generateSchool, parseCtf } from '../packages/adapters-sims/dist/index.js';
import { startPostgres, type TestPostgres } from '../test/support/postgres.js';

type StoreKind = 'memory' | 'pglite' | 'postgres';

/** What to run. */
export interface BenchImportOptions {
  readonly pupils?: ReadonlyArray<number>;
  readonly stores?: ReadonlyArray<StoreKind>;
  readonly pgliteMax?: number;
}

interface Row {
  readonly pupils: number;
  readonly store: string;
  readonly phase: string;
  readonly seconds: number;
  readonly events: number;
  readonly peakRssMb: number;
  readonly ratioToParse: number | null;
}

/** A comma-separated list from the environment, or undefined when unset. */
export const envList = (name: string): string[] | undefined => process.env[name]?.split(',').map((s) => s.trim()).filter((s) => s !== '');

/** Runs `fn`, sampling RSS, and returns its result, seconds and peak RSS in MB. */
const measure = async <T>(fn: () => Promise<T>): Promise<{ value: T; seconds: number; peakRssMb: number }> => {
  (globalThis as { gc?: () => void }).gc?.();
  let peak = process.memoryUsage().rss;
  const timer = setInterval(() => {
    peak = Math.max(peak, process.memoryUsage().rss);
  }, 20);
  const start = performance.now();
  try {
    const value = await fn();
    peak = Math.max(peak, process.memoryUsage().rss);
    return { value, seconds: (performance.now() - start) / 1000, peakRssMb: Math.round(peak / 1048576) };
  } finally {
    clearInterval(timer);
  }
};

/** Writes a snapshot as a CTF XML file (streamed: a 200k-pupil file never sits whole in memory). */
export const writeFile = async (path: string, snapshot: MisSnapshot): Promise<void> => {
  const out = createWriteStream(path);
  for (const chunk of ctfChunks(snapshot)) if (!out.write(chunk)) await once(out, 'drain');
  out.end();
  await once(out, 'finish');
};

/** A benchmark school is bigger than any the default import limits let in (10,000 pupils, 256 MiB): raised here, as a trust would. */
export const BENCH_LIMITS = { maxPupils: 10_000_000, maxFileBytes: 2 ** 40, maxRows: 100_000_000 };

const parse = async (path: string): Promise<MisSnapshot> => {
  const r = await parseCtf(fileSource(path), { limits: BENCH_LIMITS });
  if (r._tag === 'Left') throw new Error(r.left.message);
  return r.right;
};

// The durable stores come from the store package; if it is not built, the bench runs on memory only and says so.
const storeModule = async (): Promise<{ openPgliteStore?: (f: string) => Promise<EventStore>; openPostgresStore?: (url: string, o?: { schema?: string }) => Promise<EventStore> } | null> => {
  try {
    return (await import('../packages/adapters-store/dist/index.js')) as { openPgliteStore?: (f: string) => Promise<EventStore>; openPostgresStore?: (url: string, o?: { schema?: string }) => Promise<EventStore> };
  } catch {
    return null;
  }
};
const openPglite = async (folder: string): Promise<EventStore | null> => {
  const mod = await storeModule();
  return mod?.openPgliteStore === undefined ? null : mod.openPgliteStore(folder);
};
const openPostgres = async (url: string, schema?: string): Promise<EventStore | null> => {
  const mod = await storeModule();
  return mod?.openPostgresStore === undefined ? null : mod.openPostgresStore(url, schema === undefined ? {} : { schema });
};

/** Runs the import benchmark and prints its table. */
export async function benchImport(opts: BenchImportOptions = {}): Promise<ReadonlyArray<Row>> {
  const sizes = opts.pupils ?? envList('BENCH_PUPILS')?.map(Number) ?? [2000, 20000, 200000];
  const stores = opts.stores ?? (envList('BENCH_STORES') as StoreKind[] | undefined) ?? ['memory', 'pglite'];
  const pgliteMax = opts.pgliteMax ?? Number(process.env['BENCH_PGLITE_MAX'] ?? 20000);
  const dir = mkdtempSync(join(tmpdir(), 'contactable-bench-import-'));
  const rows: Row[] = [];
  const notes: string[] = [];
  const settings = { ...defaultImportSettings, preAdmissions: true };
  let server: TestPostgres | undefined;
  const external = process.env['BENCH_POSTGRES_URL'];
  try {
    for (const pupils of sizes) {
      const day0 = generateSchool({ seed: 'bench', pupils });
      const day1 = generateSchool({ seed: 'bench', pupils, day: 1 });
      const file0 = join(dir, `school-${pupils}-day0.xml`);
      const file1 = join(dir, `school-${pupils}-day1.xml`);
      await writeFile(file0, day0.snapshot);
      await writeFile(file1, day1.snapshot);
      // Parsing once warms the parser up, so the baseline is a warm parse, as the re-imports are.
      await parse(file0);
      const parsed = await measure(async () => (await parse(file0)).members.length);
      rows.push({ pupils, store: '-', phase: 'parse CTF only', seconds: parsed.seconds, events: 0, peakRssMb: parsed.peakRssMb, ratioToParse: 1 });
      for (const kind of stores) {
        if (kind === 'pglite' && pupils > pgliteMax) {
          notes.push(`PGlite skipped at ${pupils} pupils (BENCH_PGLITE_MAX=${pgliteMax}).`);
          continue;
        }
        let store: EventStore | null;
        if (kind === 'memory') store = memoryStore();
        else if (kind === 'pglite') store = await openPglite(join(dir, `pglite-${pupils}`));
        else {
          if (external === undefined) server ??= await startPostgres();
          // A fresh database per size (on BENCH_POSTGRES_URL's server: a fresh schema in its database).
          store = external === undefined ? await openPostgres(await server!.newDatabase(`import_${pupils}`)) : await openPostgres(external, `bench_import_${pupils}_${Date.now()}`);
        }
        if (store === null) {
          notes.push(`${kind} store not available (packages/adapters-store not built): skipped. Hooks: openPglite(), openPostgres() in bench/import.ts.`);
          continue;
        }
        const deps = { store, clock: fixedClock('2026-09-01T06:00:00.000Z'), ids: sequentialIds('bench') };
        let held: HeldState | undefined;
        // Only counts leave this function, so no plan or snapshot outlives its run (they would weigh on the next).
        const run = async (file: string, today: string, runId: string, keepHeld = false): Promise<{ events: number; recorded: boolean; summary: string }> => {
          const snapshot = await parse(file);
          const r = await runImport(deps, snapshot, settings, today, { runId, format: 'ctf', sourceName: file, schoolId: 'bench-school', concurrency: kind === 'memory' ? 1 : 8, ...(keepHeld && held !== undefined ? { held } : {}) });
          if (r._tag === 'Left') throw new Error(r.left.message);
          held = r.right.held;
          return { events: r.right.counts.eventsAppended, recorded: r.right.recorded, summary: r.right.counts.eventsAppended === 0 ? '' : describePlan(r.right.plan) };
        };
        const row = (phase: string, m: { seconds: number; peakRssMb: number; value: { events: number } }): void => {
          rows.push({ pupils, store: kind, phase, seconds: m.seconds, events: m.value.events, peakRssMb: m.peakRssMb, ratioToParse: m.seconds / parsed.seconds });
        };
        row('first import', await measure(() => run(file0, day0.today, `first-${pupils}`)));
        const same = await measure(() => run(file0, day0.today, `same-${pupils}`));
        if (same.value.events !== 0 || same.value.recorded) throw new Error(`a no-change re-import appended events: ${same.value.summary}`);
        row('no-change re-import (reads the log)', same);
        const kept = await measure(() => run(file0, day0.today, `kept-${pupils}`, true));
        if (kept.value.events !== 0) throw new Error(`a no-change re-import appended events: ${kept.value.summary}`);
        row('no-change re-import (held kept)', kept);
        row('1% churn re-import', await measure(() => run(file1, day1.today, `churn-${pupils}`)));
        held = undefined;
        await store.close();
      }
    }
  } finally {
    await server?.stop();
    rmSync(dir, { recursive: true, force: true });
  }
  console.table(
    rows.map((r) => ({
      pupils: r.pupils,
      store: r.store,
      phase: r.phase,
      'time (s)': r.seconds.toFixed(2),
      events: r.events,
      'events/s': r.events === 0 ? '-' : Math.round(r.events / r.seconds),
      'peak RSS (MB)': r.peakRssMb,
      'x parse': r.ratioToParse === null ? '-' : r.ratioToParse.toFixed(2),
    })),
  );
  for (const n of [...new Set(notes)]) console.log(n);
  // The targets, met or not, as ratios measured in this run.
  const met = (ok: boolean): string => (ok ? 'met' : 'NOT met');
  for (const pupils of sizes) {
    const at = (store: string, phase: string): Row | undefined => rows.find((r) => r.pupils === pupils && r.store === store && r.phase === phase);
    const memory = at('memory', 'first import');
    for (const store of stores.filter((s) => s !== 'memory')) {
      const first = at(store, 'first import');
      if (first !== undefined && memory !== undefined) {
        const x = first.seconds / memory.seconds;
        console.log(`target ${pupils} pupils: first import on ${store} / on memory = ${x.toFixed(2)}x (target <= 1.5x: ${met(x <= 1.5)})`);
      }
    }
    for (const store of stores) {
      const same = at(store, 'no-change re-import (reads the log)');
      if (same?.ratioToParse != null) console.log(`target ${pupils} pupils: no-change re-import on ${store} / parse = ${same.ratioToParse.toFixed(2)}x (target <= 1.5x: ${met(same.ratioToParse <= 1.5)})`);
    }
  }
  return rows;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) await benchImport();
