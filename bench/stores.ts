/**
 * Store benchmark: for each store (memory, PGlite, PostgreSQL) the append rate in batches of 1
 * and of 100, the readAll rate, the rate of import-shaped multi-stream appends (`appendMany`, 500
 * new streams of 1-4 events per call, after the read) and the peak RSS, with events of the core's real shapes; beside
 * it the same workload on `@event-driven-io/emmett-postgresql` and on bare `pg` (the floor),
 * against the same PostgreSQL server, and our/peer ratios.
 *
 * Each store runs in a child process of its own, so its peak RSS is its own (PGlite's folder is
 * created beforehand in yet another process: its initdb alone peaks near 900 MB, once per folder).
 * Alone: `node --import tsx bench/stores.ts` (BENCH_EVENTS=20000 for a quick run).
 * Env: BENCH_EVENTS (default 100000), BENCH_BATCH1_EVENTS (default min(events, 10000); PGlite
 * uses a fifth of it), BENCH_MANY_EVENTS (default min(events, 20000)), BENCH_POSTGRES_URL
 * (default: a throwaway cluster, fsync off).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { contactStream, exactVersion, memoryStore, nameId, noStream, readAllEvents, type EventStore, type NewEvent } from '../packages/core/src/index.js';
import { openPgliteStore, openPostgresDatabase, openPostgresStore } from '../packages/adapters-store/src/index.js';
import { startPostgres } from '../test/support/postgres.js';
import { contactHistory, memberHistory, schoolLog, type StreamBatch } from '../test/stores/fixtures.js';

const run = promisify(execFile);

/** What to run. */
export interface BenchStoresOptions {
  /** Events appended in batches of 100 (and then read back); default BENCH_EVENTS or 100000. */
  readonly events?: number;
  /** Events appended one per call; default BENCH_BATCH1_EVENTS or min(events, 10000); PGlite runs a fifth. */
  readonly batch1Events?: number;
  /** Events appended with appendMany (500 streams per call); default BENCH_MANY_EVENTS or min(events, 20000). */
  readonly manyEvents?: number;
  /** A PostgreSQL server to use (each target gets a fresh database); default: a throwaway cluster. */
  readonly postgresUrl?: string;
  /** Where the table goes (default console.log). */
  readonly log?: (line: string) => void;
}

/** One target's figures. */
export interface StoreBenchResult {
  readonly target: Target;
  readonly batch1Events: number;
  readonly batch100Events: number;
  /** Events per second, appending one event per call (each at its exact expected version). */
  readonly appendBatch1: number;
  /** Events per second, appending 100 events per call. */
  readonly appendBatch100: number;
  /** Events per second, reading the whole log in pages of 1000. */
  readonly readAll: number;
  /** Events per second, appending new streams 500 per appendMany call (null: the target has none). */
  readonly appendMany: number | null;
  readonly manyEvents: number;
  readonly readEvents: number;
  /** Peak resident set size of the target's process, in MB. */
  readonly peakRssMb: number;
  readonly note?: string;
}

type Target = 'memory' | 'pglite' | 'postgres' | 'emmett-postgresql' | 'pg (floor)';
const TARGETS: ReadonlyArray<Target> = ['memory', 'pglite', 'postgres', 'emmett-postgresql', 'pg (floor)'];

/** The batch-of-100 workload: contacts messaged 98 times and members linked to 99 contacts (half the events personal). */
const hundredBatch = (k: number): StreamBatch =>
  k % 2 === 0
    ? contactHistory(nameId(`bench/b100/contact/${k}`), { given: 'Mary', family: `Family${k}`, email: `mary${k}@example.org`, mobile: '07911 123456' }, 98)
    : memberHistory(
        nameId(`bench/b100/member/${k}`),
        { given: 'Sam', family: `Family${k}` },
        `UPN${k}`,
        Array.from({ length: 99 }, (_, i) => nameId(`bench/b100/link/${k}/${i}`)),
      );

/** The batch-of-1 workload: a school's streams, one event per append, as the command handler writes them. */
const singleEvents = (count: number): Array<{ streamId: string; event: NewEvent; version: number }> =>
  schoolLog(count)
    .flatMap((s) => s.events.map((event, version) => ({ streamId: s.streamId, event, version })))
    .slice(0, count);

/** Streams per appendMany call, as the import uses it. */
const STREAMS_PER_CALL = 500;

