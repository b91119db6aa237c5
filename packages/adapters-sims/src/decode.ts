/**
 * Bytes to text, strictly and in chunks. UTF-8 (a BOM is dropped) and UTF-16 in either
 * byte order (with a BOM, or without one when the text starts with ASCII, as every export
 * does) are read; UTF-32, bytes that are not valid in the encoding (a Latin-1 export) and
 * NUL characters (a binary file) stop with a typed error naming the file and the line.
 * Line ends are made `\n` whatever the file used (CRLF, LF, CR, or a mix), as XML requires
 * and as a CSV written by hand on two systems needs. A file over `maxFileBytes` is refused
 * before it is read when its size is known, and as soon as the bytes pass the limit otherwise.
 */
import { TextDecoder } from 'node:util';
import { failWith } from './errors.js';
import { byteSize, overLimit } from './limits.js';
import type { ByteSource } from './source.js';

/** How to decode. */
export interface DecodeOptions {
  /** Refuse a file of more bytes than this. */
  readonly maxFileBytes?: number;
}

type Encoding = 'utf-8' | 'utf-16le' | 'utf-16be';

// Index of the first byte that is not valid UTF-8, or -1; `final` says whether the input ends here.
const invalidUtf8At = (b: Uint8Array, final: boolean): number => {
  let i = 0;
  while (i < b.length) {
    const c = b[i]!;
    if (c < 0x80) {
      i += 1;
      continue;
    }
    const need = c >= 0xc2 && c <= 0xdf ? 1 : c >= 0xe0 && c <= 0xef ? 2 : c >= 0xf0 && c <= 0xf4 ? 3 : -1;
    if (need < 0) return i;
    if (i + need >= b.length) return final ? i : -1;
    for (let k = 1; k <= need; k++) if ((b[i + k]! & 0xc0) !== 0x80) return i;
    i += need + 1;
  }
  return -1;
};

const countLines = (b: Uint8Array, end: number): number => {
  let n = 0;
  for (let i = 0; i < end; i++) if (b[i] === 0x0a) n += 1;
  return n;
};

const newlines = (s: string, end = s.length): number => {
  let n = 0;
  for (let i = s.indexOf('\n'); i >= 0 && i < end; i = s.indexOf('\n', i + 1)) n += 1;
  return n;
};

/** The encoding the first bytes show, and how many of them are a byte-order mark. */
const sniff = (file: string, b: Uint8Array): { encoding: Encoding; bom: number } => {
  const [b0, b1, b2, b3] = [b[0], b[1], b[2], b[3]];
  if ((b0 === 0xff && b1 === 0xfe && b2 === 0 && b3 === 0) || (b0 === 0 && b1 === 0 && b2 === 0xfe && b3 === 0xff)) {
    return failWith('encoding', file, { line: 1 }, 'the file is saved as UTF-32; export it again as UTF-8');
  }
  if (b0 === 0xef && b1 === 0xbb && b2 === 0xbf) return { encoding: 'utf-8', bom: 3 };
  if (b0 === 0xff && b1 === 0xfe) return { encoding: 'utf-16le', bom: 2 };
  if (b0 === 0xfe && b1 === 0xff) return { encoding: 'utf-16be', bom: 2 };
  // No BOM: ASCII text in UTF-16 has a zero byte beside each character.
  if (b.length >= 4 && b0 === 0 && b1 !== 0 && b2 === 0 && b3 !== 0) return { encoding: 'utf-16be', bom: 0 };
  if (b.length >= 4 && b0 !== 0 && b1 === 0 && b2 !== 0 && b3 === 0) return { encoding: 'utf-16le', bom: 0 };
  return { encoding: 'utf-8', bom: 0 };
};

/** Decodes a source as text, chunk by chunk (UTF-8 or UTF-16), with `\n` line ends. */
export async function* decodeText(source: ByteSource, options: DecodeOptions = {}): AsyncGenerator<string> {
  const file = source.name;
  const max = options.maxFileBytes ?? Number.POSITIVE_INFINITY;
  const known = source.size;
  if (known !== undefined && known > max) overLimit(file, {}, `the file is ${byteSize(known)}`, 'maxFileBytes', byteSize(max));
  let total = 0;
  let head: Uint8Array | null = new Uint8Array(0);
  let encoding: Encoding = 'utf-8';
  let decoder: TextDecoder | null = null;
  let lines = 0;
  let carriageReturn = false;

  // Decoded text with its line ends made \n; a \r at the very end waits for the next chunk (it may start \n).
  const text = (decoded: string, final: boolean): string => {
    let t = carriageReturn ? `\r${decoded}` : decoded;
    carriageReturn = !final && t.endsWith('\r');
    if (carriageReturn) t = t.slice(0, -1);
    if (t.includes('\r')) t = t.replace(/\r\n?/g, '\n');
    const nul = t.indexOf('\u0000');
    if (nul >= 0) failWith('binary', file, { line: lines + newlines(t, nul) + 1 }, 'the file holds binary data (NUL characters), not text: is it the right file?');
    lines += newlines(t);
    return t;
  };

  const decode = (bytes: Uint8Array, final: boolean): string => {
    try {
      return decoder!.decode(bytes, { stream: !final });
    } catch {
      if (encoding === 'utf-8') {
        const at = invalidUtf8At(bytes, final);
        if (final && at < 0) return failWith('truncated', file, { line: lines + 1 }, 'the file ends in the middle of a character: it may have been cut short');
        return failWith('encoding', file, { line: lines + countLines(bytes, at < 0 ? 0 : at) + 1 }, 'the file is not UTF-8 (it may be Windows-1252/Latin-1); export it again as UTF-8');
      }
      return failWith('encoding', file, { line: lines + 1 }, `the file is not valid ${encoding === 'utf-16le' ? 'UTF-16 (little-endian)' : 'UTF-16 (big-endian)'}: it may be damaged or cut short; export it again as UTF-8`);
    }
  };

  const start = (bytes: Uint8Array): Uint8Array => {
    const s = sniff(file, bytes);
    encoding = s.encoding;
    decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: true });
    head = null;
    return bytes.subarray(s.bom);
  };

  for await (const chunk of source.read()) {
    if (chunk.length === 0) continue;
    total += chunk.length;
    if (total > max) overLimit(file, {}, `the file is larger than ${byteSize(max)}`, 'maxFileBytes', byteSize(max));
    let bytes = chunk;
    if (head !== null) {
      // Four bytes tell the encoding; a source may hand them over one at a time.
      const joined: Uint8Array = new Uint8Array(head.length + chunk.length);
      joined.set(head);
      joined.set(chunk, head.length);
      if (joined.length < 4) {
        head = joined;
        continue;
      }
      bytes = start(joined);
    }
    const t = text(decode(bytes, false), false);
    if (t.length > 0) yield t;
  }
  if (head !== null) {
    if (head.length === 0) return failWith('truncated', file, { line: 1 }, 'the file is empty');
    const t = text(decode(start(head), false), false);
    if (t.length > 0) yield t;
  }
  const rest = text(decode(new Uint8Array(0), true), true);
  if (rest.length > 0) yield rest;
}

/** Decodes a source as text (see decodeText); the name says what it mostly reads. */
export const decodeUtf8 = decodeText;
