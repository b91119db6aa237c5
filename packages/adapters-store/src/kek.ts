/**
 * Key-encryption keys (KEKs): per-person keys are stored wrapped under a KEK held outside the
 * database, so a copy of the database alone (a backup, a replica, an old WAL segment, a
 * `pg_statistic` sample) holds no usable key. Each retention run that erases anyone re-wraps the
 * remaining keys under a fresh KEK and destroys the old one (see keys.ts): every stale copy of an
 * erased key is then wrapped under a KEK that no longer exists.
 *
 * Where a KEK lives is a small port (`KekSource`): a key file (the default, beside the embedded
 * store), a fixed key in an environment variable, or a KMS. A KEK never hands out its bytes: it
 * wraps and unwraps, so a KMS-backed source can keep its material remote.
 */
import { closeSync, existsSync, fsyncSync, linkSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { createCipheriv, createDecipheriv, createHash, randomBytes } from 'node:crypto';
import { basename, dirname, join, resolve } from 'node:path';

/** One key-encryption key. */
export interface Kek {
  /** Stored beside each wrapped key (`subject_keys.kek_id`), so a reader knows which KEK it needs. */
  readonly id: string;
  /** Wraps a subject key, bound to `aad` (its key id and subject). */
  readonly wrap: (key: Buffer, aad: string) => Buffer;
  /** Unwraps what `wrap` made, or null when it was made by another KEK, for another key, or tampered with. */
  readonly unwrap: (wrapped: Buffer, aad: string) => Buffer | null;
}

/** What a source holds: its KEKs (two while a rotation is under way) and the store it belongs to (null: not recorded). */
export interface KekSet {
  readonly keks: ReadonlyArray<Kek>;
  readonly storeId: string | null;
}

/**
 * Where KEKs live, outside the database: a key file, an environment variable, a KMS. The optional
 * methods make a source rotatable; a source without them (a fixed key) still wraps and unwraps, but
 * retention cannot make stale copies useless and says so.
 */
export interface KekSource {
  /** Names the source in errors and reports (a path, a variable's name, a KMS key name); never key material. */
  readonly label: string;
  /** Every KEK the source holds now; an empty set when none was made yet. */
  readonly load: () => Promise<KekSet>;
  /** Makes the first KEK of an empty source for the store `storeId`, durably; if another process made one first, returns theirs. */
  readonly create?: (storeId: string) => Promise<Kek>;
  /** Adds a fresh KEK beside those held, durably, and returns it (the first half of a rotation). */
  readonly stage?: () => Promise<Kek>;
  /** Destroys these KEKs (the second half, once no stored key is wrapped under them any more). */
  readonly retire?: (ids: ReadonlyArray<string>) => Promise<void>;
}

const IV = 12;
const TAG = 16;

/** A KEK over 32 raw bytes held in this process (AES-256-GCM, a fresh IV per wrap). */
export const kekFromBytes = (id: string, bytes: Buffer): Kek => {
  if (bytes.length !== 32) throw new Error(`key-encryption key ${id} is not 32 bytes`);
  const material = Buffer.from(bytes);
  return {
    id,
    wrap: (key, aad) => {
      const iv = randomBytes(IV);
      const cipher = createCipheriv('aes-256-gcm', material, iv);
      cipher.setAAD(Buffer.from(aad, 'utf8'));
      const body = Buffer.concat([cipher.update(key), cipher.final()]);
      return Buffer.concat([iv, cipher.getAuthTag(), body]);
    },
    unwrap: (wrapped, aad) => {
      if (wrapped.length < IV + TAG + 1) return null;
      try {
        const decipher = createDecipheriv('aes-256-gcm', material, wrapped.subarray(0, IV));
        decipher.setAAD(Buffer.from(aad, 'utf8'));
        decipher.setAuthTag(wrapped.subarray(IV, IV + TAG));
        const plain = decipher.update(wrapped.subarray(IV + TAG));
        decipher.final();
        return plain;
      } catch {
        return null;
      }
    },
  };
};

/** A fresh KEK id: random, so ids are never reused across rotations. */
const newKekId = (): string => randomBytes(9).toString('base64url');

// ---------------------------------------------------------------------------------------------
// Key file

const FILE_FORMAT = 'contactable-kek/1';

interface KekFile {
  readonly format: typeof FILE_FORMAT;
  readonly store: string | null;
  readonly keys: ReadonlyArray<{ readonly id: string; readonly key: string; readonly createdAt: string }>;
}

/** Thrown when a key file cannot be read or written: it names the file, never its content. */
export class KekError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'KekError';
  }
}

const parseKekFile = (path: string, text: string): KekFile => {
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw new KekError(`the key file ${path} is not a contactable key file (not JSON): restore it from where you keep it`);
  }
  const f = parsed as Partial<KekFile> | null;
  if (f === null || typeof f !== 'object' || f.format !== FILE_FORMAT || !Array.isArray(f.keys)) {
    throw new KekError(`the key file ${path} is not a contactable key file (format ${FILE_FORMAT} expected)`);
  }
  f.keys.forEach((k, i) => {
    if (typeof k?.id !== 'string' || typeof k.key !== 'string' || Buffer.from(k.key, 'base64').length !== 32) {
      throw new KekError(`the key file ${path} is damaged: entry ${i} is not a 32-byte key`);
    }
  });
  return { format: FILE_FORMAT, store: typeof f.store === 'string' ? f.store : null, keys: f.keys };
};

const fsyncDir = (dir: string): void => {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot open a directory for fsync; the rename is still atomic there.
  }
};

