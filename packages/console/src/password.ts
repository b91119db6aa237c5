/**
 * Password hashes with scrypt from node:crypto (memory-hard; no native add-on to build). The stored
 * form names its parameters, so they can be raised later and old hashes still verify.
 */
import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';

const N = 1 << 15;
const R = 8;
const P = 1;
const KEY_BYTES = 32;
const PREFIX = 'scrypt';

/** The shortest password an account may have. */
export const MIN_PASSWORD_LENGTH = 10;

const derive = (password: string, salt: Buffer, options: ScryptOptions): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    // maxmem above 128 * N * r, which scrypt needs.
    scrypt(password.normalize('NFC'), salt, KEY_BYTES, { ...options, maxmem: 256 * (options.N ?? N) * (options.r ?? R) }, (e, key) => (e === null ? resolve(key) : reject(e)));
  });

/** Why a password cannot be used, or null when it can. */
export const passwordProblem = (password: string): string | null =>
  password.length < MIN_PASSWORD_LENGTH ? `a password needs at least ${MIN_PASSWORD_LENGTH} characters` : null;

/** Hashes a password: `scrypt$N$r$p$salt$key` (base64). */
export const hashPassword = async (password: string): Promise<string> => {
  const salt = randomBytes(16);
  const key = await derive(password, salt, { N, r: R, p: P });
  return [PREFIX, N, R, P, salt.toString('base64'), key.toString('base64')].join('$');
};

/** True when the password matches the hash; false for a wrong password or a hash that is not ours (e.g. erased: XXXX). */
export const verifyPassword = async (password: string, stored: string): Promise<boolean> => {
  const parts = stored.split('$');
  if (parts.length !== 6 || parts[0] !== PREFIX) return false;
  const [n, r, p] = parts.slice(1, 4).map(Number) as [number, number, number];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0) || n > 1 << 20) return false;
  const salt = Buffer.from(parts[4]!, 'base64');
  const want = Buffer.from(parts[5]!, 'base64');
  if (want.length !== KEY_BYTES) return false;
  const got = await derive(password, salt, { N: n, r, p });
  return timingSafeEqual(got, want);
};

let dummy: Promise<string> | null = null;

/** Spends the time a real check would, so a sign-in for an unknown email takes as long as a wrong password. */
export const verifyNothing = async (password: string): Promise<false> => {
  dummy ??= hashPassword('not-a-real-password-at-all');
  await verifyPassword(password, await dummy);
  return false;
};
