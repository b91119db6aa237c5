/**
 * Key backups (`contactable keys export` / `keys import`): a store's subject keys in one file,
 * encrypted under a passphrase (scrypt, then AES-256-GCM, both from `node:crypto`).
 *
 * The keys are re-encrypted under the passphrase, not left wrapped under the current KEK: the
 * backup exists for the day the KEK file or the key table is lost, so it must not depend on either.
 * The price is that an export is a copy of every key it holds until it is destroyed: after each
 * retention run that erases someone, make a new export and destroy the older ones (an older export
 * still holds the erased people's keys). Erased keys are never exported, and an import never brings
 * an erased key back (keys.ts).
 */
import { createCipheriv, createDecipheriv, randomBytes, scrypt as scryptCallback, type BinaryLike, type ScryptOptions } from 'node:crypto';
import type { KeyEntry } from './keys.js';

const FORMAT = 'contactable-keys/1';

/** scrypt's cost as log2(N): 2^17 (128 MiB, about half a second) unless told otherwise. */
export const DEFAULT_EXPORT_COST = 17;
/** The shortest passphrase accepted. */
export const MIN_PASSPHRASE = 12;

interface ExportFile {
  readonly format: typeof FORMAT;
  readonly createdAt: string;
  readonly count: number;
  readonly kdf: { readonly name: 'scrypt'; readonly logN: number; readonly r: number; readonly p: number; readonly salt: string };
  readonly cipher: 'aes-256-gcm';
  readonly iv: string;
  readonly tag: string;
  readonly data: string;
}

const scrypt = (password: BinaryLike, salt: BinaryLike, keylen: number, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => scryptCallback(password, salt, keylen, options, (e, key) => (e === null ? resolve(key) : reject(e))));

const derive = (passphrase: string, salt: Buffer, logN: number, r: number, p: number): Promise<Buffer> =>
  scrypt(passphrase.normalize('NFC'), salt, 32, { N: 2 ** logN, r, p, maxmem: 256 * 2 ** logN * r });

const aadOf = (f: Pick<ExportFile, 'format' | 'createdAt' | 'count'>): Buffer => Buffer.from(`${f.format}\u0000${f.createdAt}\u0000${f.count}`, 'utf8');

/** Encrypts keys under a passphrase; returns the file's text. */
export const sealKeyExport = async (
  entries: ReadonlyArray<KeyEntry>,
  passphrase: string,
  options: { readonly cost?: number; readonly now?: string } = {},
): Promise<string> => {
  if (passphrase.normalize('NFC').length < MIN_PASSPHRASE) throw new Error(`the passphrase must be at least ${MIN_PASSPHRASE} characters`);
  const logN = options.cost ?? DEFAULT_EXPORT_COST;
  const salt = randomBytes(16);
  const iv = randomBytes(12);
  const head = { format: FORMAT, createdAt: options.now ?? new Date().toISOString(), count: entries.length } as const;
  const key = await derive(passphrase, salt, logN, 8, 1);
  const cipher = createCipheriv('aes-256-gcm', key, iv);
  cipher.setAAD(aadOf(head));
  const plain = Buffer.from(JSON.stringify(entries.map((e) => ({ id: e.keyId, subject: e.subject, key: e.key.toString('base64') }))), 'utf8');
  const data = Buffer.concat([cipher.update(plain), cipher.final()]);
  plain.fill(0);
  key.fill(0);
  const file: ExportFile = {
    ...head,
    kdf: { name: 'scrypt', logN, r: 8, p: 1, salt: salt.toString('base64') },
    cipher: 'aes-256-gcm',
    iv: iv.toString('base64'),
    tag: cipher.getAuthTag().toString('base64'),
    data: data.toString('base64'),
  };
  return `${JSON.stringify(file, null, 2)}\n`;
};

/** What an export holds once opened. */
export interface OpenedKeyExport {
  readonly createdAt: string;
  readonly entries: ReadonlyArray<KeyEntry>;
}

/** Decrypts an export with its passphrase; throws a message naming what is wrong (never a key). */
export const openKeyExport = async (text: string, passphrase: string): Promise<OpenedKeyExport> => {
  let f: Partial<ExportFile>;
  try {
    f = JSON.parse(text) as Partial<ExportFile>;
  } catch {
    throw new Error('not a contactable key export (not JSON)');
  }
  if (f.format !== FORMAT || f.kdf?.name !== 'scrypt' || f.cipher !== 'aes-256-gcm' || typeof f.data !== 'string' || typeof f.createdAt !== 'string' || typeof f.count !== 'number') {
    throw new Error(`not a contactable key export (format ${FORMAT} expected)`);
  }
  const { logN, r, p, salt } = f.kdf;
  if (!Number.isInteger(logN) || logN < 10 || logN > 22 || !Number.isInteger(r) || r < 1 || r > 32 || !Number.isInteger(p) || p < 1 || p > 16) {
    throw new Error('the key export has scrypt parameters out of range');
  }
  const key = await derive(passphrase, Buffer.from(salt, 'base64'), logN, r, p);
  let plain: Buffer;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(f.iv ?? '', 'base64'));
    decipher.setAAD(aadOf({ format: FORMAT, createdAt: f.createdAt, count: f.count }));
    decipher.setAuthTag(Buffer.from(f.tag ?? '', 'base64'));
    plain = Buffer.concat([decipher.update(Buffer.from(f.data, 'base64')), decipher.final()]);
  } catch {
    throw new Error('the passphrase does not open this key export (or the file was changed)');
  } finally {
    key.fill(0);
  }
  const parsed = JSON.parse(plain.toString('utf8')) as Array<{ id: unknown; subject: unknown; key: unknown }>;
  plain.fill(0);
  const entries = parsed.map((e, i): KeyEntry => {
    if (typeof e.id !== 'string' || typeof e.subject !== 'string' || typeof e.key !== 'string' || Buffer.from(e.key, 'base64').length !== 32) {
      throw new Error(`the key export's entry ${i} is not a key`);
    }
    return { keyId: e.id, subject: e.subject, key: Buffer.from(e.key, 'base64') };
  });
  if (entries.length !== f.count) throw new Error(`the key export says ${f.count} keys but holds ${entries.length}`);
  return { createdAt: f.createdAt, entries };
};