/** Writes a file's whole content to a fresh temporary file beside it, flushed to disk; returns its path. */
const writeTemp = (path: string, text: string): string => {
  const tmp = join(dirname(path), `.${basename(path)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  const fd = openSync(tmp, 'wx', 0o600);
  try {
    writeSync(fd, text);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  return tmp;
};

// Overwrites a file's old bytes before it is replaced: on a plain file system the destroyed KEK then
// leaves no copy in the freed blocks (copy-on-write file systems and SSD wear levelling may keep one).
const scrub = (path: string): void => {
  try {
    const size = statSync(path).size;
    const fd = openSync(path, 'r+');
    try {
      writeSync(fd, randomBytes(size), 0, size, 0);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Nothing to scrub (no file yet) or not allowed: the replace below still happens.
  }
};

/**
 * A key file: JSON holding the store's KEKs (mode 0600). Every change is written to a temporary
 * file, flushed, and renamed over the old one (a crash leaves the old file or the new, never half
 * of one); the first file is made with an exclusive link, so two processes opening a fresh store
 * at once agree on one KEK. Keep it off the database's machine backups: see the README.
 */
export const fileKekSource = (path: string): KekSource => {
  const file = resolve(path);
  const read = (): KekFile | null => {
    if (!existsSync(file)) return null;
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new KekError(`the key file ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? 'error'}): check its owner and mode`);
    }
    return parseKekFile(file, text);
  };
  const toSet = (f: KekFile | null): KekSet => ({
    keks: (f?.keys ?? []).map((k) => kekFromBytes(k.id, Buffer.from(k.key, 'base64'))),
    storeId: f?.store ?? null,
  });
  const replace = (next: KekFile): void => {
    const tmp = writeTemp(file, `${JSON.stringify(next, null, 2)}\n`);
    try {
      scrub(file);
      renameSync(tmp, file);
    } catch (e) {
      try {
        unlinkSync(tmp);
      } catch {
        // Already gone.
      }
      throw new KekError(`the key file ${file} could not be written (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    fsyncDir(dirname(file));
  };
  const entry = () => ({ id: newKekId(), key: randomBytes(32).toString('base64'), createdAt: new Date().toISOString() });
  return {
    label: `key file ${file}`,
    load: async () => toSet(read()),
    create: async (storeId) => {
      const made = entry();
      const tmp = writeTemp(file, `${JSON.stringify({ format: FILE_FORMAT, store: storeId, keys: [made] } satisfies KekFile, null, 2)}\n`);
      try {
        // link() fails when the file exists: whoever links first made the store's KEK.
        linkSync(tmp, file);
        fsyncDir(dirname(file));
      } catch (e) {
        if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw new KekError(`the key file ${file} could not be made (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
      } finally {
        unlinkSync(tmp);
      }
      const set = toSet(read());
      const first = set.keks[set.keks.length - 1];
      if (first === undefined) throw new KekError(`the key file ${file} holds no key`);
      return first;
    },
    stage: async () => {
      const f = read();
      if (f === null) throw new KekError(`the key file ${file} is missing`);
      const made = entry();
      replace({ ...f, keys: [...f.keys, made] });
      return kekFromBytes(made.id, Buffer.from(made.key, 'base64'));
    },
    retire: async (ids) => {
      const f = read();
      if (f === null) return;
      const drop = new Set(ids);
      if (!f.keys.some((k) => drop.has(k.id))) return;
      replace({ ...f, keys: f.keys.filter((k) => !drop.has(k.id)) });
    },
  };
};

/**
 * A fixed KEK from an environment variable holding 32 bytes in base64 (`openssl rand -base64 32`).
 * It cannot be rotated from here, so stale copies of an erased person's key stay wrapped under a
 * KEK that still exists: prefer a key file or a KMS, and rotate the variable yourself.
 */
export const envKekSource = (name: string, value: string): KekSource => {
  const bytes = Buffer.from(value.trim(), 'base64');
  if (bytes.length !== 32) throw new KekError(`${name} must hold 32 bytes in base64 (make one with: openssl rand -base64 32)`);
  // The id names the key without revealing it: a hash prefix, stable across processes.
  const id = `env-${createHash('sha256').update(bytes).digest('base64url').slice(0, 12)}`;
  const kek = kekFromBytes(id, bytes);
  bytes.fill(0);
  return { label: `the ${name} variable`, load: async () => ({ keks: [kek], storeId: null }) };
};

/** True when retention can rotate this source's KEK. */
export const isRotatable = (source: KekSource): boolean => source.stage !== undefined && source.retire !== undefined;

/** The default key file of an embedded store: beside its folder, not inside it, so a copy of the folder holds no KEK. */
export const defaultKekFile = (folder: string): string => `${resolve(folder)}.kek`;

/**
 * The KEK source a store uses: the one given (a source, or a key file's path); else, for the
 * embedded store, its default file beside the folder; else (PostgreSQL) `CONTACTABLE_KEK_FILE`
 * (a key file's path) or `CONTACTABLE_KEK` (a fixed key); null when nothing applies.
 */
export const kekSourceFrom = (given: KekSource | string | undefined, env: NodeJS.ProcessEnv, defaultFile?: string): KekSource | null => {
  if (typeof given === 'string') return fileKekSource(given);
  if (given !== undefined) return given;
  if (defaultFile !== undefined) return fileKekSource(defaultFile);
  const file = env['CONTACTABLE_KEK_FILE'];
  if (file !== undefined && file.trim() !== '') return fileKekSource(file.trim());
  const value = env['CONTACTABLE_KEK'];
  if (value !== undefined && value.trim() !== '') return envKekSource('CONTACTABLE_KEK', value);
  return null;
};
