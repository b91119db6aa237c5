import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { anyVersion, contactDecider, contactStream, fixedClock, handleCommand, memoryStore, sequentialIds, type EventStore, type RawEvent } from '@contactable/core';
import {
  catchUp,
  contactView,
  createProjection,
  createRunner,
  linkedPeople,
  project,
  rebuildFromStore,
  restoreProjection,
  serialiseProjection,
  type DecodeFailure,
} from '../src/index.js';
import { arbHistory, contactCmd, importContact, importStudent, link, runHistory, syncLinks, type Step } from './history.js';
import { appendAll, storeWith } from './store.js';
import fc from 'fast-check';

const start: Step[] = [importContact('mum'), importStudent('pupil'), syncLinks('pupil', { mum: link() })];
const more: Step[] = [contactCmd({ type: 'OptOut', contactId: 'mum', via: 'staff' }), importContact('dad'), syncLinks('pupil', { mum: link(), dad: link({ prime: false }) })];

/** A store whose subscriptions start a few events early and deliver every event twice, as a replayed subscription might. */
const replaying = (store: EventStore): EventStore => ({
  ...store,
  subscribe: (options) =>
    store.subscribe({
      after: Math.max(0, options.after - 3),
      onEvent: async (e: RawEvent) => {
        await options.onEvent(e);
        await options.onEvent(e);
      },
    }),
});

