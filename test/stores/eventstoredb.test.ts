/**
 * The conformance suite against EventStoreDB when `EVENTSTORE_URL` is set (e.g.
 * `esdb://localhost:2113?tls=false`); otherwise every case is listed as skipped, with the reason.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { clientConnectionString, openEventStoreDbStore } from '../../packages/adapters-eventstoredb/src/index.js';
import { describeStoreConformance } from './conformance.js';

const url = process.env['EVENTSTORE_URL'];
const folders: string[] = [];

afterAll(() => {
  for (const f of folders) rmSync(f, { recursive: true, force: true });
});

describeStoreConformance(
  'eventstoredb',
  url === undefined || url === ''
    ? { skip: 'EVENTSTORE_URL not set' }
    : async () => {
        const keys = mkdtempSync(join(tmpdir(), 'contactable-esdb-keys-'));
        folders.push(keys);
        const store = await openEventStoreDbStore(url, { keys });
        return { store, dispose: () => store.close() };
      },
  {
    noGapCase: 'EventStoreDB has one writer per node; its $all has no uncommitted gaps',
    noAppendMany: 'EventStoreDB has no transaction across streams, so no appendMany',
  },
);

describe('eventstoredb URLs', () => {
  it('hands the client esdb:// under its new name, kurrentdb:// (the old name makes it print a warning)', () => {
    expect(clientConnectionString('esdb://admin:changeit@localhost:2113?tls=false')).toBe('kurrentdb://admin:changeit@localhost:2113?tls=false');
    expect(clientConnectionString('esdb+discover://cluster:2113')).toBe('kurrentdb+discover://cluster:2113');
    expect(clientConnectionString('kurrentdb://localhost:2113')).toBe('kurrentdb://localhost:2113');
  });
});
