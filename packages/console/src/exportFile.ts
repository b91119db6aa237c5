/**
 * Reading an MIS export from disk, for an uploaded file and for the scheduled sync: a CTF file (XML),
 * a SIMS CSV export (a folder, or a zip of it), a OneRoster export (a folder or a zip), or an
 * address-book CSV. The kind is told from the bytes, not the file name. Errors name the file and
 * the place, never a value from it. Every file is read under the school's import limits, a zip through
 * the adapters' checked reader (entry names, duplicates, sizes and ratio checked before and while unpacking).
 */
import { existsSync, statSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import type { AddressBookEntry, ImportLimitsOverride, MisSnapshot, SnapshotWarning } from '@contactable/core';
import { fileSource, limitsFrom, parseAddressBookCsv, parseCtf, parseOneRoster, ParseFailure, parseSimsCsv, readZip, type ByteSource } from '@contactable/adapters-sims';

/** The formats an export can be in. */
export type ExportFormat = 'ctf' | 'sims-csv' | 'oneroster' | 'address-book';

/** What an export holds: an MIS snapshot, or address-book people. */
export type ExportContent =
  | { readonly kind: 'mis'; readonly format: Exclude<ExportFormat, 'address-book'>; readonly snapshot: MisSnapshot }
  | {
      readonly kind: 'address-book';
      readonly format: 'address-book';
      readonly entries: ReadonlyArray<AddressBookEntry>;
      /** What reading the file changed (control characters removed, by row and field): to show the office. */
      readonly warnings: ReadonlyArray<SnapshotWarning>;
    };

/** Why an export could not be read: a sentence for the office. */
export class ExportError extends Error {}

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

const fromZip = async (path: string, name: string, limits: ImportLimitsOverride): Promise<ExportContent> => {
  let files: Map<string, ByteSource>;
  try {
    files = await readZip(fileSource(path, name), limitsFrom(limits), [...SIMS_FILES, 'users.csv']);
  } catch (e) {
    // The checked reader stops with a typed error naming the archive (and the entry at fault).
    throw new ExportError(e instanceof ParseFailure ? e.error.message : `${name} is not a readable zip archive.`);
  }
  if (files.has('users.csv')) return { kind: 'mis', format: 'oneroster', snapshot: parsed(await parseOneRoster({ zip: fileSource(path, name) }, { limits })) };
  const students = files.get('students.csv');
  const contacts = files.get('contacts.csv');
  if (students === undefined || contacts === undefined) throw new ExportError(`${name}: the zip holds neither a OneRoster export (users.csv) nor a SIMS CSV export (students.csv and contacts.csv).`);
  const staff = files.get('staff.csv');
  const groups = files.get('groups.csv');
  return { kind: 'mis', format: 'sims-csv', snapshot: parsed(await parseSimsCsv({ students, contacts, ...(staff !== undefined ? { staff } : {}), ...(groups !== undefined ? { groups } : {}) }, { limits })) };
};

/** Reads an export at a path (`name` is what messages call it), under the import limits given (defaults otherwise). */
export const readExport = async (path: string, name: string, limits: ImportLimitsOverride = {}): Promise<ExportContent> => {
  if (!existsSync(path)) throw new ExportError(`${name} does not exist: check the path.`);
  const kind = await sniffExport(path, name);
  switch (kind) {
    case 'zip':
      return fromZip(path, name, limits);
    case 'ctf':
      return { kind: 'mis', format: 'ctf', snapshot: parsed(await parseCtf(fileSource(path, name), { limits })) };
    case 'oneroster':
      return { kind: 'mis', format: 'oneroster', snapshot: parsed(await parseOneRoster({ folder: path }, { limits })) };
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
          }, { limits }),
        ),
      };
    }
    case 'address-book': {
      const upload = parsed(await parseAddressBookCsv(fileSource(path, name), { limits }));
      return { kind: 'address-book', format: 'address-book', entries: upload.entries, warnings: upload.warnings };
    }
  }
};
