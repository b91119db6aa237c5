/**
 * `pnpm bench`: every benchmark in one run, printed as tables and ratios.
 * Scale with BENCH_EVENTS, BENCH_PUPILS, BENCH_RECIPIENTS; pick with BENCH_ONLY=stores,import,...
 */
import { randomBytes } from 'node:crypto';

// PostgreSQL stores need a key-encryption key outside the database: a fixed one for the whole run
// (and its child processes), since no benchmark rotates it.
process.env['CONTACTABLE_KEK'] ??= randomBytes(32).toString('base64');

const suites: Array<{ name: string; file: string; fn: string }> = [
  { name: 'stores', file: './stores.ts', fn: 'benchStores' },
  { name: 'import', file: './import.ts', fn: 'benchImport' },
  { name: 'projections', file: './projections.ts', fn: 'benchProjections' },
  { name: 'messaging', file: './messaging.ts', fn: 'benchMessaging' },
  { name: 'erasure', file: './erasure.ts', fn: 'benchErasure' },
  { name: 'views', file: './views.ts', fn: 'benchViews' },
];

const only = process.env.BENCH_ONLY?.split(',').map((s) => s.trim());
for (const suite of suites) {
  if (only !== undefined && !only.includes(suite.name)) continue;
  console.log(`\n=== ${suite.name} ===`);
  const mod = (await import(suite.file)) as Record<string, (opts?: object) => Promise<unknown>>;
  const run = mod[suite.fn];
  if (run === undefined) throw new Error(`bench/${suite.file} does not export ${suite.fn}`);
  await run({});
}