/** How a target appends and reads; `append` returns once the batch is durable in the store. */
interface Driver {
  readonly append: (streamId: string, events: ReadonlyArray<NewEvent>, version: number) => Promise<void>;
  /** Appends whole new streams in one call, all or nothing (absent where the target has none). */
  readonly appendMany?: (batches: ReadonlyArray<StreamBatch>) => Promise<void>;
  /** Reads the whole log; returns how many events. */
  readonly readAll: () => Promise<number>;
  readonly close: () => Promise<void>;
}

const ourDriver = (store: EventStore, closeAlso?: () => void): Driver => ({
  append: async (streamId, events, version) => {
    const r = await store.append(streamId, events, version < 0 ? noStream : exactVersion(version));
    if (r._tag === 'Left') throw new Error(`unexpected conflict on ${streamId}`);
  },
  ...(store.appendMany === undefined
    ? {}
    : {
        appendMany: async (batches: ReadonlyArray<StreamBatch>) => {
          const r = await store.appendMany!(batches.map((b) => ({ streamId: b.streamId, events: b.events, expected: noStream })));
          if (r._tag === 'Left') throw new Error(`unexpected conflict on ${r.left.streamId}`);
        },
      }),
  readAll: async () => {
    let n = 0;
    for await (const _ of readAllEvents(store, 0, 1000)) n++;
    return n;
  },
  close: async () => {
    await store.close();
    closeAlso?.();
  },
});

const emmettDriver = async (url: string): Promise<Driver> => {
  const emmett = await import('@event-driven-io/emmett-postgresql');
  const store = emmett.getPostgreSQLEventStore(url);
  await store.schema.migrate();
  return {
    append: async (streamId, events, version) => {
      await store.appendToStream(
        streamId,
        events.map((e) => ({ type: e.type, data: e.data as Record<string, unknown>, metadata: { ...e.metadata, eventId: e.id } })),
        { expectedStreamVersion: BigInt(version + 1) },
      );
    },
    // Emmett's own batch read (what its consumers' puller runs), 1000 at a time; through the dumbo pool
    // emmett-postgresql itself depends on (not a root dependency, so found from emmett's own folder).
    readAll: async () => {
      const req = createRequire(import.meta.resolve('@event-driven-io/emmett-postgresql'));
      const dumboEntry = req.resolve('@event-driven-io/dumbo').replace(/index\.cjs$/, 'index.js');
      const { dumbo } = (await import(pathToFileURL(dumboEntry).href)) as {
        dumbo: (o: { connectionString: string }) => { execute: unknown; close: () => Promise<void> };
      };
      const pool = dumbo({ connectionString: url });
      try {
        let n = 0;
        let after = 0n;
        for (;;) {
          const batch = await emmett.readMessagesBatch(pool.execute as never, { after, batchSize: 1000 });
          n += batch.messages.length;
          if (!batch.areMessagesLeft || batch.messages.length === 0) return n;
          after = batch.currentGlobalPosition;
        }
      } finally {
        await pool.close();
      }
    },
    close: () => store.close(),
  };
};

const floorDriver = async (url: string): Promise<Driver> => {
  const { sql, close } = await openPostgresDatabase(url, { schema: 'floor_unused' });
  await sql.query(`CREATE TABLE IF NOT EXISTS floor_events (
    position bigserial PRIMARY KEY, stream_id text NOT NULL, version int NOT NULL, event_id text NOT NULL,
    type text NOT NULL, data jsonb NOT NULL, metadata jsonb NOT NULL, UNIQUE (stream_id, version))`);
  return {
    append: async (streamId, events, version) => {
      const rows = events.map((e, i) => ({ v: version + 1 + i, id: e.id, type: e.type, data: e.data, metadata: e.metadata }));
      // A named statement, as sql.query always makes one.
      await sql.query(
        `INSERT INTO floor_events (stream_id, version, event_id, type, data, metadata)
               SELECT $1, r.v, r.id, r.type, r.data, r.metadata FROM jsonb_to_recordset($2::jsonb) AS r(v int, id text, type text, data jsonb, metadata jsonb)`,
        [streamId, JSON.stringify(rows)],
      );
    },
    readAll: async () => {
      let n = 0;
      let after = 0;
      for (;;) {
        const rows = await sql.query<{ position: string }>(
          'SELECT position, stream_id, version, event_id, type, data, metadata FROM floor_events WHERE position > $1 ORDER BY position LIMIT 1000',
          [after],
        );
        n += rows.length;
        if (rows.length < 1000) return n;
        after = Number(rows[rows.length - 1]!.position);
      }
    },
    close,
  };
};

