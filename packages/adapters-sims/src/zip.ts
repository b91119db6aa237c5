/**
 * Zip archives read defensively. The central directory is read first and checked before a
 * byte is unpacked: entry count, names (absolute, `..`, drive letters and NUL refused; the
 * same file twice refused), encryption and packing methods, declared sizes and ratios. Each
 * wanted entry is then unpacked as a stream (fflate's Inflate, a slice at a time), checked
 * as it grows against its declared size, the file limit, the archive's total and the ratio,
 * and against its CRC-32 at the end. Memory: the archive itself plus one unpacked slice.
 */
import { Inflate } from 'fflate';
import type { ImportLimits } from '@contactable/core';
import { failWith } from './errors.js';
import { byteSize, count, overLimit } from './limits.js';
import type { ByteSource } from './source.js';

/** One file of an archive, as its central directory describes it. */
export interface ZipEntry {
  /** The entry's full name in the archive. */
  readonly name: string;
  /** Its last path segment. */
  readonly base: string;
  readonly method: number;
  readonly encrypted: boolean;
  readonly packedSize: number;
  readonly size: number;
  readonly crc: number;
  readonly localOffset: number;
}

const SLICE = 16 * 1024;
// Ratios of small files say nothing (an empty CSV packs 0 bytes into 2): judged past this size.
const RATIO_FLOOR = 1024 * 1024;

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

const crc32 = (crc: number, b: Uint8Array): number => {
  let c = ~crc;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
};

/** Reads a whole source into memory, refusing one over `maxFileBytes`. */
const readAll = async (source: ByteSource, limits: ImportLimits): Promise<Uint8Array> => {
  const max = limits.maxFileBytes;
  if (source.size !== undefined && source.size > max) overLimit(source.name, {}, `the archive is ${byteSize(source.size)}`, 'maxFileBytes', byteSize(max));
  const parts: Uint8Array[] = [];
  let total = 0;
  for await (const c of source.read()) {
    total += c.length;
    if (total > max) overLimit(source.name, {}, `the archive is larger than ${byteSize(max)}`, 'maxFileBytes', byteSize(max));
    parts.push(c);
  }
  const bytes = new Uint8Array(total);
  let at = 0;
  for (const p of parts) {
    bytes.set(p, at);
    at += p.length;
  }
  return bytes;
};

const unsafeName = (name: string): boolean =>
  name.includes('\u0000') || /^[/\\]/.test(name) || /^[A-Za-z]:/.test(name) || name.split(/[/\\]/).some((segment) => segment === '..');

// A name as it may appear in a message: printable, short.
const shown = (name: string): string => {
  const printable = name.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
  return printable.length > 80 ? `${printable.slice(0, 77)}...` : printable;
};

