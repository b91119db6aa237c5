/** The conformance suite against PostgreSQL: a throwaway cluster, a fresh schema per case. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll } from 'vitest';
import type { InlineReadModels } from '../../packages/core/src/index.js';
import { openPostgresStore } from '../../packages/adapters-store/src/index.js';
import { postgresBinDir, startPostgres, type TestPostgres } from '../support/postgres.js';
import { describeStoreConformance, type StoreUnderTest } from './conformance.js';

const missing = postgresBinDir() === null ? 'PostgreSQL server binaries not installed (scripts/ensure-postgres.sh)' : null;
let server: TestPostgres | undefined;
let cases = 0;
// Each case's key-encryption key file (PostgreSQL keeps it outside the database).
const keyFiles = mkdtempSync(join(tmpdir(), 'contactable-pg-kek-'));

beforeAll(async () => {
  if (missing === null) server = await startPostgres();
});

afterAll(async () => {
  await server?.stop();
  rmSync(keyFiles, { recursive: true, force: true });
});

const factory = async (options: { readonly readModels?: InlineReadModels | null } = {}): Promise<StoreUnderTest> => {
  const url = server!.url;
  const schema = `case_${++cases}`;
  let store = await openPostgresStore(url, { schema, pollMs: 200, kek: join(keyFiles, `${schema}.kek`), ...options });
  // A second pool on the same schema (the store made it): the back door a DBA (or a second writer) would use.
  const side = { pool: new pg.Pool({ connectionString: url, max: 4 }) };
  const held = new Set<{ release: (destroy?: boolean) => void }>();
  return {
    get store() {
      return store;
    },
    reopen: async (readModels) => {
      await store.close();
      store = await openPostgresStore(url, { schema, pollMs: 200, kek: join(keyFiles, `${schema}.kek`), readModels });
    },
    corrupt: async (streamId, version, how) => {
      const sql =
        how === 'data'
          ? `UPDATE ${schema}.events SET data = jsonb_set(data, '{contactId}', '42') WHERE stream_id = $1 AND version = $2`
          : `UPDATE ${schema}.events SET personal = overlay(personal placing (CASE WHEN substr(personal, length(personal) - 5, 1) = 'A' THEN 'B' ELSE 'A' END) from length(personal) - 5 for 1)
             WHERE stream_id = $1 AND version = $2 AND personal IS NOT NULL`;
      const result = await side.pool.query(sql, [streamId, version]);
      if (result.rowCount !== 1) throw new Error(`no event to corrupt at ${streamId}@${version}`);
    },
    // A second writer mid-append: positions taken the store's way, insert done, commit not yet.
    holdAppend: async (streamId, event) => {
      const client = await side.pool.connect();
      held.add(client);
      await client.query('BEGIN');
      const { rows } = await client.query<{ xid: string; first: string }>(`SELECT xid, first FROM ${schema}.take_positions(1)`);
      const position = Number(rows[0]!.first);
      await client.query(
        `INSERT INTO ${schema}.events (position, stream_id, version, event_id, type, schema_version, data, metadata, personal, transaction_id)
         VALUES ($1, $2, 0, $3, $4, $5, $6, $7, NULL, $8)`,
        [position, streamId, event.id, event.type, event.schemaVersion, JSON.stringify(event.data), JSON.stringify(event.metadata), rows[0]!.xid],
      );
      return {
        position,
        commit: async () => {
          await client.query('COMMIT');
          held.delete(client);
          client.release();
        },
      };
    },
    dispose: async () => {
      // A case that failed mid-gap must not leave a transaction holding every later reader back.
      for (const c of held) c.release(true);
      await side.pool.end();
      await store.close();
    },
  };
};

describeStoreConformance('postgres', missing === null ? factory : { skip: missing });