describe('the runner', () => {
  it('R-AUD-2 catches up, saves a checkpoint, follows new events, stops and resumes with no gap or duplicate', async () => {
    const all = runHistory([...start, ...more]);
    const first = all.slice(0, 4);
    const store = await storeWith(first);
    const runner = createRunner({ store, name: 'views', checkpointEvery: 2 });
    // Catch up
    expect(await runner.start()).toEqual({ from: 0, savedCheckpoint: null, caughtUpAt: 4 });
    expect(await store.checkpoints.load('views')).toBe(4);
    expect(runner.running()).toBe(true);
    // Follow
    await appendAll(store, all.slice(4, 5));
    await runner.waitFor(5);
    expect(linkedPeople(runner.projection, 'pupil')!.linkedPeople[0]!.optedOut).toBe(true);
    // Stop, let the log move on, resume
    await runner.stop();
    expect(await store.checkpoints.load('views')).toBe(5);
    await appendAll(store, all.slice(5));
    expect(runner.projection.position).toBe(5);
    const resumed = await runner.start();
    expect(resumed).toMatchObject({ from: 5, savedCheckpoint: 5, caughtUpAt: all.length });
    expect(serialiseProjection(runner.projection)).toBe(serialiseProjection(project(all)));
    await runner.stop();
  });

  it('R-AUD-4 rebuild empties the views and replays the log to the same bytes', async () => {
    const events = runHistory([...start, ...more]);
    const store = await storeWith(events);
    const runner = createRunner({ store });
    await runner.start();
    const before = serialiseProjection(runner.projection);
    expect(await runner.rebuild()).toMatchObject({ from: 0, caughtUpAt: events.length });
    expect(serialiseProjection(runner.projection)).toBe(before);
    await runner.stop();
  });

  it('R-AUD-4 a subscription that starts early and delivers every event twice leaves the views as once', async () => {
    await fc.assert(
      fc.asyncProperty(arbHistory(30), fc.nat(), async (events, cut) => {
        const k = cut % (events.length + 1);
        const inner = await storeWith(events.slice(0, k));
        const runner = createRunner({ store: replaying(inner) });
        await runner.start();
        // What is appended now reaches the projection through the (replaying) subscription only.
        await appendAll(inner, events.slice(k));
        await runner.waitFor(events.length);
        await runner.stop();
        expect(serialiseProjection(runner.projection)).toBe(serialiseProjection(project(events)));
      }),
      { numRuns: 100 },
    );
  });

  it('R-AUD-2 a projection restored from a snapshot resumes from the snapshot, not from zero', async () => {
    const all = runHistory([...start, ...more]);
    const store = await storeWith(all.slice(0, 3));
    const snapshot = serialiseProjection(await rebuildFromStore(store));
    await appendAll(store, all.slice(3));
    const applied: number[] = [];
    const runner = createRunner({ store, projection: restoreProjection(snapshot), onApplied: (e) => applied.push(e.position) });
    expect((await runner.start()).from).toBe(3);
    expect(applied).toEqual([4, 5, 6, 7, 8].filter((p) => p <= all.length));
    expect(serialiseProjection(runner.projection)).toBe(serialiseProjection(project(all)));
    await runner.stop();
  });

  it('reports an event that does not decode by stream and position, and carries on', async () => {
    const store = await storeWith(runHistory(start));
    const bad = await store.append(contactStream('mum'), [{ id: 'bad', type: 'OptedOut', schemaVersion: 1, data: { contactId: 'mum', via: 'carrier-pigeon' }, metadata: { occurredAt: '2026-09-02T00:00:00Z', actor: { kind: 'system', name: 't' }, reason: null, correlationId: 'c', causationId: null, schoolId: 'school-1' } }], anyVersion);
    const badPosition = E.isRight(bad) ? bad.right.positions[0]! : -1;
    await appendAll(store, runHistory([...start, importContact('dad')]).slice(3));
    const reported: DecodeFailure[] = [];
    const runner = createRunner({ store, onDecodeFailure: (f) => reported.push(f) });
    await runner.start();
    await runner.stop();
    expect(reported).toEqual([{ streamId: 'contact-mum', position: badPosition, type: 'OptedOut', message: expect.stringContaining('via') }]);
    expect(reported[0]!.message).not.toMatch(/carrier-pigeon/);
    expect(runner.projection.failures).toEqual(reported);
    expect(contactView(runner.projection, 'dad')).toBeDefined();
    expect(linkedPeople(runner.projection, 'pupil')!.linkedPeople[0]!.optedOut).toBe(false);
  });

  it('waits for a command it just handled to show (read your writes), and only one school when asked', async () => {
    const store = memoryStore();
    await appendAll(store, runHistory(start));
    await appendAll(store, runHistory([importContact('elsewhere')], { schoolId: 'school-2' }).map((e) => ({ ...e, id: `other-${e.id}` })));
    const runner = createRunner({ store, projection: createProjection({ schoolId: 'school-1' }) });
    await runner.start();
    expect(contactView(runner.projection, 'elsewhere')).toBeUndefined();
    const handled = await handleCommand(
      { store, clock: fixedClock('2026-09-03T09:00:00.000Z'), ids: sequentialIds('runner-test') },
      contactDecider,
      contactStream('mum'),
      { type: 'OptOut', contactId: 'mum', via: 'staff' },
      { schoolId: 'school-1', actor: { kind: 'person', name: 'Office' } },
    );
    const position = E.isRight(handled) ? handled.right.appended[0]!.position : -1;
    await runner.waitFor(position);
    expect(linkedPeople(runner.projection, 'pupil')!.linkedPeople[0]!.optedOut).toBe(true);
    await runner.stop();
  });

  it('stops following on an error and says why, without an unhandled rejection', async () => {
    const inner = await storeWith(runHistory(start));
    let saves = 0;
    const store: EventStore = {
      ...inner,
      checkpoints: {
        load: inner.checkpoints.load,
        save: async (name, position) => {
          if (++saves > 1) throw new Error('checkpoint table is gone');
          await inner.checkpoints.save(name, position);
        },
      },
    };
    const errors: unknown[] = [];
    const runner = createRunner({ store, checkpointEvery: 1, onError: (e) => errors.push(e) });
    await runner.start().catch(() => undefined);
    await appendAll(inner, runHistory([...start, importContact('dad')]).slice(3));
    await new Promise((r) => setTimeout(r, 20));
    expect(runner.running()).toBe(false);
    expect(String(runner.error())).toMatch(/checkpoint table is gone/);
    expect(errors).toHaveLength(1);
  });

  it('catchUp reads the log page by page from the projection position', async () => {
    const events = runHistory([...start, ...more]);
    const store = await storeWith(events);
    const p = createProjection();
    expect(await catchUp(store, p, { pageSize: 2 })).toEqual({ applied: events.length, failures: [], position: events.length });
    expect(await catchUp(store, p, { pageSize: 2 })).toEqual({ applied: 0, failures: [], position: events.length });
    expect(serialiseProjection(p)).toBe(serialiseProjection(project(events)));
  });
});
