/**
 * Key backups (`keys export` / `keys import`, R-DEL-3): the keys under a passphrase bring a store
 * back after its key table is lost; an erased person's key is never exported and never imported
 * back; a restored database whose KEK was destroyed since is recovered from the newest export, and
 * the people erased after that backup stay erased.
 */
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { contactStream, ERASED, noStream, type EventStore } from '../../packages/core/src/index.js';
import { defaultKekFile, exportKeys, importKeys, keyStatusOf, openKeyExport, openPgliteStore, sealKeyExport, storeAdmin } from '../../packages/adapters-store/src/index.js';
import { PERSON_A, PERSON_B } from './conformance.js';
import { contactHistory } from './fixtures.js';

const roots: string[] = [];
afterAll(() => {
  for (const r of roots) rmSync(r, { recursive: true, force: true });
});

const PASSPHRASE = 'correct horse battery staple';
// scrypt at 2^10 in tests (the default 2^17 takes half a second a call).
const FAST = { cost: 10 } as const;

const failure = async (p: Promise<unknown>): Promise<Error> => {
  try {
    await p;
  } catch (e) {
    return e as Error;
  }
  throw new Error('expected a failure');
};

const write = async (store: EventStore, id: string, person = PERSON_A): Promise<void> => {
  const c = contactHistory(id, person, 1);
  expect((await store.append(c.streamId, c.events, noStream))._tag).toBe('Right');
};

const nameOf = async (store: EventStore, id: string): Promise<unknown> => ((await store.readStream(contactStream(id)))[0]!.data as { name: unknown }).name;
const A = { given: PERSON_A.given, family: PERSON_A.family };
const B = { given: PERSON_B.given, family: PERSON_B.family };

// Each case opens the embedded store several times (seconds each on a busy machine).
describe('key backups (R-DEL-3)', { timeout: 300_000 }, () => {
  it('R-DEL-3 an export under a passphrase brings back a lost key table; the wrong passphrase or a changed file opens nothing', async () => {
    const root = mkdtempSync(join(tmpdir(), 'contactable-keys-'));
    roots.push(root);
    const folder = join(root, 'store');
    let store = await openPgliteStore(folder);
    try {
      await write(store, 'k-1');
      await write(store, 'k-2', PERSON_B);
      const { text, count } = await exportKeys(store, PASSPHRASE, FAST);
      // Two people's keys, and the read models' look-up key.
      const held = await storeAdmin(store)!.keys.entries();
      expect(held.filter((k) => k.subject.startsWith('contact-'))).toHaveLength(2);
      expect(count).toBe(held.length);
      for (const k of await storeAdmin(store)!.keys.entries()) {
        expect(text).not.toContain(k.key.toString('base64'));
        expect(text).not.toContain(k.key.toString('hex'));
      }
      expect((await keyStatusOf(store))?.lastExportAt).not.toBeNull();
      expect((await failure(openKeyExport(text, 'not the passphrase at all'))).message).toContain('does not open');
      const changed = text.replace(`"count": ${count}`, `"count": ${count + 1}`);
      expect(changed).not.toBe(text);
      expect((await failure(openKeyExport(changed, PASSPHRASE))).message).toMatch(/does not open|holds/);
      expect((await failure(sealKeyExport([], 'short'))).message).toContain('at least 12');

      // The key table is lost (a bad restore, a dropped table).
      await storeAdmin(store)!.sql.query('DELETE FROM contactable.subject_keys');
      await store.close();
      store = await openPgliteStore(folder);
      expect(await nameOf(store, 'k-1')).toEqual({ given: ERASED, family: ERASED });
      await store.close();
      store = await openPgliteStore(folder);
      const restored = await importKeys(store, text, PASSPHRASE);
      expect(restored).toMatchObject({ restored: count, alreadyHeld: 0, erased: 0, conflicts: 0 });
      await store.close();
      store = await openPgliteStore(folder);
      expect(await nameOf(store, 'k-1')).toEqual(A);
      expect(await nameOf(store, 'k-2')).toEqual(B);
      // Importing again changes nothing.
      expect(await importKeys(store, text, PASSPHRASE)).toMatchObject({ restored: 0, alreadyHeld: count });
    } finally {
      await store.close();
    }
  });

  it('R-DEL-3 an erased key is never exported, and an older export never brings it back', async () => {
    const root = mkdtempSync(join(tmpdir(), 'contactable-keys-'));
    roots.push(root);
    const store = await openPgliteStore(join(root, 'store'));
    try {
      await write(store, 'e-1');
      await write(store, 'e-2', PERSON_B);
      const older = (await exportKeys(store, PASSPHRASE, FAST)).text;
      await store.forget(contactStream('e-1'));
      await store.compact();
      const newer = await openKeyExport((await exportKeys(store, PASSPHRASE, FAST)).text, PASSPHRASE);
      expect(newer.entries.map((e) => e.subject).filter((s) => s.startsWith('contact-'))).toEqual([contactStream('e-2')]);
      const back = await importKeys(store, older, PASSPHRASE);
      expect(back).toMatchObject({ restored: 0, alreadyHeld: newer.entries.length, erased: 1 });
      expect(await nameOf(store, 'e-1')).toEqual({ given: ERASED, family: ERASED });
      expect(await nameOf(store, 'e-2')).toEqual(B);
    } finally {
      await store.close();
    }
  });

  it('R-DEL-3 a database restored from before a rotation opens only to recover from the newest export; those erased since stay erased', async () => {
    const root = mkdtempSync(join(tmpdir(), 'contactable-keys-'));
    roots.push(root);
    const folder = join(root, 'store');
    const backup = join(root, 'backup');
    let store = await openPgliteStore(folder);
    await write(store, 'b-1');
    await write(store, 'b-2', PERSON_B);
    await store.close();
    // The nightly backup of the folder (the key file is not in it: it lives beside the folder).
    cpSync(folder, backup, { recursive: true });
    store = await openPgliteStore(folder);
    await store.forget(contactStream('b-1'));
    await store.compact();
    const { text } = await exportKeys(store, PASSPHRASE, FAST);
    await store.close();

    // Disaster: the folder is restored from the backup, beside today's key file.
    rmSync(folder, { recursive: true, force: true });
    cpSync(backup, folder, { recursive: true });
    const refused = await failure(openPgliteStore(folder));
    expect(refused.message).toContain('does not hold');
    store = await openPgliteStore(folder, { recoverKeys: true });
    const recovered = await importKeys(store, text, PASSPHRASE);
    await store.close();
    // b-2's key and the read models' look-up key come back from the export; b-1's stays gone.
    expect(recovered).toMatchObject({ restored: 2, unrecoverable: 1 });
    store = await openPgliteStore(folder);
    try {
      expect(await nameOf(store, 'b-2')).toEqual(B);
      // Erased after the backup was taken: the restored key row was under the destroyed KEK and is gone.
      expect(await nameOf(store, 'b-1')).toEqual({ given: ERASED, family: ERASED });
      expect(readFileSync(defaultKekFile(folder), 'utf8')).not.toContain('"keys": []');
    } finally {
      await store.close();
    }
  });
});
