/**
 * Reading an MIS export from disk, for an uploaded file and for the scheduled sync: a CTF file (XML),
 * a SIMS CSV export (a folder, or a zip of it), a OneRoster export (a folder or a zip), or an
 * address-book CSV. The kind is told from the bytes, not the file name. Errors name the file and
 * the place, never a value from it.
 */
import { existsSync, statSync } from 'node:fs';
import { open, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { unzipSync } from 'fflate';
import type { AddressBookEntry, MisSnapshot } from '@contactable/core';
import { bytesSource, fileSource, parseAddressBookCsv, parseCtf, parseOneRoster, parseSimsCsv } from '@contactable/adapters-sims';

/** The formats an export can be in. */
export type ExportFormat = 'ctf' | 'sims-csv' | 'oneroster' | 'address-book';

/** What an export holds: an MIS snapshot, or address-book people. */
export type ExportContent =
  | { readonly kind: 'mis'; readonly format: Exclude<ExportFormat, 'address-book'>; readonly snapshot: MisSnapshot }
  | { readonly kind: 'address-book'; readonly format: 'address-book'; readonly entries: ReadonlyArray<AddressBookEntry> };

/** Why an export could not be read: a sentence for the office. */
export class ExportError extends Error {}

/** The largest a zip's contents may unpack to. */
const MAX_UNPACKED = 1 << 30;
const SIMS_FILES = ['students.csv', 'contacts.csv', 'staff.csv', 'groups.csv'];

const head = async (path: string, bytes = 2048): Promise<Buffer> => {
  const fd = await open(path, 'r');
  try {
    const buf = Buffer.alloc(bytes);
    const { bytesRead } = await fd.read(buf, 0, bytes, 0);
    return buf.subarray(0, bytesRead);
  } finally {
    await fd.close();
  }
};

const isZip = (b: Buffer): boolean => b.length >= 4 && b[0] === 0x50 && b[1] === 0x4b && b[2] === 0x03 && b[3] === 0x04;

/** The kind of an export from its first bytes (and a folder's files), or an error saying what is accepted. */
export const sniffExport = async (path: string, name: string): Promise<ExportFormat | 'zip'> => {
  const st = statSync(path);
  if (st.isDirectory()) {
    if (existsSync(join(path, 'users.csv'))) return 'oneroster';
    if (existsSync(join(path, 'students.csv')) && existsSync(join(path, 'contacts.csv'))) return 'sims-csv';
    throw new ExportError(`${name}: the folder holds neither a SIMS CSV export (students.csv, contacts.csv) nor a OneRoster export (users.csv).`);
  }
  const b = await head(path);
  if (isZip(b)) return 'zip';
  const text = b.toString('utf8').replace(/^\uFEFF/, '').trimStart();
  if (text.startsWith('<')) return 'ctf';
  const header = (text.split(/\r?\n/)[0] ?? '').toLowerCase();
  if (header.includes('reference') && header.includes('forename') && header.includes('surname')) return 'address-book';
  throw new ExportError(`${name} is not an export this console reads: give a CTF file (.xml), a OneRoster or SIMS CSV export as a .zip, or an address-book CSV (Reference, Forename, Surname...).`);
};

const parsed = <T>(r: { readonly _tag: 'Left'; readonly left: { readonly message: string } } | { readonly _tag: 'Right'; readonly right: T }): T => {
  if (r._tag === 'Left') throw new ExportError(r.left.message);
  return r.right;
};

const fromZip = async (path: string, name: string): Promise<ExportContent> => {
  const bytes = await readFile(path);
  let total = 0;
  let entries: Record<string, Uint8Array>;
  const names: string[] = [];
  try {
    entries = unzipSync(bytes, {
      filter: (f) => {
        const base = f.name.split('/').pop()!.toLowerCase();
        names.push(base);
        if (!SIMS_FILES.includes(base)) return false;
        total += f.originalSize;
        if (total > MAX_UNPACKED) throw new ExportError(`${name}: the zip unpacks to more than ${MAX_UNPACKED >> 20} MB.`);
        return true;
      },
    });
  } catch (e) {
    if (e instanceof ExportError) throw e;
    throw new ExportError(`${name} is not a readable zip archive.`);
  }
  if (names.includes('users.csv')) return { kind: 'mis', format: 'oneroster', snapshot: parsed(await parseOneRoster({ zip: fileSource(path, name) })) };
  const file = (f: string) => {
    const e = Object.entries(entries).find(([n]) => n.split('/').pop()!.toLowerCase() === f);
    return e === undefined ? undefined : bytesSource(`${name}:${f}`, e[1]);
  };
  const students = file('students.csv');
  const contacts = file('contacts.csv');
  if (students === undefined || contacts === undefined) throw new ExportError(`${name}: the zip holds neither a OneRoster export (users.csv) nor a SIMS CSV export (students.csv and contacts.csv).`);
  const staff = file('staff.csv');
  const groups = file('groups.csv');
  return { kind: 'mis', format: 'sims-csv', snapshot: parsed(await parseSimsCsv({ students, contacts, ...(staff !== undefined ? { staff } : {}), ...(groups !== undefined ? { groups } : {}) })) };
};

/** Reads an export at a path (`name` is what messages call it). */
export const readExport = async (path: string, name: string): Promise<ExportContent> => {
  if (!existsSync(path)) throw new ExportError(`${name} does not exist: check the path.`);
  const kind = await sniffExport(path, name);
  switch (kind) {
    case 'zip':
      return fromZip(path, name);
    case 'ctf':
      return { kind: 'mis', format: 'ctf', snapshot: parsed(await parseCtf(fileSource(path, name))) };
    case 'oneroster':
      return { kind: 'mis', format: 'oneroster', snapshot: parsed(await parseOneRoster({ folder: path })) };
    case 'sims-csv': {
      const f = (n: string) => join(path, n);
      return {
        kind: 'mis',
        format: 'sims-csv',
        snapshot: parsed(
          await parseSimsCsv({
            students: fileSource(f('students.csv')),
            contacts: fileSource(f('contacts.csv')),
            ...(existsSync(f('staff.csv')) ? { staff: fileSource(f('staff.csv')) } : {}),
            ...(existsSync(f('groups.csv')) ? { groups: fileSource(f('groups.csv')) } : {}),
          }),
        ),
      };
    }
    case 'address-book':
      return { kind: 'address-book', format: 'address-book', entries: parsed(await parseAddressBookCsv(fileSource(path, name))) };
  }
};
