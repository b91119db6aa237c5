/**
 * A minimal zip writer for tests: entries with any name, packed (deflate) or stored, and sizes that
 * may lie, so hostile archives (`../` names, two users.csv, bombs with honest or false headers)
 * can be built without a library that refuses to write them.
 */
import { deflateRawSync, constants } from 'node:zlib';

/** One entry to write. */
export interface TestZipEntry {
  readonly name: string;
  /** The unpacked bytes (packed here with deflate unless `stored`). */
  readonly data?: Uint8Array;
  /** Already packed deflate data, with the unpacked size and CRC to declare. */
  readonly packed?: { readonly bytes: Uint8Array; readonly size: number; readonly crc: number };
  readonly stored?: boolean;
  /** A size to declare instead of the true one (a lying header). */
  readonly declaredSize?: number;
}

const CRC_TABLE = (() => {
  const t = new Int32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t[n] = c;
  }
  return t;
})();

/** CRC-32 of some bytes. */
export const crc32 = (b: Uint8Array, crc = 0): number => {
  let c = ~crc;
  for (let i = 0; i < b.length; i++) c = CRC_TABLE[(c ^ b[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
};

/**
 * A deflate stream of `megabytes` MiB of zeros, built from one flushed 1 MiB block repeated (each
 * copy refers only to zeros, so the stream decodes to zeros): a bomb in a few KiB, built in a moment.
 */
export const zerosBomb = (megabytes: number): { bytes: Uint8Array; size: number } => {
  const block = deflateRawSync(new Uint8Array(1 << 20), { finishFlush: constants.Z_SYNC_FLUSH, level: 9 });
  const out = new Uint8Array(block.length * megabytes + 2);
  for (let i = 0; i < megabytes; i++) out.set(block, i * block.length);
  // A final fixed-Huffman block holding only its end code.
  out.set([0x03, 0x00], block.length * megabytes);
  return { bytes: out, size: megabytes * (1 << 20) };
};

/** The bytes of a zip archive holding the entries. */
export const zipOf = (entries: ReadonlyArray<TestZipEntry>): Uint8Array => {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const e of entries) {
    const name = new TextEncoder().encode(e.name);
    const data = e.data ?? new Uint8Array(0);
    const packed = e.packed?.bytes ?? (e.stored === true ? data : new Uint8Array(deflateRawSync(data)));
    const size = e.declaredSize ?? e.packed?.size ?? data.length;
    const crc = e.packed?.crc ?? crc32(data);
    const method = e.stored === true ? 0 : 8;
    const local = new Uint8Array(30 + name.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(6, 0x800, true);
    lv.setUint16(8, method, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, packed.length, true);
    lv.setUint32(22, Math.min(size, 0xfffffffe), true);
    lv.setUint16(26, name.length, true);
    local.set(name, 30);
    const central = new Uint8Array(46 + name.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(8, 0x800, true);
    cv.setUint16(10, method, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, packed.length, true);
    cv.setUint32(24, Math.min(size, 0xfffffffe), true);
    cv.setUint16(28, name.length, true);
    cv.setUint32(42, offset, true);
    central.set(name, 46);
    locals.push(local, packed);
    centrals.push(central);
    offset += local.length + packed.length;
  }
  const directorySize = centrals.reduce((n, c) => n + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, entries.length, true);
  ev.setUint16(10, entries.length, true);
  ev.setUint32(12, directorySize, true);
  ev.setUint32(16, offset, true);
  const all = [...locals, ...centrals, end];
  const out = new Uint8Array(all.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of all) {
    out.set(p, at);
    at += p.length;
  }
  return out;
};