/** Reads the central directory of an archive and checks it against the limits. */
export const zipDirectory = (file: string, bytes: Uint8Array, limits: ImportLimits): ZipEntry[] => {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const u16 = (at: number): number => view.getUint16(at, true);
  const u32 = (at: number): number => view.getUint32(at, true);
  const u64 = (at: number): number => Number(view.getBigUint64(at, true));
  const notZip = (): never => failWith('not-this-format', file, {}, 'the file is not a readable zip archive (or it is cut short: the directory at its end is missing)');
  const corrupt = (what: string): never => failWith('corrupt-archive', file, {}, `the zip archive is damaged: ${what}`);

  // The end-of-directory record: the last 22 bytes, or before a comment of up to 65,535 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 22 - 0xffff); i--) {
    if (u32(i) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) return notZip();
  if (u16(eocd + 4) !== 0 || u16(eocd + 6) !== 0) return failWith('corrupt-archive', file, {}, 'the zip archive is split over several files (disks): zip it again as one file');
  let entries = u16(eocd + 10);
  let directorySize = u32(eocd + 12);
  let directoryAt = u32(eocd + 16);
  if (entries === 0xffff || directorySize === 0xffffffff || directoryAt === 0xffffffff) {
    // Zip64: a locator just before the record points at the 64-bit record.
    const locator = eocd - 20;
    if (locator < 0 || u32(locator) !== 0x07064b50) return corrupt('its zip64 directory cannot be found');
    const record = u64(locator + 8);
    if (record + 56 > bytes.length || u32(record) !== 0x06064b50) return corrupt('its zip64 directory cannot be found');
    entries = u64(record + 32);
    directorySize = u64(record + 40);
    directoryAt = u64(record + 48);
  }
  if (entries > limits.maxZipEntries) {
    return overLimit(file, {}, `the archive holds ${count(entries)} files`, 'maxZipEntries', `${count(limits.maxZipEntries)} files`);
  }
  if (directoryAt + directorySize > bytes.length) return corrupt('its directory points past the end of the file (it may be cut short)');

  const out: ZipEntry[] = [];
  let at = directoryAt;
  for (let n = 0; n < entries; n++) {
    if (at + 46 > bytes.length || u32(at) !== 0x02014b50) return corrupt(`entry ${n + 1} of its directory is not where the directory says`);
    const flags = u16(at + 8);
    const method = u16(at + 10);
    const crc = u32(at + 16);
    let packedSize = u32(at + 20);
    let size = u32(at + 24);
    const nameLength = u16(at + 28);
    const extraLength = u16(at + 30);
    const commentLength = u16(at + 32);
    let localOffset = u32(at + 42);
    if (at + 46 + nameLength + extraLength + commentLength > bytes.length) return corrupt(`entry ${n + 1} runs past the end of the file`);
    const nameBytes = bytes.subarray(at + 46, at + 46 + nameLength);
    // Bit 11: the name is UTF-8; otherwise IBM437, of which only ASCII matters here.
    const name = flags & 0x800 ? new TextDecoder('utf-8').decode(nameBytes) : String.fromCharCode(...nameBytes);
    // Zip64 sizes and offset sit in extra field 1, in this order, for each that is 0xFFFFFFFF above.
    for (let e = at + 46 + nameLength; e + 4 <= at + 46 + nameLength + extraLength; ) {
      const id = u16(e);
      const length = u16(e + 2);
      if (id === 0x0001) {
        let f = e + 4;
        const fits = (): boolean => f + 8 <= e + 4 + length;
        if (size === 0xffffffff && fits()) {
          size = u64(f);
          f += 8;
        }
        if (packedSize === 0xffffffff && fits()) {
          packedSize = u64(f);
          f += 8;
        }
        if (localOffset === 0xffffffff && fits()) localOffset = u64(f);
      }
      e += 4 + length;
    }
    if (unsafeName(name)) {
      return failWith('unsafe-archive', file, {}, `entry ${n + 1} ("${shown(name)}") has a name that is absolute or climbs out of its folder: the archive is refused`);
    }
    const segments = name.split(/[/\\]/);
    out.push({ name, base: segments[segments.length - 1]!, method, encrypted: (flags & 1) === 1, packedSize, size, crc, localOffset });
    at += 46 + nameLength + extraLength + commentLength;
  }

  const seen = new Map<string, number>();
  let total = 0;
  out.forEach((e, i) => {
    const key = e.name.replace(/\\/g, '/').toLowerCase();
    const first = seen.get(key);
    if (first !== undefined) return failWith('unsafe-archive', file, {}, `entries ${first + 1} and ${i + 1} are the same file ("${shown(e.name)}"): the archive is refused`);
    seen.set(key, i);
    total += e.size;
    if (total > limits.maxZipBytes) overLimit(file, {}, `its files unpack to more than ${byteSize(limits.maxZipBytes)}`, 'maxZipBytes', byteSize(limits.maxZipBytes));
    if (e.size > RATIO_FLOOR && e.size > e.packedSize * limits.maxZipRatio) {
      overLimit(file, {}, `"${shown(e.name)}" unpacks to ${count(Math.floor(e.size / Math.max(1, e.packedSize)))} times its packed size`, 'maxZipRatio', `${count(limits.maxZipRatio)} times`);
    }
  });
  return out;
};

