/**
 * A child process that writes to a store while others do (run by race.chaos.test.ts under tsx):
 *   writer.ts open-once STORE TAG       open the store, append one event to stream race-TAG, report when it
 *                                       held the store; or report that it was refused
 *   writer.ts write STORE TAG COUNT CONTACTS
 *                                       record COUNT delivery failures, spread over CONTACTS contact streams,
 *                                       through the command handler (expected versions, retries); on an
 *                                       embedded store, take turns with the others (open, write a few, close)
 * Prints one JSON line on stdout.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { contactDecider, contactStream, handleCommand, sequentialIds, type EventStore } from '../../../packages/core/src/index.js';
import { isStoreError, openStore, storeKind, systemClock } from '../../../packages/adapters-store/src/index.js';

const [mode, url, tag, countArg, contactsArg] = process.argv.slice(2);
if (mode === undefined || url === undefined || tag === undefined) throw new Error('usage: writer.ts open-once|write STORE TAG [COUNT CONTACTS]');

const openWithTurns = async (): Promise<EventStore> => {
  for (let attempt = 0; ; attempt++) {
    try {
      return await openStore(url);
    } catch (e) {
      if (!isStoreError(e) || !/in use by/.test(e.message) || attempt > 2_000) throw e;
      await sleep(5 + Math.random() * 20);
    }
  }
};

if (mode === 'open-once') {
  let store: EventStore;
  try {
    store = await openStore(url);
  } catch (e) {
    process.stdout.write(`${JSON.stringify({ tag, opened: false, error: e instanceof Error ? e.message : String(e) })}\n`);
    process.exit(0);
  }
  const openedAt = Date.now();
  await store.append(`race-${tag}`, [{ id: `race-${tag}`, type: 'ImportWarningRaised', schemaVersion: 1, data: { runId: tag, code: 'race', message: 'one writer' }, metadata: { occurredAt: new Date().toISOString(), actor: { kind: 'system', name: 'race' }, reason: null, correlationId: tag, causationId: null, schoolId: 'school-1' } }], { kind: 'no-stream' });
  const closingAt = Date.now();
  await store.close();
  process.stdout.write(`${JSON.stringify({ tag, opened: true, openedAt, closingAt })}\n`);
  process.exit(0);
}

const count = Number(countArg ?? 100);
const contacts = Number(contactsArg ?? 3);
const embedded = storeKind(url) === 'pglite';
let done = 0;
let conflicts = 0;
let exhausted = 0;
const clock = systemClock;
while (done < count) {
  const store = embedded ? await openWithTurns() : await openStore(url);
  // Counts the appends another writer got in before (each is retried by the handler).
  const counting: EventStore = {
    ...store,
    append: async (streamId, events, expected) => {
      const r = await store.append(streamId, events, expected);
      if (r._tag === 'Left') conflicts += 1;
      return r;
    },
  };
  const deps = { store: counting, clock, ids: sequentialIds(`race-${tag}`) };
  // On the embedded store a process writes a few, then lets the others in.
  const until = embedded ? Math.min(count, done + 5 + Math.floor(Math.random() * 10)) : count;
  for (; done < until; done++) {
    const contactId = `c-${done % contacts}`;
    const command = {
      type: 'RecordDeliveryFailure' as const, contactId, channel: 'email' as const, address: `${contactId}@example.org`, permanent: false, detail: null,
      provider: 'race', feedbackId: `${tag}-${done}`, providerMessageId: null, observedAt: new Date().toISOString(),
    };
    // The handler gives up after its own retries when others keep winning; as its message says, the command is
    // run again (same command id: it cannot land twice).
    for (let again = 0; ; again++) {
      const r = await handleCommand(deps, contactDecider, contactStream(contactId), command, { schoolId: 'school-1', actor: { kind: 'system', name: `writer ${tag}` }, commandId: `race:${tag}:${done}` });
      if (r._tag === 'Right') break;
      if (r.left._tag !== 'ConcurrencyExhausted' || again >= 50) throw new Error(r.left.message);
      exhausted += 1;
    }
  }
  await store.close();
}
process.stdout.write(`${JSON.stringify({ tag, written: done, conflicts, exhausted })}\n`);
process.exit(0);