const openDriver = async (target: Target, url: string): Promise<Driver> => {
  switch (target) {
    case 'memory':
      return ourDriver(memoryStore());
    case 'pglite':
      // `url` is a folder the parent made (initdb ran in another process, so its peak is not counted here).
      return ourDriver(await openPgliteStore(url), () => rmSync(dirname(url), { recursive: true, force: true }));
    case 'postgres':
      return ourDriver(await openPostgresStore(url));
    case 'emmett-postgresql':
      return emmettDriver(url);
    case 'pg (floor)':
      return floorDriver(url);
  }
};

/** Runs one target's workload in this process (the child side). */
const runTarget = async (target: Target, events: number, batch1: number, many: number, url: string): Promise<StoreBenchResult> => {
  const driver = await openDriver(target, url);
  try {
    let appendMs = 0;
    const batches = Math.ceil(events / 100);
    for (let k = 0; k < batches; k++) {
      const batch = hundredBatch(k);
      const t0 = performance.now();
      await driver.append(batch.streamId, batch.events, -1);
      appendMs += performance.now() - t0;
    }
    const batch100Events = batches * 100;
    const singles = singleEvents(batch1);
    let singleMs = 0;
    for (const s of singles) {
      const t0 = performance.now();
      await driver.append(s.streamId, [s.event], s.version - 1);
      singleMs += performance.now() - t0;
    }
    const t0 = performance.now();
    const readEvents = await driver.readAll();
    const readMs = performance.now() - t0;
    // After the read, so the read measures the same log as before appendMany existed.
    let manyMs = 0;
    let manyEvents = 0;
    if (driver.appendMany !== undefined) {
      const streams = schoolLog(many, 'bench-many');
      for (let k = 0; k < streams.length; k += STREAMS_PER_CALL) {
        const chunk = streams.slice(k, k + STREAMS_PER_CALL);
        const t = performance.now();
        await driver.appendMany(chunk);
        manyMs += performance.now() - t;
        manyEvents += chunk.reduce((n, s) => n + s.events.length, 0);
      }
    }
    return {
      target,
      batch1Events: singles.length,
      batch100Events,
      appendBatch1: singles.length / (singleMs / 1000),
      appendBatch100: batch100Events / (appendMs / 1000),
      readAll: readEvents / (readMs / 1000),
      readEvents,
      appendMany: driver.appendMany === undefined ? null : manyEvents / (manyMs / 1000),
      manyEvents,
      peakRssMb: process.resourceUsage().maxRSS / 1024,
      ...(readEvents === batch100Events + singles.length ? {} : { note: `read ${readEvents} of ${batch100Events + singles.length}` }),
    };
  } finally {
    await driver.close();
  }
};

const SELF = fileURLToPath(import.meta.url);

const fmt = (n: number): string => (Number.isFinite(n) ? Math.round(n).toLocaleString('en-GB') : '-');

