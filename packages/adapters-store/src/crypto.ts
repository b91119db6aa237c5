/**
 * AES-256-GCM sealing of personal data (crypto-shredding, R-DEL-2..4).
 * All the personal strings of one event are sealed together in one blob, bound
 * to the subject and the event id, so one cipher call per event (not per field)
 * keeps reads fast; without the subject's key the blob is noise.
 */
import { createCipheriv, createDecipheriv, createSecretKey, randomBytes, type KeyObject } from 'node:crypto';

/** One subject's key: an id (written beside each blob, so a key made after a forget never opens older data) and 32 key bytes. */
export interface SubjectKey {
  readonly id: string;
  readonly key: Buffer;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const BLOB_PREFIX = 'v1.';

// randomBytes costs a call into the CSPRNG each time; IVs are drawn from a pool of its output instead.
let pool = Buffer.alloc(0);
let poolAt = 0;
const freshIv = (): Buffer => {
  if (poolAt + IV_BYTES > pool.length) {
    pool = randomBytes(IV_BYTES * 512);
    poolAt = 0;
  }
  const iv = pool.subarray(poolAt, poolAt + IV_BYTES);
  poolAt += IV_BYTES;
  return iv;
};

/** Makes a fresh random key for a subject. */
export const newSubjectKey = (): SubjectKey => ({ id: randomBytes(12).toString('base64url'), key: randomBytes(32) });

const aadOf = (subject: string, eventId: string): Buffer => Buffer.from(aadText(subject, eventId), 'utf8');

/** Seals strings for one event: `v1.<keyId>.<base64 iv|tag|ciphertext>`. */
export const sealStrings = (key: SubjectKey, subject: string, eventId: string, strings: ReadonlyArray<string>): string => {
  const iv = freshIv();
  const cipher = createCipheriv(ALGORITHM, key.key, iv);
  cipher.setAAD(aadOf(subject, eventId));
  const body = Buffer.concat([cipher.update(JSON.stringify(strings), 'utf8'), cipher.final()]);
  return `${BLOB_PREFIX}${key.id}.${Buffer.concat([iv, cipher.getAuthTag(), body]).toString('base64')}`;
};

/** The key id a blob was sealed with, or null for a blob we cannot parse. */
export const keyIdOf = (blob: string): string | null => {
  if (!blob.startsWith(BLOB_PREFIX)) return null;
  const dot = blob.indexOf('.', BLOB_PREFIX.length);
  return dot < 0 ? null : blob.slice(BLOB_PREFIX.length, dot);
};

/** A key prepared for many decryptions (the cipher then skips importing the raw bytes each time). */
export const openingKey = (key: Buffer): KeyObject => createSecretKey(key);

/** The additional data a blob is bound to: its subject and its event. */
export const aadText = (subject: string, eventId: string): string => `${subject}\u0000${eventId}`;

/** A blob's key id and its base64 body (iv|tag|ciphertext), or null for a blob we cannot parse. */
export const blobParts = (blob: string): { readonly keyId: string; readonly body: string } | null => {
  if (!blob.startsWith(BLOB_PREFIX)) return null;
  const dot = blob.indexOf('.', BLOB_PREFIX.length);
  return dot < 0 ? null : { keyId: blob.slice(BLOB_PREFIX.length, dot), body: blob.slice(dot + 1) };
};

/**
 * Decrypts a blob's body: its plain text, or null when GCM refuses it (tampered, another key, another
 * subject or event). Self-contained (no module state, `node:crypto` passed in), because the opening
 * worker (openWorker.ts) runs this very function from its source text.
 */
export function decryptBody(crypto: Pick<typeof import('node:crypto'), 'createDecipheriv'>, key: Buffer | KeyObject, aad: string, body: string): string | null {
  try {
    // iv (12 bytes) | tag (16 bytes) | ciphertext, as sealStrings writes it.
    const raw = Buffer.from(body, 'base64');
    if (raw.length < 28) return null;
    const decipher = crypto.createDecipheriv('aes-256-gcm', key, raw.subarray(0, 12));
    decipher.setAAD(Buffer.from(aad, 'utf8'));
    decipher.setAuthTag(raw.subarray(12, 28));
    const plain = decipher.update(raw.subarray(28));
    // final() checks the tag (it throws on a mismatch); only then is the plain text used.
    decipher.final();
    return plain.toString('utf8');
  } catch {
    return null;
  }
}

/** The sealed strings from a blob's plain text, or null when it is not a list of strings. */
export const stringsOf = (text: string | null): ReadonlyArray<string> | null => {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((s) => typeof s === 'string') ? (parsed as string[]) : null;
  } catch {
    return null;
  }
};

const nodeCrypto = { createDecipheriv };

/** Opens a blob with its key: the strings, or null when it was tampered with or is not ours (GCM refuses it). */
export const openStrings = (key: Buffer | KeyObject, subject: string, eventId: string, blob: string): ReadonlyArray<string> | null => {
  const parts = blobParts(blob);
  return parts === null ? null : stringsOf(decryptBody(nodeCrypto, key, aadText(subject, eventId), parts.body));
};
