/**
 * AES-256-GCM sealing of personal data (crypto-shredding, R-DEL-2..4).
 * All the personal strings of one event are sealed together in one blob, bound
 * to the subject and the event id, so one cipher call per event (not per field)
 * keeps reads fast; without the subject's key the blob is noise.
 */
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';

/** One subject's key: an id (written beside each blob, so a key made after a forget never opens older data) and 32 key bytes. */
export interface SubjectKey {
  readonly id: string;
  readonly key: Buffer;
}

const ALGORITHM = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;
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

const aadOf = (subject: string, eventId: string): Buffer => Buffer.from(`${subject}\u0000${eventId}`, 'utf8');

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

/** Opens a blob with its key: the strings, or null when it was tampered with or is not ours (GCM refuses it). */
export const openStrings = (key: Buffer, subject: string, eventId: string, blob: string): ReadonlyArray<string> | null => {
  const dot = blob.indexOf('.', BLOB_PREFIX.length);
  if (!blob.startsWith(BLOB_PREFIX) || dot < 0) return null;
  try {
    const raw = Buffer.from(blob.slice(dot + 1), 'base64');
    if (raw.length < IV_BYTES + TAG_BYTES) return null;
    const decipher = createDecipheriv(ALGORITHM, key, raw.subarray(0, IV_BYTES));
    decipher.setAAD(aadOf(subject, eventId));
    decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
    const text = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]).toString('utf8');
    const parsed: unknown = JSON.parse(text);
    return Array.isArray(parsed) && parsed.every((s) => typeof s === 'string') ? (parsed as string[]) : null;
  } catch {
    return null;
  }
};
