/**
 * The forgery suite: the matrix of forged callbacks (SendGrid, Twilio, SES/SNS, GOV.UK Notify) on every
 * kind of store that keeps a log (memory, the embedded PGlite folder, PostgreSQL), with the genuine
 * callbacks beside them. Target (printed by `pnpm chaos`): at least 40 forgeries over the four providers,
 * 0 accepted, nothing written by any of them.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { memoryStore, type EventStore } from '../../packages/core/src/index.js';
import { openStore } from '../../packages/adapters-store/src/index.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';
import { runMatrix, type CaseOutcome } from './support/forgeries.js';
import { recordTarget } from './support/targets.js';

let pg: TestPostgres;
const dirs: string[] = [];
const all: Array<{ store: string; outcomes: ReadonlyArray<CaseOutcome> }> = [];
beforeAll(async () => {
  pg = await startPostgres();
}, 300_000);
afterAll(async () => {
  await pg?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const stores: ReadonlyArray<[string, () => Promise<EventStore>]> = [
  ['memory', async () => memoryStore()],
  ['pglite', async () => {
    const d = mkdtempSync(join(tmpdir(), 'contactable-forgery-'));
    dirs.push(d);
    return openStore(join(d, 'store'));
  }],
  // PostgreSQL keeps its key-encryption key in a file outside the database (one database here, one file).
  ['postgres', async () => {
    const d = mkdtempSync(join(tmpdir(), 'contactable-forgery-kek-'));
    dirs.push(d);
    return openStore(await pg.newDatabase('forgeries'), { kek: join(d, 'forgeries.kek') });
  }],
];

describe('forged callbacks on every store', () => {
  for (const [name, open] of stores) {
    it(`R-CON-2 R-CON-3 R-CON-4 R-CON-5 forgeries refused and nothing written (${name})`, async () => {
      const store = await open();
      try {
        const outcomes = await runMatrix(store);
        all.push({ store: name, outcomes });
        const wrong = outcomes.filter((o) => (o.c.genuine ? !o.accepted : o.accepted || o.eventsWritten > 0 || !o.c.reasons.includes(o.reason ?? '')));
        expect(wrong.map((o) => `${o.c.provider}: ${o.c.name} -> ${o.reason ?? 'accepted'} (${o.eventsWritten} written)`)).toEqual([]);
      } finally {
        await store.close();
      }
    });
  }

  it('reports the forgery targets', () => {
    const forgeries = all.flatMap((a) => a.outcomes.filter((o) => !o.c.genuine));
    const perStore = all[0]?.outcomes.filter((o) => !o.c.genuine) ?? [];
    const providers = ['sendgrid', 'twilio', 'ses', 'notify'].map((p) => `${p} ${perStore.filter((o) => o.c.provider === p).length}`).join(', ');
    const accepted = forgeries.filter((o) => o.accepted).length;
    const written = forgeries.reduce((s, o) => s + o.eventsWritten, 0);
    const genuine = all.flatMap((a) => a.outcomes.filter((o) => o.c.genuine));
    recordTarget({
      suite: 'forgery',
      name: 'forged callbacks over the four providers',
      measured: `${perStore.length} forgeries (${providers}) x ${all.length} stores = ${forgeries.length}: ${accepted} accepted, ${written} events written; ${genuine.filter((o) => o.accepted).length} of ${genuine.length} genuine accepted`,
      target: '>= 40 forgeries, 0 accepted',
      met: perStore.length >= 40 && accepted === 0 && written === 0 && genuine.every((o) => o.accepted),
    });
    const reasons = new Map<string, number>();
    for (const o of forgeries) reasons.set(o.reason ?? 'accepted', (reasons.get(o.reason ?? 'accepted') ?? 0) + 1);
    console.log(`[chaos] forgeries by reason: ${JSON.stringify(Object.fromEntries(reasons))}`);
    expect(accepted).toBe(0);
    expect(perStore.length).toBeGreaterThanOrEqual(40);
  });
});
