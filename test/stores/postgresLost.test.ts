/**
 * A PostgreSQL server that goes away in the middle of a transaction (R-OPS-2): the transaction fails with an
 * error the caller can report, and the process goes on. A checked-out client also emits 'error' when its
 * connection dies; unheard, that would end the process on a stack trace (the chaos suite saw it in a send).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openPostgresDatabase } from '../../packages/adapters-store/src/index.js';
import { startPostgres, type TestPostgres } from '../support/postgres.js';

let pg: TestPostgres;
const uncaught: unknown[] = [];
const note = (e: unknown): void => {
  uncaught.push(e);
};

beforeAll(async () => {
  pg = await startPostgres();
  process.on('uncaughtException', note);
}, 120_000);

afterAll(async () => {
  process.off('uncaughtException', note);
  await pg?.stop();
});

describe('the server stops mid-transaction', () => {
  it('R-OPS-2 the transaction fails, nothing escapes as an uncaught error, and the pool works once the server is back', async () => {
    const db = await openPostgresDatabase(await pg.newDatabase('lost'), { poolSize: 2 });
    try {
      const running = db.sql.transaction(async (tx) => {
        await tx.query('SELECT 1');
        await tx.query('SELECT pg_sleep(30)');
      });
      const failed = running.then(
        () => null,
        (e: unknown) => e,
      );
      await new Promise((r) => setTimeout(r, 500));
      await pg.pause();
      expect(await failed).toBeInstanceOf(Error);
      // Let any 'error' event of the dead connection fire.
      await new Promise((r) => setTimeout(r, 200));
      expect(uncaught).toEqual([]);
      await pg.resume();
      expect(await db.sql.transaction((tx) => tx.query<{ one: number }>('SELECT 1 AS one'))).toEqual([{ one: 1 }]);
    } finally {
      await db.close().catch(() => undefined);
    }
  }, 120_000);
});
