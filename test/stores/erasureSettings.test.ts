/**
 * The erasure check (`checkErasureSettings`, printed by `contactable retention`, callable by
 * `contactable doctor`): it names the server settings that keep old bytes after an erasure, and
 * says when the key export is missing or older than the last erasure (R-DEL-3).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contactStream, memoryStore, noStream } from '../../packages/core/src/index.js';
import { BACKUP_ADVICE, checkErasureSettings, exportKeys, openPostgresStore, storeAdmin } from '../../packages/adapters-store/src/index.js';
import { postgresBinDir, startPostgres, type TestPostgres } from '../support/postgres.js';
import { PERSON_A, PERSON_B } from './conformance.js';
import { contactHistory } from './fixtures.js';

let server: TestPostgres | undefined;
const root = mkdtempSync(join(tmpdir(), 'contactable-check-'));
afterAll(async () => {
  await server?.stop();
  rmSync(root, { recursive: true, force: true });
});

describe('the erasure check (R-DEL-3)', () => {
  it('R-DEL-3 memory: nothing on disk to warn about', async () => {
    const check = await checkErasureSettings(memoryStore());
    expect(check.kind).toBe('memory');
    expect(check.findings.every((f) => f.level === 'info')).toBe(true);
  });

  describe.skipIf(postgresBinDir() === null)('on PostgreSQL', () => {
    it('R-DEL-3 postgres: WAL archiving, kept WAL, recycling, replication slots and a stale key export are named', async () => {
      server = await startPostgres({ settings: { wal_level: 'replica', archive_mode: 'on', archive_command: '/bin/true', wal_keep_size: '64MB' } });
      const url = await server.newDatabase('check');
      const store = await openPostgresStore(url, { kek: join(root, 'check.kek') });
      try {
        const admin = storeAdmin(store)!;
        await admin.sql.query(`SELECT pg_create_physical_replication_slot('forgotten_standby')`);
        for (const [id, p] of [['c-1', PERSON_A], ['c-2', PERSON_B]] as const) {
          const c = contactHistory(id, p, 1);
          expect((await store.append(c.streamId, c.events, noStream))._tag).toBe('Right');
        }
        await store.forget(contactStream('c-1'));
        await store.compact();
        let check = await checkErasureSettings(store);
        expect(check.kind).toBe('postgres');
        const subjects = check.findings.filter((f) => f.level === 'warning').map((f) => f.subject);
        expect(subjects).toEqual(expect.arrayContaining(['archive_mode', 'wal_recycle', 'wal_keep_size', 'replication slot forgotten_standby', 'key export']));
        expect(check.findings.find((f) => f.subject === 'key export')!.advice).toContain('no key export was ever made');
        expect(check.backups).toEqual(BACKUP_ADVICE);
        // A key-encryption key that can rotate, kept outside the database: nothing to say about it.
        expect(subjects).not.toContain('key-encryption key');

        await exportKeys(store, 'a passphrase long enough', { cost: 10 });
        check = await checkErasureSettings(store);
        expect(check.findings.map((f) => f.subject)).not.toContain('key export');
        await new Promise((r) => setTimeout(r, 20));
        await store.forget(contactStream('c-2'));
        check = await checkErasureSettings(store);
        expect(check.findings.find((f) => f.subject === 'key export')!.advice).toContain('predates the last erasure');
        await admin.sql.query(`SELECT pg_drop_replication_slot('forgotten_standby')`);
      } finally {
        await store.close();
      }
    });
  });
});
