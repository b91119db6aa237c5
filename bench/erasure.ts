/**
 * Erasure benchmark: what the key-encryption key costs. On the embedded store (PGlite) and, when
 * PostgreSQL is installed, a throwaway server, with BENCH_SUBJECTS people (default 20,000; a
 * 10,000-pupil school has about that many members and contacts):
 *
 * - making their keys (one multi-subject append per 500 people, as an import does), each key
 *   wrapped under the KEK;
 * - a cold read of the whole log (every key unwrapped once);
 * - a retention clean-up after one erasure: every remaining key re-wrapped under a fresh KEK, the
 *   old one destroyed, the key table rewritten, the WAL moved on;
 * - a key export under a passphrase (scrypt 2^17, then AES-256-GCM).
 *
 * Runs on the sources: `node --import tsx bench/erasure.ts`, or `BENCH_ONLY=erasure pnpm bench`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { contactStream, noStream, readAllEvents, type EventStore } from '../packages/core/src/index.js';
import { exportKeys, openPgliteStore, openPostgresStore } from '../packages/adapters-store/src/index.js';
import { postgresBinDir, startPostgres } from '../test/support/postgres.js';
import { contactHistory } from '../test/stores/fixtures.js';

/** One store's figures, in seconds. */
export interface ErasureBenchRow {
  readonly store: string;
  readonly subjects: number;
  readonly makeKeys: number;
  readonly coldRead: number;
  readonly cleanUp: number;
  readonly keyExport: number;
}

const seconds = async (f: () => Promise<unknown>): Promise<number> => {
  const t = performance.now();
  await f();
  return (performance.now() - t) / 1000;
};

const measure = async (name: string, subjects: number, open: () => Promise<EventStore>): Promise<ErasureBenchRow> => {
  let store = await open();
  const people = Array.from({ length: subjects }, (_, i) => contactHistory(`bench-${i}`, { given: 'Ann', family: `Parent${i}`, email: `p${i}@example.org`, mobile: `07911 ${String(100000 + (i % 900000)).padStart(6, '0')}` }, 0));
  const makeKeys = await seconds(async () => {
    for (let i = 0; i < people.length; i += 500) {
      const r = await store.appendMany!(people.slice(i, i + 500).map((p) => ({ streamId: p.streamId, events: p.events, expected: noStream })));
      if (r._tag === 'Left') throw new Error('append failed');
    }
  });
  await store.close();
  store = await open();
  const coldRead = await seconds(async () => {
    let n = 0;
    for await (const _ of readAllEvents(store)) n++;
    if (n < subjects) throw new Error('the log is short');
  });
  await store.forget(contactStream('bench-0'));
  const cleanUp = await seconds(() => store.compact());
  const keyExport = await seconds(() => exportKeys(store, 'a benchmark passphrase'));
  await store.close();
  return { store: name, subjects, makeKeys, coldRead, cleanUp, keyExport };
};

/** Runs the benchmark and prints one table. */
export async function benchErasure(opts: { readonly subjects?: number; readonly log?: (line: string) => void } = {}): Promise<ReadonlyArray<ErasureBenchRow>> {
  const subjects = opts.subjects ?? Number(process.env['BENCH_SUBJECTS'] ?? 20_000);
  const log = opts.log ?? ((line: string) => console.log(line));
  const root = mkdtempSync(join(tmpdir(), 'contactable-bench-erasure-'));
  const rows: ErasureBenchRow[] = [];
  try {
    rows.push(await measure('pglite', subjects, () => openPgliteStore(join(root, 'store'))));
    if (postgresBinDir() !== null) {
      const server = await startPostgres();
      try {
        const url = await server.newDatabase('bench_erasure');
        rows.push(await measure('postgres', subjects, () => openPostgresStore(url, { kek: join(root, 'pg.kek') })));
      } finally {
        await server.stop();
      }
    }
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
  log(`people: ${subjects} (one key each, wrapped under the key-encryption key)`);
  log('store     make keys (s)  cold read (s)  clean-up after an erasure (s)  key export (s)');
  for (const r of rows) {
    log(`${r.store.padEnd(9)} ${r.makeKeys.toFixed(2).padStart(13)}  ${r.coldRead.toFixed(2).padStart(13)}  ${r.cleanUp.toFixed(2).padStart(29)}  ${r.keyExport.toFixed(2).padStart(14)}`);
  }
  for (const r of rows) log(`${r.store}: clean-up is ${(r.cleanUp / r.makeKeys).toFixed(2)}x the time to make the keys; ${((r.cleanUp * 1e6) / r.subjects).toFixed(0)} µs per key re-wrapped`);
  return rows;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) await benchErasure();
