/** The conformance suite against the embedded PGlite store, each case in a fresh folder copied from a template. */
import { cpSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventStore } from '../../packages/core/src/index.js';
import { openPgliteDatabase, openPgliteStore } from '../../packages/adapters-store/src/index.js';
import { describeStoreConformance, type StoreUnderTest } from './conformance.js';
import { contactHistory } from './fixtures.js';
import { noStream } from '../../packages/core/src/index.js';

let root = '';
let template = '';
let cases = 0;

beforeAll(async () => {
  root = mkdtempSync(join(tmpdir(), 'contactable-pglite-'));
  template = join(root, 'template');
  // initdb takes seconds; copying a ready folder takes milliseconds.
  await (await openPgliteStore(template)).close();
});

afterAll(() => {
  if (root !== '') rmSync(root, { recursive: true, force: true });
});

/** Damages a stored event through PGlite directly (the store must be closed: one process per folder). */
export const corruptInFolder = async (folder: string, streamId: string, version: number, how: 'data' | 'seal'): Promise<void> => {
  const db = await openPgliteDatabase(folder);
  try {
    const sql =
      how === 'data'
        ? `UPDATE contactable.events SET data = jsonb_set(data, '{contactId}', '42') WHERE stream_id = $1 AND version = $2`
        : `UPDATE contactable.events SET personal = overlay(personal placing (CASE WHEN substr(personal, length(personal) - 5, 1) = 'A' THEN 'B' ELSE 'A' END) from length(personal) - 5 for 1)
           WHERE stream_id = $1 AND version = $2 AND personal IS NOT NULL`;
    const rows = await db.sql.query(`${sql} RETURNING position`, [streamId, version]);
    if (rows.length !== 1) throw new Error(`no event to corrupt at ${streamId}@${version}`);
  } finally {
    await db.close();
  }
};

describeStoreConformance(
  'pglite',
  async (options = {}): Promise<StoreUnderTest> => {
    const folder = join(root, `case-${++cases}`);
    cpSync(template, folder, { recursive: true });
    let store: EventStore = await openPgliteStore(folder, options);
    return {
      get store() {
        return store;
      },
      corrupt: async (streamId, version, how) => {
        await store.close();
        await corruptInFolder(folder, streamId, version, how);
        store = await openPgliteStore(folder);
      },
      reopen: async (readModels) => {
        await store.close();
        store = await openPgliteStore(folder, { readModels });
      },
      dispose: async () => {
        await store.close();
        rmSync(folder, { recursive: true, force: true });
      },
    };
  },
  { noGapCase: 'PGlite is one connection in one process, no concurrent transactions' },
);

describe('a store whose creation stopped part-way (R-AUD-4)', () => {
  it('is created again: the unfinished data folder held nothing', async () => {
    const folder = join(root, 'half-made');
    mkdirSync(join(folder, 'pgdata', 'base'), { recursive: true });
    writeFileSync(join(folder, 'pgdata', 'PG_VERSION'), '17\n');
    writeFileSync(join(folder, 'creating'), '1\n');
    const store = await openPgliteStore(folder);
    try {
      expect(await store.readAll({ after: 0, limit: 1 })).toEqual([]);
      expect(existsSync(join(folder, 'creating'))).toBe(false);
    } finally {
      await store.close();
    }
  }, 180_000);

  it('a store without the marker is never started again: its events stay', async () => {
    const folder = join(root, 'kept');
    cpSync(template, folder, { recursive: true });
    const first = await openPgliteStore(folder);
    const contact = contactHistory('kept-1', { given: 'Ruby', family: 'Evans', email: 'ruby@example.org', mobile: '+447700900123' });
    expect((await first.append(contact.streamId, contact.events, noStream))._tag).toBe('Right');
    const before = (await first.readAll({ after: 0, limit: 100 })).length;
    expect(before).toBe(contact.events.length);
    await first.close();
    const again = await openPgliteStore(folder);
    try {
      expect((await again.readAll({ after: 0, limit: 100 })).length).toBe(before);
    } finally {
      await again.close();
    }
  }, 180_000);
});