/** Runs every target (each in a child process), prints the table and the ratios, and returns the figures. */
export async function benchStores(opts: BenchStoresOptions = {}): Promise<ReadonlyArray<StoreBenchResult>> {
  const log = opts.log ?? ((line: string) => console.log(line));
  const events = opts.events ?? Number(process.env['BENCH_EVENTS'] ?? 100_000);
  const batch1 = opts.batch1Events ?? Number(process.env['BENCH_BATCH1_EVENTS'] ?? Math.min(events, 10_000));
  const many = opts.manyEvents ?? Number(process.env['BENCH_MANY_EVENTS'] ?? Math.min(events, 20_000));
  const external = opts.postgresUrl ?? process.env['BENCH_POSTGRES_URL'];
  const server = external === undefined ? await startPostgres() : undefined;
  const results: StoreBenchResult[] = [];
  try {
    let databases = 0;
    for (const target of TARGETS) {
      let url = server !== undefined ? await server.newDatabase(`bench_${++databases}`) : external!;
      if (target === 'pglite') {
        url = join(mkdtempSync(join(tmpdir(), 'contactable-bench-')), 'store');
        await run(process.execPath, ['--import', 'tsx', SELF, '--create-pglite', url], { timeout: 120_000 });
      }
      const count = target === 'pglite' ? Math.max(1, Math.floor(batch1 / 5)) : batch1;
      log(`stores bench: ${target} (${events} events in batches of 100, ${count} one by one)...`);
      try {
        const { stdout } = await run(process.execPath, ['--import', 'tsx', SELF, '--child', target, String(events), String(count), String(many), url], {
          maxBuffer: 1 << 24,
          timeout: 30 * 60_000,
        });
        const last = stdout.trim().split('\n').pop() ?? '';
        results.push(JSON.parse(last) as StoreBenchResult);
      } catch (e) {
        log(`  ${target} failed: ${(e as Error).message.split('\n')[0]}`);
      }
    }
  } finally {
    await server?.stop();
  }
  const header = ['store', 'append b1 ev/s', 'append b100 ev/s', 'readAll ev/s', 'appendMany ev/s', 'peak RSS MB', 'note'];
  const rows = results.map((r) => [
    r.target,
    fmt(r.appendBatch1),
    fmt(r.appendBatch100),
    fmt(r.readAll),
    r.appendMany === null ? '-' : fmt(r.appendMany),
    fmt(r.peakRssMb),
    r.note ?? `b1 n=${r.batch1Events}${r.appendMany === null ? '' : `, many n=${r.manyEvents}`}`,
  ]);
  const ours = results.find((r) => r.target === 'postgres');
  for (const peer of results.filter((r) => r.target === 'emmett-postgresql' || r.target === 'pg (floor)')) {
    if (ours === undefined) continue;
    rows.push([
      `postgres / ${peer.target}`,
      `${(ours.appendBatch1 / peer.appendBatch1).toFixed(2)}x`,
      `${(ours.appendBatch100 / peer.appendBatch100).toFixed(2)}x`,
      `${(ours.readAll / peer.readAll).toFixed(2)}x`,
      '-',
      `${(ours.peakRssMb / peer.peakRssMb).toFixed(2)}x`,
      'ratio ours/peer',
    ]);
  }
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: ReadonlyArray<string>): string => cells.map((c, i) => (i === 0 || i === cells.length - 1 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ');
  log('');
  log(line(header));
  log(widths.map((w) => '-'.repeat(w)).join('  '));
  for (const r of rows) log(line(r));
  if (ours !== undefined) {
    log('');
    log(`targets (reported, not asserted): postgres batched append >= 20,000 ev/s: ${fmt(ours.appendBatch100)}; readAll >= 200,000 ev/s: ${fmt(ours.readAll)}`);
    const floor = results.find((r) => r.target === 'pg (floor)');
    if (floor !== undefined) {
      const b100 = ours.appendBatch100 / floor.appendBatch100;
      const read = ours.readAll / floor.readAll;
      log(`target: postgres / bare pg >= 0.8x: batched append ${b100.toFixed(2)}x (${b100 >= 0.8 ? 'met' : 'NOT met'}), readAll ${read.toFixed(2)}x (${read >= 0.8 ? 'met' : 'NOT met'})`);
    }
  }
  const pglite = results.find((r) => r.target === 'pglite');
  if (pglite !== undefined) {
    log(`target: PGlite single appends (one event per append) >= 2,000 ev/s: ${fmt(pglite.appendBatch1)} (${pglite.appendBatch1 >= 2000 ? 'met' : 'NOT met'}; n=${pglite.batch1Events}, on a fresh store; bench views measures them on a school's store)`);
  }
  return results;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  if (process.argv[2] === '--create-pglite') {
    openPgliteStore(process.argv[3]!)
      .then((store) => store.close())
      .then(() => process.exit(0), (e: unknown) => {
        process.stderr.write(`${String(e)}\n`);
        process.exit(1);
      });
  } else if (process.argv[2] === '--child') {
    const [, , , target, events, batch1, many, url] = process.argv;
    runTarget(target as Target, Number(events), Number(batch1), Number(many), url ?? '')
      .then((r) => {
        process.stdout.write(`${JSON.stringify(r)}\n`);
        process.exit(0);
      })
      .catch((e: unknown) => {
        process.stderr.write(`${e instanceof Error ? (e.stack ?? e.message) : String(e)}\n`);
        process.exit(1);
      });
  } else {
    benchStores().catch((e: unknown) => {
      console.error(e);
      process.exitCode = 1;
    });
  }
}
