/**
 * Bytes to text, strictly: a UTF-8 BOM is dropped; a UTF-16 BOM, bytes that are
 * not UTF-8 (a Latin-1 export) or NUL bytes (a binary file) stop with a typed error
 * naming the file and the line, and saying how to fix it.
 */
import { failWith } from './errors.js';
import type { ByteSource } from './source.js';

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

/** Decodes a source as UTF-8 text, chunk by chunk. */
export async function* decodeUtf8(source: ByteSource): AsyncGenerator<string> {
  const decoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
  let first = true;
  let lines = 0;
  let sawAny = false;
  for await (const chunk of source.read()) {
    if (chunk.length === 0) continue;
    sawAny = true;
    if (first) {
      first = false;
      if ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff)) {
        failWith('encoding', source.name, { line: 1 }, 'the file is saved as UTF-16 (Unicode); export it again as UTF-8');
      }
    }
    const nul = chunk.indexOf(0);
    if (nul >= 0) failWith('binary', source.name, { line: lines + countLines(chunk, nul) + 1 }, 'the file holds binary data (NUL bytes), not text: is it the right file?');
    let text: string;
    try {
      text = decoder.decode(chunk, { stream: true });
    } catch {
      const at = invalidUtf8At(chunk, false);
      const line = lines + countLines(chunk, at < 0 ? 0 : at) + 1;
      return failWith('encoding', source.name, { line }, 'the file is not UTF-8 (it may be Windows-1252/Latin-1); export it again as UTF-8');
    }
    lines += countLines(chunk, chunk.length);
    if (text.length > 0) yield text;
  }
  try {
    const rest = decoder.decode();
    if (rest.length > 0) yield rest;
  } catch {
    failWith('truncated', source.name, { line: lines + 1 }, 'the file ends in the middle of a character: it may have been cut short');
  }
  if (!sawAny) failWith('truncated', source.name, { line: 1 }, 'the file is empty');
}