/** The unpacked bytes of one entry, a slice at a time, checked as they come. */
async function* unpack(file: string, bytes: Uint8Array, e: ZipEntry, limits: ImportLimits, total: { bytes: number }): AsyncGenerator<Uint8Array> {
  const where = `${file}:${e.name}`;
  const corrupt = (what: string): never => failWith('corrupt-archive', file, {}, `"${shown(e.name)}" is damaged: ${what}`);
  if (e.encrypted) failWith('corrupt-archive', file, {}, `"${shown(e.name)}" is encrypted: zip the export again without a password`);
  if (e.method !== 0 && e.method !== 8) failWith('corrupt-archive', file, {}, `"${shown(e.name)}" is packed with method ${e.method}, which is not read: zip it again with the standard method (deflate)`);
  if (e.size > limits.maxFileBytes) overLimit(where, {}, `the file unpacks to ${byteSize(e.size)}`, 'maxFileBytes', byteSize(limits.maxFileBytes));
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (e.localOffset + 30 > bytes.length || view.getUint32(e.localOffset, true) !== 0x04034b50) corrupt('its header is not where the directory says');
  const start = e.localOffset + 30 + view.getUint16(e.localOffset + 26, true) + view.getUint16(e.localOffset + 28, true);
  if (start + e.packedSize > bytes.length) corrupt('it runs past the end of the archive (it may be cut short)');
  const packed = bytes.subarray(start, start + e.packedSize);
  let produced = 0;
  let crc = 0;
  const grew = (chunk: Uint8Array, consumed: number): void => {
    produced += chunk.length;
    total.bytes += chunk.length;
    if (produced > e.size) failWith('unsafe-archive', file, {}, `"${shown(e.name)}" unpacks to more than the ${byteSize(e.size)} the archive's directory says: the archive is refused`);
    if (total.bytes > limits.maxZipBytes) overLimit(file, {}, `its files unpack to more than ${byteSize(limits.maxZipBytes)}`, 'maxZipBytes', byteSize(limits.maxZipBytes));
    if (produced > RATIO_FLOOR && produced > consumed * limits.maxZipRatio) {
      overLimit(file, {}, `"${shown(e.name)}" unpacks to more than ${count(limits.maxZipRatio)} times its packed size`, 'maxZipRatio', `${count(limits.maxZipRatio)} times`);
    }
    crc = crc32(crc, chunk);
  };
  if (e.method === 0) {
    if (e.packedSize !== e.size) corrupt('stored sizes disagree');
    for (let i = 0; i < packed.length; i += SLICE) {
      const slice = packed.subarray(i, Math.min(packed.length, i + SLICE));
      grew(slice, i + slice.length);
      yield slice;
    }
  } else {
    const ready: Uint8Array[] = [];
    const inflate = new Inflate((chunk) => {
      ready.push(chunk);
    });
    for (let i = 0; i < packed.length || i === 0; i += SLICE) {
      const end = Math.min(packed.length, i + SLICE);
      try {
        inflate.push(packed.subarray(i, end), end === packed.length);
      } catch {
        corrupt('it cannot be unpacked');
      }
      for (const chunk of ready.splice(0)) {
        grew(chunk, end);
        yield chunk;
      }
      if (packed.length === 0) break;
    }
  }
  if (produced !== e.size) corrupt(`it unpacks to ${count(produced)} bytes where the directory says ${count(e.size)}`);
  if (crc !== e.crc) corrupt('its checksum does not match (the archive may be damaged)');
}

/**
 * The wanted files of a zip archive (by last path segment, without regard to case), each a source
 * that unpacks as it is read. Two wanted files of the same name in different folders are refused.
 */
export const readZip = async (source: ByteSource, limits: ImportLimits, wanted: ReadonlyArray<string>): Promise<Map<string, ByteSource>> => {
  const file = source.name;
  const bytes = await readAll(source, limits);
  const entries = zipDirectory(file, bytes, limits);
  const total = { bytes: 0 };
  const files = new Map<string, ByteSource>();
  const found = new Map<string, string>();
  for (const e of entries) {
    const base = e.base.toLowerCase();
    if (!wanted.includes(base) || e.name.endsWith('/')) continue;
    const other = found.get(base);
    if (other !== undefined) return failWith('unsafe-archive', file, {}, `the archive holds two ${base} ("${shown(other)}" and "${shown(e.name)}"): one export per archive`);
    found.set(base, e.name);
    files.set(base, { name: `${file}:${base}`, size: e.size, read: () => unpack(file, bytes, e, limits, total) });
  }
  return files;
};
