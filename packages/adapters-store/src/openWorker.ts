/**
 * Decrypting sealed personal data on a worker thread. Reading the log is parsing (main thread) and
 * one AES-256-GCM decryption per personal event (a few µs of native calls each); a big page's
 * decryptions go to a worker, so they run beside the parsing of the next page instead of after it.
 * The worker runs `decryptBody` (crypto.ts) from its source text: one implementation for both threads.
 * Keys travel with each request and the worker keeps none, so a forget needs nothing from it.
 */
import { Worker } from 'node:worker_threads';
import { decryptBody } from './crypto.js';

/** One blob to open: the index of its key in the request's keys, its additional data, its base64 body. */
export type OpenItem = readonly [key: number, aad: string, body: string];

/** Decrypts batches of blobs off the main thread. */
export interface BlobOpener {
  /** The plain text of each item, or null where GCM refused it; rejects if the worker is gone. */
  readonly open: (keys: ReadonlyArray<Uint8Array>, items: ReadonlyArray<OpenItem>) => Promise<ReadonlyArray<string | null>>;
  /** False until the worker has started (callers open on the main thread meanwhile) and after it failed. */
  readonly ready: () => boolean;
  /** Stops the worker. */
  readonly close: () => Promise<void>;
}

const SOURCE = `
const { parentPort, workerData } = require('node:worker_threads');
const crypto = require('node:crypto');
const decryptBody = ${decryptBody.toString()};
// Says "started" in memory the main thread reads without waiting for its event loop.
Atomics.store(new Int32Array(workerData), 0, 1);
parentPort.on('message', (m) => {
  const keys = m.keys.map((k) => crypto.createSecretKey(k));
  const out = new Array(m.items.length);
  for (let i = 0; i < m.items.length; i++) {
    const item = m.items[i];
    out[i] = decryptBody(crypto, keys[item[0]], item[1], item[2]);
  }
  parentPort.postMessage({ id: m.id, out });
});
`;

/** Starts a worker (it does not keep the process alive while idle). */
export const workerOpener = (): BlobOpener => {
  // Set by the worker once it runs: a reader busy in promise chains (PGlite) never lets the event loop
  // deliver the 'online' event, but can look at this.
  const started = new Int32Array(new SharedArrayBuffer(4));
  const worker = new Worker(SOURCE, { eval: true, workerData: started.buffer });
  let failed = false;
  let next = 0;
  const pending = new Map<number, { resolve: (out: ReadonlyArray<string | null>) => void; reject: (e: Error) => void }>();
  worker.unref();
  const fail = (e: Error): void => {
    failed = true;
    for (const p of pending.values()) p.reject(e);
    pending.clear();
  };
  worker.on('message', (m: { id: number; out: ReadonlyArray<string | null> }) => {
    const p = pending.get(m.id);
    pending.delete(m.id);
    if (pending.size === 0) worker.unref();
    p?.resolve(m.out);
  });
  worker.on('error', fail);
  worker.on('exit', () => fail(new Error('the decrypting worker stopped')));
  return {
    ready: () => !failed && Atomics.load(started, 0) === 1,
    open: (keys, items) =>
      new Promise((resolve, reject) => {
        if (failed) return reject(new Error('the decrypting worker stopped'));
        const id = next++;
        pending.set(id, { resolve, reject });
        // Held open while it works for us, so a caller awaiting it is not left behind by an exiting process.
        worker.ref();
        worker.postMessage({ id, keys, items });
      }),
    close: async () => {
      failed = true;
      await worker.terminate();
    },
  };
};
