import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contactDecider,
  contactStream,
  decodeEvent,
  exactVersion,
  fixedClock,
  handleCommand,
  memoryStore,
  noStream,
  readAllEvents,
  sequentialIds,
  type ContactCommand,
  type ContactRecord,
  type EventStore,
} from '../src/index.js';
import { C, failure, importContact } from './fixtures.js';

const deps = (store: EventStore) => ({ store, clock: fixedClock('2026-10-01T09:00:00.000Z'), ids: sequentialIds('handler-test') });
const ctx = { schoolId: 'school-1', actor: { kind: 'person' as const, name: 'Office' } };

describe('command handler', () => {
  it('R-AUD-1 records when, who and why on every event', async () => {
    const store = memoryStore();
    await handleCommand(deps(store), contactDecider, contactStream(C), importContact(), { ...ctx, reason: 'nightly sync' });
    const [raw] = await store.readAll();
    expect(raw!.metadata).toEqual({ occurredAt: '2026-10-01T09:00:00.000Z', actor: { kind: 'person', name: 'Office' }, reason: 'nightly sync', correlationId: expect.any(String), causationId: null, schoolId: 'school-1' });
  });

  it('R-AUD-1 keeps a short reason code beside the free-text reason, and refuses a sentence as a code', async () => {
    const store = memoryStore();
    const r = await handleCommand(deps(store), contactDecider, contactStream(C), importContact(), { ...ctx, reason: 'Ann Parent rang about her new number', reasonCode: 'data-correction' });
    expect(E.isRight(r)).toBe(true);
    const [raw] = await store.readAll();
    expect(raw!.metadata).toMatchObject({ reason: 'Ann Parent rang about her new number', reasonCode: 'data-correction' });
    expect(E.isRight(decodeEvent(raw!))).toBe(true);
    const sentence = await handleCommand(deps(store), contactDecider, contactStream(C), { type: 'OptOut', contactId: C, via: 'staff' }, { ...ctx, reasonCode: 'Ann Parent rang (07911 123456), please stop!' });
    expect(E.isLeft(sentence) && sentence.left.message).toMatch(/reason code is a short code/);
    expect(await store.readAll()).toHaveLength(1);
  });

  it('returns domain errors as values and writes nothing', async () => {
    const store = memoryStore();
    const r = await handleCommand(deps(store), contactDecider, contactStream(C), { type: 'OptOut', contactId: C, via: 'staff' }, ctx);
    expect(E.isLeft(r) && r.left._tag).toBe('DomainError');
    expect(await store.readAll()).toHaveLength(0);
  });

  it('a command retried with the same id writes nothing twice', async () => {
    const store = memoryStore();
    const first = await handleCommand(deps(store), contactDecider, contactStream(C), importContact(), { ...ctx, commandId: 'import-1/c' });
    expect(E.isRight(first)).toBe(true);
    // Simulate a crash after the append but before the caller learnt of it: the batch is re-sent as is.
    const again = await store.append(contactStream(C), [{ id: E.isRight(first) ? first.right.appended[0]!.id : '', type: 'ContactImported', schemaVersion: 1, data: {}, metadata: ctx as never }], noStream);
    expect(E.isRight(again)).toBe(true);
    expect(await store.readStream(contactStream(C))).toHaveLength(1);
  });

  it('detects an expected-version conflict', async () => {
    const store = memoryStore();
    await handleCommand(deps(store), contactDecider, contactStream(C), importContact(), ctx);
    const r = await store.append(contactStream(C), [], exactVersion(5));
    expect(E.isLeft(r) && r.left).toMatchObject({ _tag: 'VersionConflict', actual: 0 });
  });

  it('reports an event that no longer decodes with its stream and position, without personal values', async () => {
    const store = memoryStore();
    await store.append(contactStream(C), [{ id: 'x', type: 'ContactImported', schemaVersion: 1, data: { contactId: C, name: { given: 'Secret', family: 42 } }, metadata: { occurredAt: '2026-10-01T00:00:00Z', actor: { kind: 'system', name: 't' }, reason: null, correlationId: 'c', causationId: null, schoolId: 's' } }], noStream);
    const r = await handleCommand(deps(store), contactDecider, contactStream(C), importContact(), ctx);
    expect(E.isLeft(r) && r.left._tag).toBe('UndecodableEvent');
    const message = E.isLeft(r) ? r.left.message : '';
    expect(message).toContain(`${contactStream(C)}@0 (position 1)`);
    expect(message).not.toContain('Secret');
  });

  it('R-OPS-2 two handlers racing on one stream never lose or duplicate an event', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.constantFrom<'opt' | 'fail' | 'import'>('opt', 'fail', 'import'), { minLength: 2, maxLength: 12 }), async (kinds) => {
        const store = memoryStore();
        const d = deps(store);
        await handleCommand(d, contactDecider, contactStream(C), importContact(), ctx);
        const commands: ContactCommand[] = kinds.map((k, i) =>
          k === 'opt' ? { type: 'OptOut', contactId: C, via: 'staff' } : k === 'fail' ? failure('email', true, i) : importContact({ name: { given: `Ann${i}`, family: 'Parent' } }),
        );
        // Two writers, each running its commands in turn, interleave at every await on the one stream.
        const writer = async (mine: ContactCommand[], offset: number) => {
          const out = [];
          for (const [i, cmd] of mine.entries()) out.push(await handleCommand(d, contactDecider, contactStream(C), cmd, { ...ctx, commandId: `race-${offset + i}` }));
          return out;
        };
        const half = Math.ceil(commands.length / 2);
        const results = (await Promise.all([writer(commands.slice(0, half), 0), writer(commands.slice(half), half)])).flat();
        expect(results.every(E.isRight)).toBe(true);
        const events = await store.readStream(contactStream(C));
        const ids = events.map((e) => e.id);
        expect(new Set(ids).size).toBe(ids.length);
        expect(events.map((e) => e.version)).toEqual(events.map((_, i) => i));
        const appended = results.flatMap((r) => (E.isRight(r) ? r.right.appended.map((e) => e.id) : []));
        expect(new Set(ids)).toEqual(new Set([ids[0], ...appended]));
        // An opt-out recorded while others write survives them all.
        if (kinds.includes('opt')) {
          let state = contactDecider.initialState;
          for (const raw of events) {
            const e = decodeEvent(raw);
            if (E.isRight(e)) state = contactDecider.evolve(state, e.right as never);
          }
          expect((state as ContactRecord).optedOut).not.toBeNull();
        }
      }),
      { numRuns: Number(process.env['LAW_RUNS'] ?? 1000) },
    );
  });

  it('subscribers see every event once, in order, and resume after a stop', async () => {
    const store = memoryStore();
    const d = deps(store);
    for (let i = 0; i < 5; i++) await handleCommand(d, contactDecider, contactStream(`${C}-${i}`), importContact({ contactId: `${C}-${i}` }), ctx);
    const seen: number[] = [];
    const sub = store.subscribe({ after: 0, onEvent: (e) => void seen.push(e.position) });
    await sub.caughtUp;
    await sub.stop();
    await handleCommand(d, contactDecider, contactStream(`${C}-9`), importContact({ contactId: `${C}-9` }), ctx);
    const resumed = store.subscribe({ after: seen[seen.length - 1]!, onEvent: (e) => void seen.push(e.position) });
    await resumed.caughtUp;
    await resumed.stop();
    expect(seen).toEqual([1, 2, 3, 4, 5, 6]);
    const all: number[] = [];
    for await (const e of readAllEvents(store, 0, 2)) all.push(e.position);
    expect(all).toEqual([1, 2, 3, 4, 5, 6]);
  });
});
