/** Where an export's bytes come from: a file (streamed), or bytes and text in memory (tests, uploads). */
import { createReadStream, statSync } from 'node:fs';
import { basename } from 'node:path';

/** A named stream of bytes. */
export interface ByteSource {
  /** The name errors use: the file name, never its contents. */
  readonly name: string;
  readonly read: () => AsyncIterable<Uint8Array>;
  /** Its size in bytes when known before reading (a file on disk), so a file over the limit is refused unread. */
  readonly size?: number;
}

/** A file on disk, read in chunks. */
export const fileSource = (path: string, name: string = basename(path)): ByteSource => ({
  name,
  read: () => createReadStream(path, { highWaterMark: 1 << 16 }) as AsyncIterable<Uint8Array>,
  get size(): number | undefined {
    try {
      const st = statSync(path);
      return st.isFile() ? st.size : undefined;
    } catch {
      return undefined;
    }
  },
});

/** Bytes in memory, handed out in chunks as a file would be. */
export const bytesSource = (name: string, bytes: Uint8Array, chunkSize = 1 << 16): ByteSource => ({
  name,
  size: bytes.length,
  read: async function* () {
    for (let i = 0; i < bytes.length; i += chunkSize) yield bytes.subarray(i, i + chunkSize);
  },
});

/** Text in memory, encoded as UTF-8. */
export const textSource = (name: string, text: string, chunkSize?: number): ByteSource => bytesSource(name, new TextEncoder().encode(text), chunkSize);

/** Text produced piece by piece (e.g. a writer's output), encoded as UTF-8 without holding it all. */
export const chunksSource = (name: string, chunks: () => Iterable<string>): ByteSource => ({
  name,
  read: async function* () {
    const enc = new TextEncoder();
    for (const c of chunks()) yield enc.encode(c);
  },
});
