/**
 * The store contract, one list of cases run against every store (ts-event-core's "baseline" idea).
 * Each case gets a fresh store from the factory and uses its own stream ids, so the cases also
 * hold on a shared server (EventStoreDB) where the log is not empty.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  anyVersion,
  contactDecider,
  contactStream,
  decodeEvent,
  ERASED,
  exactVersion,
  handleCommand,
  noStream,
  schemaVersionOf,
  sequentialIds,
  steppingClock,
  type AppendResult,
  type EventStore,
  type NewEvent,
  type RawEvent,
  type StreamAppend,
  type Subscription,
  type VersionConflict,
  type InlineReadModels,
  type StoredEvent,
  type RowWriter,
  memberDecider,
  memberStream,
  fixedClock,
} from '../../packages/core/src/index.js';
import { compareRowsWithFold, contactableReadModels, rebuildFromStore, rowViews } from '../../packages/projections/src/index.js';
import { contactHistory, memberHistory, messageSentCommand, metaAt, plainEvent, type Person } from './fixtures.js';

/** An append a second writer has started: it holds a position and stays uncommitted until `commit`. */
export interface HeldAppend {
  readonly position: number;
  readonly commit: () => Promise<void>;
}

/** A store for one case, with the back doors a store may offer the suite. */
export interface StoreUnderTest {
  /** The store (it may be a new one after `corrupt`, which can need a reopen). */
  readonly store: EventStore;
  /** Damages one stored event in place, as a bad migration or a hand edit would: its data, or its sealed personal data. */
  readonly corrupt?: (streamId: string, version: number, how: 'data' | 'seal') => Promise<void>;
  /** Starts an append in a transaction of its own that takes the next position and does not commit yet. */
  readonly holdAppend?: (streamId: string, event: NewEvent) => Promise<HeldAppend>;
  /** Closes the store and opens the same one again with these read models (null: none), as a process after a crash or an upgrade would. */
  readonly reopen?: (readModels: InlineReadModels | null) => Promise<void>;
  /** Closes the store and removes what the case made. */
  readonly dispose: () => Promise<void>;
}

/** Makes a fresh store for one case, keeping the given read models (default: contactable's). */
export type StoreFactory = (options?: { readonly readModels?: InlineReadModels | null }) => Promise<StoreUnderTest>;

/** What a store cannot do, with the reason shown beside the skipped case. */
export interface SuiteOptions {
  /** Why the gap case does not apply (e.g. a single-writer store has no concurrent transactions). */
  readonly noGapCase?: string;
  /** Why the store has no `appendMany` (no transaction across streams): its cases are skipped. */
  readonly noAppendMany?: string;
  /** Why the store keeps no read models beside its log: its read-model cases are skipped. */
  readonly noReadModels?: string;
}

/** Someone whose personal data the cases write and then look for. */
export const PERSON_A: Person = { given: 'Zephyrine', family: 'Quillfeather', email: 'zephyrine.quillfeather@example.org', mobile: '07911 123461' };
/** Someone else, who must stay readable when A is forgotten. */
export const PERSON_B: Person = { given: 'Barnabus', family: 'Oakhollow', email: 'barnabus.oakhollow@example.net', mobile: '07911 123462' };

// fp-ts is the packages' dependency, not the root's: these suites read Either by its tag.
type Either<L, A> = { readonly _tag: 'Left'; readonly left: L } | { readonly _tag: 'Right'; readonly right: A };
const isRight = <L, A>(e: Either<L, A>): e is { readonly _tag: 'Right'; readonly right: A } => e._tag === 'Right';
const right = <A>(e: Either<unknown, A>): A => {
  if (!isRight(e)) throw new Error(`expected success, got ${JSON.stringify(e.left)}`);
  return e.right;
};
const left = <L>(e: Either<L, unknown>): L => {
  if (isRight(e)) throw new Error(`expected a conflict, got ${JSON.stringify(e.right)}`);
  return e.left;
};

const uid = (): string => randomUUID();

/** Every event of the log in position order (all pages). */
const readWholeLog = async (store: EventStore, pageSize = 1000): Promise<RawEvent[]> => {
  const out: RawEvent[] = [];
  let after = 0;
  for (;;) {
    const page = await store.readAll({ after, limit: pageSize });
    out.push(...page);
    if (page.length < pageSize) return out;
    after = page[page.length - 1]!.position;
  }
};

const ofStreams = (events: ReadonlyArray<RawEvent>, streams: ReadonlySet<string>): RawEvent[] => events.filter((e) => streams.has(e.streamId));

const expectStrictlyIncreasing = (positions: ReadonlyArray<number>): void => {
  for (let i = 1; i < positions.length; i++) expect(positions[i]!).toBeGreaterThan(positions[i - 1]!);
};

/** Waits until `ready()` holds, failing after `ms`. */
const waitFor = async (ready: () => boolean, ms = 10_000, what = 'condition'): Promise<void> => {
  const until = Date.now() + ms;
  while (!ready()) {
    if (Date.now() > until) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
};

/** The store's appendMany; a store that has none must say why in the suite options. */
const appendManyOf = (store: EventStore): NonNullable<EventStore['appendMany']> => {
  const f = store.appendMany;
  if (f === undefined) throw new Error('the store has no appendMany: pass `noAppendMany` with the reason');
  return f;
};

const newEvent = (type: string, data: unknown, id = uid(), schemaVersion = schemaVersionOf(type)): NewEvent => ({ id, type, schemaVersion, data, metadata: metaAt(0) });

interface Case {
  readonly name: string;
  /** The case is about read models kept beside the log. */
  readonly views?: true;
  readonly gap?: true;
  /** The case is about `appendMany`. */
  readonly many?: true;
  readonly run: (t: StoreUnderTest) => Promise<void>;
}

const cases: ReadonlyArray<Case> = [
  {
    name: 'read-after-write',
    run: async ({ store }) => {
      const contact = contactHistory(uid(), PERSON_A, 2);
      const written = right(await store.append(contact.streamId, contact.events, noStream));
      expect(written.nextVersion).toBe(contact.events.length - 1);
      expect(written.positions).toHaveLength(contact.events.length);
      const read = await store.readStream(contact.streamId);
      expect(read.map((e) => e.id)).toEqual(contact.events.map((e) => e.id));
      expect(read.map((e) => e.version)).toEqual(contact.events.map((_, i) => i));
      expect(read.map((e) => e.position)).toEqual(written.positions);
      expect(read.map((e) => e.streamId)).toEqual(contact.events.map(() => contact.streamId));
      for (const [i, e] of read.entries()) {
        const sent = contact.events[i]!;
        expect(e.type).toBe(sent.type);
        expect(e.schemaVersion).toBe(sent.schemaVersion);
        expect(e.data).toEqual(sent.data);
        expect(e.metadata).toEqual(sent.metadata);
        expect(isRight(decodeEvent(e))).toBe(true);
      }
      expect((await store.readStream(contact.streamId, { fromVersion: 2 })).map((e) => e.version)).toEqual([2, 3]);
      expect(await store.readStream(contactStream(uid()))).toEqual([]);
      const more = [newEvent('OptedIn', { contactId: 'x', via: 'staff' })];
      expect(right(await store.append(contact.streamId, more, exactVersion(written.nextVersion))).nextVersion).toBe(contact.events.length);
      const all = ofStreams(await readWholeLog(store), new Set([contact.streamId]));
      expect(all.map((e) => e.id)).toEqual([...contact.events, ...more].map((e) => e.id));
      expect(all[0]!.data).toEqual(contact.events[0]!.data);
    },
  },
  {
    name: 'positions strictly increase',
    run: async ({ store }) => {
      const streams = [0, 1, 2, 3].map(() => contactStream(uid()));
      const sizes = [1, 3, 2, 5, 1, 4, 2];
      const reported = new Map<string, number>();
      const versions = new Map<string, number>();
      for (const [i, size] of sizes.entries()) {
        const streamId = streams[i % streams.length]!;
        const events = Array.from({ length: size }, () => plainEvent(uid()));
        const r = right(await store.append(streamId, events, exactVersion(versions.get(streamId) ?? -1)));
        versions.set(streamId, r.nextVersion);
        expectStrictlyIncreasing(r.positions);
        events.forEach((e, k) => reported.set(e.id, r.positions[k]!));
      }
      const whole = await readWholeLog(store);
      expectStrictlyIncreasing(whole.map((e) => e.position));
      const mine = ofStreams(whole, new Set(streams));
      expect(mine).toHaveLength(reported.size);
      for (const e of mine) expect(e.position).toBe(reported.get(e.id));
      // Paging with a small limit gives the same sequence; `after` is exclusive.
      const paged = await readWholeLog(store, 2);
      expect(paged.map((e) => e.id)).toEqual(whole.map((e) => e.id));
      const k = Math.floor(mine.length / 2);
      const next = await store.readAll({ after: mine[k]!.position, limit: 1 });
      expect(next[0]!.position).toBeGreaterThan(mine[k]!.position);
      expect(ofStreams(await store.readAll({ after: mine[k]!.position }), new Set(streams)).map((e) => e.id)).toEqual(mine.slice(k + 1).map((e) => e.id));
      expect(await store.readAll({ after: whole[whole.length - 1]!.position })).toEqual([]);
      expect(await store.readAll({ after: 0, limit: 0 })).toEqual([]);
    },
  },
  {
    name: 'expected-version conflicts detected (no-stream, exact, any)',
    run: async ({ store }) => {
      const s = contactStream(uid());
      const conflict = (c: VersionConflict, expected: unknown, actual: number): void => {
        expect(c).toEqual({ _tag: 'VersionConflict', streamId: s, expected, actual });
      };
      right(await store.append(s, [plainEvent(uid())], noStream));
      conflict(left(await store.append(s, [plainEvent(uid())], noStream)), noStream, 0);
      conflict(left(await store.append(s, [plainEvent(uid())], exactVersion(-1))), noStream, 0);
      conflict(left(await store.append(s, [plainEvent(uid())], exactVersion(5))), exactVersion(5), 0);
      expect(right(await store.append(s, [plainEvent(uid())], exactVersion(0))).nextVersion).toBe(1);
      conflict(left(await store.append(s, [plainEvent(uid())], exactVersion(0))), exactVersion(0), 1);
      expect(right(await store.append(s, [plainEvent(uid()), plainEvent(uid())], anyVersion)).nextVersion).toBe(3);
      const fresh = contactStream(uid());
      const c = left(await store.append(fresh, [plainEvent(uid())], exactVersion(0)));
      expect(c.streamId).toBe(fresh);
      expect(c.actual).toBe(-1);
      expect(right(await store.append(fresh, [plainEvent(uid())], anyVersion)).nextVersion).toBe(0);
      expect((await store.readStream(s)).map((e) => e.version)).toEqual([0, 1, 2, 3]);
      expect(await store.readStream(fresh)).toHaveLength(1);
    },
  },
  {
    name: 'idempotent re-append of the same ids',
    run: async ({ store }) => {
      const s = contactStream(uid());
      const batch = [plainEvent(uid()), plainEvent(uid())];
      const first = right(await store.append(s, batch, noStream));
      // A retried command sends the same ids: whatever it expects, nothing is written twice.
      for (const expected of [noStream, anyVersion, exactVersion(-1), exactVersion(7)]) {
        expect(right(await store.append(s, batch, expected))).toEqual(first);
      }
      const later = [plainEvent(uid())];
      const second = right(await store.append(s, later, exactVersion(1)));
      expect(second.nextVersion).toBe(2);
      expect(right(await store.append(s, later, exactVersion(1)))).toEqual(second);
      expect(right(await store.append(s, batch, exactVersion(2)))).toEqual(first);
      const read = await store.readStream(s);
      expect(read.map((e) => e.id)).toEqual([...batch, ...later].map((e) => e.id));
      expect(ofStreams(await readWholeLog(store), new Set([s]))).toHaveLength(3);
      expect(right(await store.append(s, [], exactVersion(2)))).toEqual({ nextVersion: 2, positions: [] });
      expect(left(await store.append(s, [], noStream)).actual).toBe(2);
    },
  },
  {
    name: '8 concurrent writers on one stream lose and duplicate nothing',
    run: async ({ store }) => {
      const contactId = uid();
      const streamId = contactStream(contactId);
      const added = contactHistory(contactId, PERSON_B, 0).events.slice(0, 1);
      right(await store.append(streamId, added, noStream));
      let conflicts = 0;
      const counting: EventStore = {
        ...store,
        append: async (...args) => {
          const r = await store.append(...args);
          if (!isRight(r)) conflicts += 1;
          return r;
        },
      };
      const writers = 8;
      const perWriter = 4;
      const messageIds = new Set<string>();
      await Promise.all(
        Array.from({ length: writers }, async (_, w) => {
          const deps = { store: counting, clock: steppingClock('2026-09-01T09:00:00.000Z'), ids: sequentialIds(`writer-${w}-${uid()}`) };
          for (let k = 0; k < perWriter; k++) {
            const messageId = `m-${w}-${k}`;
            messageIds.add(messageId);
            const r = await handleCommand(deps, contactDecider, streamId, messageSentCommand(contactId, messageId, PERSON_B.email), { schoolId: 'test-school', actor: { kind: 'person', name: `Writer ${w}` } }, { maxAttempts: 200 });
            expect(isRight(r)).toBe(true);
          }
        }),
      );
      // The writers really raced: some appends lost and were retried.
      expect(conflicts).toBeGreaterThan(0);
      const read = await store.readStream(streamId);
      expect(read).toHaveLength(1 + writers * perWriter);
      expect(read.map((e) => e.version)).toEqual(read.map((_, i) => i));
      const sent = read.slice(1).map((e) => (e.data as { messageId: string }).messageId);
      expect(new Set(sent)).toEqual(messageIds);
      expect(sent).toHaveLength(messageIds.size);
      const inLog = ofStreams(await readWholeLog(store), new Set([streamId]));
      expect(inLog.map((e) => e.id)).toEqual(read.map((e) => e.id));
      expectStrictlyIncreasing(inLog.map((e) => e.position));
    },
  },
  {
    name: '8 concurrent writers on many streams lose and duplicate nothing',
    run: async ({ store }) => {
      const streams = Array.from({ length: 5 }, () => contactStream(uid()));
      const reported = new Map<string, number>();
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let k = 0; k < 6; k++) {
            const streamId = streams[(w + k) % streams.length]!;
            const events = Array.from({ length: 1 + ((w + k) % 3) }, () => plainEvent(uid()));
            const r: AppendResult = right(await store.append(streamId, events, anyVersion));
            events.forEach((e, i) => reported.set(e.id, r.positions[i]!));
          }
        }),
      );
      const inLog = ofStreams(await readWholeLog(store), new Set(streams));
      expect(inLog).toHaveLength(reported.size);
      expect(new Set(inLog.map((e) => e.id)).size).toBe(inLog.length);
      for (const e of inLog) expect(e.position).toBe(reported.get(e.id));
      expectStrictlyIncreasing(inLog.map((e) => e.position));
      for (const s of streams) {
        const read = await store.readStream(s);
        expect(read.map((e) => e.version)).toEqual(read.map((_, i) => i));
      }
    },
  },
  {
    name: 'appendMany writes several streams in one call, positions increasing in batch order',
    many: true,
    run: async ({ store }) => {
      const appendMany = appendManyOf(store);
      expect(right(await appendMany([]))).toEqual([]);
      const old = contactStream(uid());
      right(await store.append(old, [plainEvent(uid())], noStream));
      const [idA, idB, idM] = [uid(), uid(), uid()];
      const a = contactHistory(idA, PERSON_A, 2);
      const b = contactHistory(idB, PERSON_B, 0);
      const m = memberHistory(idM, PERSON_A, 'UPN-ZQ-0002', [idA, idB]);
      const more = [plainEvent(uid()), plainEvent(uid())];
      const empty = contactStream(uid());
      const batches: StreamAppend[] = [
        { streamId: a.streamId, events: a.events, expected: noStream },
        { streamId: old, events: more, expected: exactVersion(0) },
        { streamId: empty, events: [], expected: noStream },
        { streamId: m.streamId, events: m.events, expected: anyVersion },
        { streamId: b.streamId, events: b.events, expected: exactVersion(-1) },
      ];
      const results = right(await appendMany(batches));
      expect(results.map((r) => r.nextVersion)).toEqual([a.events.length - 1, 2, -1, m.events.length - 1, b.events.length - 1]);
      expect(results.map((r) => r.positions.length)).toEqual(batches.map((x) => x.events.length));
      const reported = results.flatMap((r) => r.positions);
      expectStrictlyIncreasing(reported);
      for (const [i, x] of batches.entries()) {
        const read = await store.readStream(x.streamId);
        const mine = read.slice(read.length - x.events.length);
        expect(mine.map((e) => e.id)).toEqual(x.events.map((e) => e.id));
        expect(mine.map((e) => e.position)).toEqual(results[i]!.positions);
        expect(mine.map((e) => e.data)).toEqual(x.events.map((e) => e.data));
        expect(mine.map((e) => e.metadata)).toEqual(x.events.map((e) => e.metadata));
        expect(read.map((e) => e.version)).toEqual(read.map((_, v) => v));
      }
      const log = ofStreams(await readWholeLog(store), new Set(batches.map((x) => x.streamId)));
      expectStrictlyIncreasing(log.map((e) => e.position));
      expect(log.slice(1).map((e) => e.id)).toEqual(batches.flatMap((x) => x.events.map((e) => e.id)));
      // Sealed per subject like any append: forgetting one person leaves the other readable.
      await store.forget(a.streamId);
      expect(((await store.readStream(a.streamId))[0]!.data as { name: unknown }).name).toEqual({ given: ERASED, family: ERASED });
      expect((await store.readStream(b.streamId)).map((e) => e.data)).toEqual(b.events.map((e) => e.data));
      // One stream twice in one call is refused: its expected versions could not both hold.
      const twice = contactStream(uid());
      await expect(appendMany([{ streamId: twice, events: [plainEvent(uid())], expected: anyVersion }, { streamId: twice, events: [plainEvent(uid())], expected: anyVersion }])).rejects.toThrow(twice);
      expect(await store.readStream(twice)).toEqual([]);
    },
  },
  {
    name: 'appendMany is all or nothing: a conflict on any stream writes nothing and names that stream',
    many: true,
    run: async ({ store }) => {
      const appendMany = appendManyOf(store);
      const taken = contactStream(uid());
      right(await store.append(taken, [plainEvent(uid())], noStream));
      const fresh = [contactStream(uid()), contactStream(uid())];
      const before = (await readWholeLog(store)).length;
      const attempt = (expected: StreamAppend['expected'], events = [plainEvent(uid())]): StreamAppend[] => [
        { streamId: fresh[0]!, events: contactHistory(uid(), PERSON_A, 1).events, expected: noStream },
        { streamId: taken, events, expected },
        { streamId: fresh[1]!, events: [plainEvent(uid()), plainEvent(uid())], expected: noStream },
      ];
      expect(left(await appendMany(attempt(noStream)))).toEqual({ _tag: 'VersionConflict', streamId: taken, expected: noStream, actual: 0 });
      expect(left(await appendMany(attempt(exactVersion(3))))).toEqual({ _tag: 'VersionConflict', streamId: taken, expected: exactVersion(3), actual: 0 });
      // An empty batch is a check too.
      expect(left(await appendMany(attempt(exactVersion(1), [])))).toMatchObject({ streamId: taken, actual: 0 });
      // The first conflicting stream in the given order is the one named.
      const both = attempt(noStream);
      right(await store.append(fresh[1]!, [plainEvent(uid())], noStream));
      expect(left(await appendMany(both)).streamId).toBe(taken);
      expect(left(await appendMany([both[2]!, both[1]!, both[0]!])).streamId).toBe(fresh[1]);
      expect(await store.readStream(fresh[0]!)).toEqual([]);
      expect(await store.readStream(taken)).toHaveLength(1);
      expect(await store.readStream(fresh[1]!)).toHaveLength(1);
      expect((await readWholeLog(store)).length).toBe(before + 1);
      // Once the expectations hold, the same call goes through.
      const ok = right(await appendMany([both[0]!, { ...both[1]!, expected: exactVersion(0) }, { ...both[2]!, expected: exactVersion(0) }]));
      expect(ok.map((r) => r.nextVersion)).toEqual([both[0]!.events.length - 1, 1, 2]);
    },
  },
  {
    name: 'appendMany re-sent with the same ids is a no-op for those streams',
    many: true,
    run: async ({ store }) => {
      const appendMany = appendManyOf(store);
      const streams = [contactStream(uid()), contactStream(uid()), contactStream(uid())];
      const batches: StreamAppend[] = streams.map((streamId, k) => ({
        streamId,
        events: k === 0 ? contactHistory(uid(), PERSON_B, 1).events : Array.from({ length: k + 1 }, () => plainEvent(uid())),
        expected: noStream,
      }));
      const first = right(await appendMany(batches));
      const count = (await readWholeLog(store)).length;
      // A retried call (a crash before the answer came back): whatever it expects, nothing is written twice.
      expect(right(await appendMany(batches))).toEqual(first);
      expect(right(await appendMany(batches.map((x) => ({ ...x, expected: exactVersion(9) }))))).toEqual(first);
      expect((await readWholeLog(store)).length).toBe(count);
      // Re-sent batches beside new ones: the new ones are written, the re-sent ones report their first write.
      const later = contactStream(uid());
      const next = [plainEvent(uid())];
      const mixed = right(
        await appendMany([batches[1]!, { streamId: streams[0]!, events: next, expected: exactVersion(first[0]!.nextVersion) }, { streamId: later, events: [plainEvent(uid())], expected: noStream }, batches[2]!]),
      );
      expect(mixed[0]).toEqual(first[1]);
      expect(mixed[3]).toEqual(first[2]);
      expect(mixed[1]!.nextVersion).toBe(first[0]!.nextVersion + 1);
      expect(mixed[2]!.nextVersion).toBe(0);
      expect((await readWholeLog(store)).length).toBe(count + 2);
      // And a single-stream append of a batch appendMany wrote is recognised too.
      expect(right(await store.append(streams[2]!, batches[2]!.events, anyVersion))).toEqual(first[2]);
      // A re-sent batch does not excuse a conflict elsewhere in the call.
      const c = left(await appendMany([batches[0]!, { streamId: later, events: [plainEvent(uid())], expected: noStream }]));
      expect(c.streamId).toBe(later);
      for (const [k, s] of streams.entries()) {
        const read = await store.readStream(s);
        expect(read.map((e) => e.version)).toEqual(read.map((_, i) => i));
        expect(read.slice(0, batches[k]!.events.length).map((e) => e.id)).toEqual(batches[k]!.events.map((e) => e.id));
      }
    },
  },
  {
    name: 'concurrent appendMany and append on overlapping streams lose and duplicate nothing',
    many: true,
    run: async ({ store }) => {
      const appendMany = appendManyOf(store);
      const streams = Array.from({ length: 6 }, () => contactStream(uid()));
      const reported = new Map<string, number>();
      const versionOf = async (s: string): Promise<number> => {
        const read = await store.readStream(s);
        return read.length - 1;
      };
      let conflicts = 0;
      const manyWriter = async (w: number): Promise<void> => {
        for (let k = 0; k < 6; k++) {
          const picked = [0, 1, 2].map((j) => streams[(w + k + j * 2) % streams.length]!);
          const batches: StreamAppend[] = picked.map((streamId, j) => ({ streamId, events: Array.from({ length: 1 + ((w + j + k) % 3) }, () => plainEvent(uid())), expected: anyVersion }));
          for (let attempt = 0; ; attempt++) {
            if (attempt > 200) throw new Error('appendMany kept conflicting');
            // Half the writers say what they expect (and retry on a conflict); the others append at any version.
            const expected = w % 2 === 0 ? await Promise.all(picked.map(async (s) => exactVersion(await versionOf(s)))) : picked.map(() => anyVersion);
            const r = await appendMany(batches.map((x, j) => ({ ...x, expected: expected[j]! })));
            if (!isRight(r)) {
              conflicts += 1;
              continue;
            }
            batches.forEach((x, j) => x.events.forEach((e, i) => reported.set(e.id, r.right[j]!.positions[i]!)));
            break;
          }
        }
      };
      const oneWriter = async (w: number): Promise<void> => {
        for (let k = 0; k < 8; k++) {
          const streamId = streams[(w * 3 + k) % streams.length]!;
          const events = Array.from({ length: 1 + (k % 2) }, () => plainEvent(uid()));
          for (let attempt = 0; ; attempt++) {
            if (attempt > 200) throw new Error('append kept conflicting');
            const r = await store.append(streamId, events, w % 2 === 0 ? exactVersion(await versionOf(streamId)) : anyVersion);
            if (!isRight(r)) {
              conflicts += 1;
              continue;
            }
            events.forEach((e, i) => reported.set(e.id, r.right.positions[i]!));
            break;
          }
        }
      };
      await Promise.all([...[0, 1, 2, 3].map(manyWriter), ...[0, 1, 2, 3].map(oneWriter)]);
      const inLog = ofStreams(await readWholeLog(store), new Set(streams));
      expect(inLog).toHaveLength(reported.size);
      expect(new Set(inLog.map((e) => e.id)).size).toBe(inLog.length);
      for (const e of inLog) expect(e.position).toBe(reported.get(e.id));
      expectStrictlyIncreasing(inLog.map((e) => e.position));
      for (const s of streams) {
        const read = await store.readStream(s);
        expect(read.map((e) => e.version)).toEqual(read.map((_, i) => i));
      }
    },
  },
  {
    name: 'paging through a big log: appends and a forget between pages are honoured',
    run: async ({ store }) => {
      const people = Array.from({ length: 6 }, (_, i) => contactHistory(uid(), { ...PERSON_A, email: `page${i}@example.org` }, 40));
      const appendMany = store.appendMany;
      if (appendMany !== undefined) right(await appendMany(people.map((p) => ({ streamId: p.streamId, events: p.events, expected: noStream }))));
      else for (const p of people) right(await store.append(p.streamId, p.events, noStream));
      const mine = new Set(people.map((p) => p.streamId));
      const start = (await readWholeLog(store)).find((e) => mine.has(e.streamId))!.position - 1;
      const pages: Array<ReadonlyArray<RawEvent>> = [];
      let after = start;
      const extra = contactStream(uid());
      mine.add(extra);
      for (let k = 0; ; k++) {
        const page = await store.readAll({ after, limit: 100 });
        pages.push(page);
        if (page.length < 100) break;
        after = page[page.length - 1]!.position;
        // Between pages: someone writes, and a person whose events are all on the next page is forgotten
        // (a store that reads ahead has that page already, still sealed).
        if (k === 0) right(await store.append(extra, [plainEvent(uid())], noStream));
        if (k === 0) await store.forget(people[3]!.streamId);
      }
      const read = ofStreams(pages.flat(), mine);
      const log = ofStreams(await readWholeLog(store), mine);
      expect(read.map((e) => e.id)).toEqual(log.map((e) => e.id));
      expectStrictlyIncreasing(pages.flat().map((e) => e.position));
      const gone = read.filter((e) => e.streamId === people[3]!.streamId);
      expect(gone.length).toBe(people[3]!.events.length);
      expect(gone[0]!.position - start).toBeGreaterThan(100);
      expect(gone[gone.length - 1]!.position - start).toBeLessThanOrEqual(200);
      expect((gone[0]!.data as { name: unknown }).name).toEqual({ given: ERASED, family: ERASED });
      expect(JSON.stringify(gone)).not.toContain('page3@example.org');
      const first = read.filter((e) => e.streamId === people[4]!.streamId);
      expect(first.map((e) => e.data)).toEqual(people[4]!.events.map((e) => e.data));
    },
  },
  {
    name: 'a subscriber stopped midway resumes from its checkpoint with no gap and no duplicate',
    run: async ({ store }) => {
      const streams = new Set<string>();
      const appendSome = async (n: number): Promise<void> => {
        for (let i = 0; i < n; i++) {
          const s = contactStream(uid());
          streams.add(s);
          right(await store.append(s, [plainEvent(uid())], noStream));
        }
      };
      await appendSome(12);
      const name = `projection-${uid()}`;
      const firstRun: RawEvent[] = [];
      let stopping: Promise<void> | undefined;
      let sub1: Subscription | undefined;
      sub1 = store.subscribe({
        after: (await store.checkpoints.load(name)) ?? 0,
        onEvent: async (e) => {
          if (streams.has(e.streamId)) firstRun.push(e);
          await store.checkpoints.save(name, e.position);
          // Stopped from inside a handler (not awaited there: stop waits for the handler to finish).
          if (firstRun.length === 5 && stopping === undefined) stopping = sub1!.stop();
        },
      });
      await waitFor(() => stopping !== undefined, 10_000, 'the first subscriber to reach 5 events');
      await stopping;
      await sub1.done;
      expect(firstRun).toHaveLength(5);
      await appendSome(6);
      const resumeAt = await store.checkpoints.load(name);
      expect(resumeAt).toBe(firstRun[4]!.position);
      const secondRun: RawEvent[] = [];
      const sub2 = store.subscribe({
        after: resumeAt ?? 0,
        onEvent: async (e) => {
          if (streams.has(e.streamId)) secondRun.push(e);
          await store.checkpoints.save(name, e.position);
        },
      });
      await sub2.caughtUp;
      await waitFor(() => secondRun.length >= 13, 10_000, 'the resumed subscriber to catch up');
      // And it follows what is appended after it caught up.
      await appendSome(2);
      await waitFor(() => secondRun.length >= 15, 10_000, 'the resumed subscriber to see new events');
      await sub2.stop();
      const all = [...firstRun, ...secondRun];
      const log = ofStreams(await readWholeLog(store), streams);
      expect(all.map((e) => e.id)).toEqual(log.map((e) => e.id));
      expect(new Set(all.map((e) => e.id)).size).toBe(all.length);
      expectStrictlyIncreasing(all.map((e) => e.position));
    },
  },
  {
    name: 'a follower running during concurrent appends sees every event once, in order',
    run: async ({ store }) => {
      const streams = Array.from({ length: 6 }, () => contactStream(uid()));
      const mine = new Set(streams);
      const seen: RawEvent[] = [];
      const sub = store.subscribe({ after: 0, onEvent: (e) => void (mine.has(e.streamId) && seen.push(e)) });
      await sub.caughtUp;
      let total = 0;
      await Promise.all(
        Array.from({ length: 8 }, async (_, w) => {
          for (let k = 0; k < 10; k++) {
            const events = Array.from({ length: 1 + ((w * 7 + k) % 4) }, () => plainEvent(uid()));
            total += events.length;
            right(await store.append(streams[(w + k) % streams.length]!, events, anyVersion));
          }
        }),
      );
      await waitFor(() => seen.length >= total, 10_000, 'the follower to see every event');
      await sub.stop();
      const log = ofStreams(await readWholeLog(store), mine);
      expect(log).toHaveLength(total);
      expect(seen.map((e) => e.id)).toEqual(log.map((e) => e.id));
    },
  },
  {
    name: 'a stored event that no longer decodes is reported with its stream and position',
    run: async (t) => {
      const contact = contactHistory(uid(), PERSON_A, 1);
      right(await t.store.append(contact.streamId, contact.events, noStream));
      const badStream = contactStream(uid());
      // The store keeps what it is given; decoding is the reader's job.
      const bad = [
        newEvent('ContactAdded', { contactId: 42, name: { given: PERSON_A.given, family: 7 }, email: null, mobile: null }),
        newEvent('NoSuchEvent', { anything: true }),
        newEvent('OptedOut', { contactId: 'c', via: 'staff' }, uid(), 99),
      ];
      right(await t.store.append(badStream, bad, noStream));
      const expectUndecodable = (e: RawEvent): void => {
        const decoded = decodeEvent(e);
        if (isRight(decoded)) throw new Error(`event at ${e.streamId}@${e.version} should not decode`);
        expect(decoded.left).toMatchObject({ _tag: 'UndecodableEvent', streamId: e.streamId, position: e.position, version: e.version, type: e.type });
        expect(decoded.left.message).toContain(e.streamId);
        expect(decoded.left.message).toContain(`position ${e.position}`);
        for (const value of Object.values(PERSON_A)) expect(decoded.left.message).not.toContain(value);
      };
      for (const e of await t.store.readStream(badStream)) expectUndecodable(e);
      if (t.corrupt !== undefined) {
        await t.corrupt(contact.streamId, 0, 'data');
        await t.corrupt(contact.streamId, 1, 'seal');
        const read = await t.store.readStream(contact.streamId);
        expectUndecodable(read[0]!);
        expectUndecodable(read[1]!);
        expect(isRight(decodeEvent(read[2]!))).toBe(true);
        // Sealed data that fails its check is not guessed at: nothing of it is handed out.
        expect(JSON.stringify(read[1]!.data)).not.toContain('enc:v1');
      }
      const log = ofStreams(await readWholeLog(t.store), new Set([badStream, contact.streamId]));
      expect(log).toHaveLength(contact.events.length + bad.length);
    },
  },
  {
    name: 'forget() makes personal fields read XXXX while types and metadata stay',
    run: async ({ store }) => {
      const [idA, idB, idM] = [uid(), uid(), uid()];
      const a = contactHistory(idA, PERSON_A, 2);
      const b = contactHistory(idB, PERSON_B, 1);
      const m = memberHistory(idM, PERSON_A, 'UPN-ZQ-0001', [idA, idB]);
      for (const s of [a, b, m]) right(await store.append(s.streamId, s.events, noStream));
      await store.forget(a.streamId);
      await store.forget(m.streamId);
      const readA = await store.readStream(a.streamId);
      expect(readA.map((e) => e.type)).toEqual(a.events.map((e) => e.type));
      expect(readA.map((e) => e.metadata)).toEqual(a.events.map((e) => e.metadata));
      expect(readA.map((e) => e.id)).toEqual(a.events.map((e) => e.id));
      const added = readA[0]!.data as { contactId: string; name: { given: string; family: string }; email: { value: string; valid: boolean; location: string } };
      expect(added.name).toEqual({ given: ERASED, family: ERASED });
      expect(added.email).toEqual({ value: ERASED, valid: true, location: 'Home' });
      expect(added.contactId).toBe(idA);
      const sent = readA[1]!.data as { address: string; provider: string; messageId: string };
      expect(sent.address).toBe(ERASED);
      expect(sent.provider).toBe('sendgrid');
      for (const e of readA) expect(isRight(decodeEvent(e))).toBe(true);
      const readM = await store.readStream(m.streamId);
      expect((readM[0]!.data as { name: unknown; misReference: unknown }).name).toEqual({ given: ERASED, family: ERASED });
      expect((readM[0]!.data as { misReference: unknown }).misReference).toBe(ERASED);
      expect(readM.slice(1).map((e) => e.data)).toEqual(m.events.slice(1).map((e) => e.data));
      // Someone else is untouched.
      expect((await store.readStream(b.streamId)).map((e) => e.data)).toEqual(b.events.map((e) => e.data));
      const log = JSON.stringify(ofStreams(await readWholeLog(store), new Set([a.streamId, b.streamId, m.streamId])));
      for (const value of [PERSON_A.given, PERSON_A.family, PERSON_A.email, 'UPN-ZQ-0001', '+447911123461', PERSON_A.mobile]) expect(log).not.toContain(value);
      expect(log).toContain(PERSON_B.email);
      // The stream still takes new events after the erasure.
      right(await store.append(a.streamId, [newEvent('OptedIn', { contactId: idA, via: 'staff' })], exactVersion(a.events.length - 1)));
      expect(await store.readStream(a.streamId)).toHaveLength(a.events.length + 1);
    },
  },
  {
    name: 'checkpoints save and load',
    run: async ({ store }) => {
      const name = `cp-${uid()}`;
      expect(await store.checkpoints.load(name)).toBeNull();
      await store.checkpoints.save(name, 5);
      expect(await store.checkpoints.load(name)).toBe(5);
      await store.checkpoints.save(name, 2 ** 40 + 3);
      expect(await store.checkpoints.load(name)).toBe(2 ** 40 + 3);
      await store.checkpoints.save(`${name}-other`, 1);
      expect(await store.checkpoints.load(name)).toBe(2 ** 40 + 3);
      expect(await store.checkpoints.load(`${name}-other`)).toBe(1);
    },
  },
  {
    name: 'a reader never passes an uncommitted lower position (gap)',
    gap: true,
    run: async (t) => {
      const { store } = t;
      const first = right(await store.append(contactStream(uid()), [plainEvent(uid())], noStream));
      const after = first.positions[0]!;
      const seen: RawEvent[] = [];
      const sub = store.subscribe({ after, onEvent: (e) => void seen.push(e) });
      await sub.caughtUp;
      // A slow writer takes a lower position; a quicker one commits a higher position meanwhile.
      const slowEvent = plainEvent(uid());
      const held = await t.holdAppend!(contactStream(uid()), slowEvent);
      const quickEvent = plainEvent(uid());
      const quick = right(await store.append(contactStream(uid()), [quickEvent], noStream));
      expect(quick.positions[0]!).toBeGreaterThan(held.position);
      expect(held.position).toBeGreaterThan(after);
      // Neither reader nor follower may move past the gap: it would never come back for the slow event.
      expect(await store.readAll({ after })).toEqual([]);
      await new Promise((r) => setTimeout(r, 400));
      expect(seen).toEqual([]);
      await held.commit();
      const read = await store.readAll({ after });
      expect(read.map((e) => e.id)).toEqual([slowEvent.id, quickEvent.id]);
      expect(read.map((e) => e.position)).toEqual([held.position, quick.positions[0]]);
      await waitFor(() => seen.length >= 2, 10_000, 'the follower to see both events');
      await sub.stop();
      expect(seen.map((e) => e.id)).toEqual([slowEvent.id, quickEvent.id]);
    },
  },
];

const SCHOOL = 'test-school';

/** A pupil linked to a new contact, through the handler (as an import or an office would). */
const pupilWithParent = async (store: EventStore, person: Person): Promise<{ memberId: string; contactId: string }> => {
  const deps = { store, clock: fixedClock('2026-09-01T08:00:00.000Z'), ids: sequentialIds(uid()) };
  const ctx = { schoolId: SCHOOL, actor: { kind: 'person' as const, name: 'J. Smith' } };
  const [memberId, contactId] = [uid(), uid()];
  right(await handleCommand(deps, contactDecider, contactStream(contactId), { type: 'AddContact', contactId, name: { given: person.given, family: person.family }, email: { value: person.email, valid: true, location: 'Home' }, mobile: null }, ctx));
  right(await handleCommand(deps, memberDecider, memberStream(memberId), { type: 'AddMember', memberId, kind: 'student', name: { given: 'Pupil', family: person.family } }, ctx));
  right(await handleCommand(deps, memberDecider, memberStream(memberId), { type: 'LinkContact', memberId, contactId, link: { relationship: 'Mother', priority: 1 as never, parentalResponsibility: true, prime: true, source: 'address-book' } }, ctx));
  return { memberId, contactId };
};

/** The store's read models; a store that keeps none must have its cases skipped with the reason. */
const rowsOf = (store: EventStore) => {
  if (store.readModels === undefined) throw new Error('the store keeps no read models');
  return store.readModels;
};

/** The read models, failing on purpose once they have written the rows of a person named Failwell (`times` times; always when omitted). */
const failingOn = (times = Number.POSITIVE_INFINITY): InlineReadModels => {
  let left = times;
  return {
    ...contactableReadModels,
    apply: async (events: ReadonlyArray<StoredEvent>, rows: RowWriter) => {
      await contactableReadModels.apply(events, rows);
      if (left > 0 && events.some((e) => (e.data as { name?: { family?: string } }).name?.family === 'Failwell')) {
        left -= 1;
        throw new Error('views failed on purpose');
      }
    },
  };
};

const readModelCases: ReadonlyArray<Case> = [
  {
    name: 'read models: a view read after an append sees it (updated in the same transaction)',
    views: true,
    run: async ({ store }) => {
      const { memberId, contactId } = await pupilWithParent(store, PERSON_A);
      const views = rowViews(rowsOf(store), SCHOOL);
      expect((await views.linkedPeople(memberId))!.linkedPeople).toEqual([expect.objectContaining({ contactId, name: { given: PERSON_A.given, family: PERSON_A.family }, optedOut: false })]);
      expect(await views.contactsHolding('email', PERSON_A.email.toUpperCase())).toEqual([contactId]);
      const deps = { store, clock: fixedClock('2026-09-01T09:00:00.000Z'), ids: sequentialIds(uid()) };
      right(await handleCommand(deps, contactDecider, contactStream(contactId), { type: 'OptOut', contactId, via: 'staff' }, { schoolId: SCHOOL, actor: { kind: 'person', name: 'J. Smith' } }));
      expect((await views.linkedPeople(memberId))!.linkedPeople[0]).toMatchObject({ optedOut: true, usableMethods: [] });
      expect(await compareRowsWithFold(rowsOf(store), SCHOOL, await rebuildFromStore(store, { schoolId: SCHOOL }))).toEqual([]);
    },
  },
  {
    name: 'read models: an append whose views cannot be updated writes nothing (no crash between the two)',
    views: true,
    run: async (t) => {
      if (t.reopen === undefined) return;
      const failing = failingOn();
      await t.reopen(failing);
      const before = (await readWholeLog(t.store)).length;
      const contactId = uid();
      const doomed = contactHistory(contactId, { ...PERSON_B, family: 'Failwell' }, 0);
      await expect(t.store.append(doomed.streamId, doomed.events, noStream)).rejects.toThrow();
      expect(await t.store.readStream(doomed.streamId)).toEqual([]);
      expect((await readWholeLog(t.store)).length).toBe(before);
      expect(await rowsOf(t.store).get('contact', SCHOOL, [contactId])).toEqual([]);
      await t.reopen(contactableReadModels);
      expect(await compareRowsWithFold(rowsOf(t.store), SCHOOL, await rebuildFromStore(t.store, { schoolId: SCHOOL }))).toEqual([]);
    },
  },
  {
    // PGlite: the look-up key is first made inside the failing transaction and unmade by its rollback;
    // a store that kept it would hash later look-ups with a key nobody else can find.
    name: 'read models: a look-up key first asked for by a failed append is not kept (later look-ups are found after a reopen)',
    views: true,
    run: async (t) => {
      if (t.reopen === undefined) return;
      const failing = failingOn();
      // A fresh process: nothing has asked for the key yet, and the first rows with look-ups fail.
      await t.reopen(failing);
      const doomed = contactHistory(uid(), { ...PERSON_B, family: 'Failwell' }, 0);
      await expect(t.store.append(doomed.streamId, doomed.events, noStream)).rejects.toThrow();
      const { memberId, contactId } = await pupilWithParent(t.store, PERSON_A);
      expect(await rowViews(rowsOf(t.store), SCHOOL).contactsHolding('email', PERSON_A.email)).toEqual([contactId]);
      await t.reopen(contactableReadModels);
      const views = rowViews(rowsOf(t.store), SCHOOL);
      expect(await views.contactsHolding('email', PERSON_A.email)).toEqual([contactId]);
      expect((await views.findMembers(`Pupil ${PERSON_A.family}`)).map((f) => f.value.memberId)).toEqual([memberId]);
    },
  },
  {
    name: 'read models: a person\'s key first made by a failed append is not kept (their rows open after a reopen)',
    views: true,
    run: async (t) => {
      if (t.reopen === undefined) return;
      const failingOnce = failingOn(1);
      await t.reopen(failingOnce);
      const person = contactHistory(uid(), { ...PERSON_B, family: 'Failwell' }, 0);
      await expect(t.store.append(person.streamId, person.events, noStream)).rejects.toThrow();
      // The same person again, now landing: sealed (log and rows) under a key the store really holds.
      right(await t.store.append(person.streamId, person.events, noStream));
      await t.reopen(contactableReadModels);
      const contactId = person.streamId.slice('contact-'.length);
      expect((await rowViews(rowsOf(t.store), SCHOOL).contact(contactId))?.name).toEqual({ given: PERSON_B.given, family: 'Failwell' });
    },
  },
  {
    name: 'read models: appends made without them are caught up when the store is next opened with them',
    views: true,
    run: async (t) => {
      if (t.reopen === undefined) return;
      await pupilWithParent(t.store, PERSON_A);
      await t.reopen(null);
      const later = await pupilWithParent(t.store, PERSON_B);
      await t.reopen(contactableReadModels);
      const views = rowViews(rowsOf(t.store), SCHOOL);
      expect((await views.linkedPeople(later.memberId))!.linkedPeople.map((c) => c.contactId)).toEqual([later.contactId]);
      expect(await compareRowsWithFold(rowsOf(t.store), SCHOOL, await rebuildFromStore(t.store, { schoolId: SCHOOL }))).toEqual([]);
    },
  },
  {
    name: 'read models: a rebuild from the log gives the rows the appends made',
    views: true,
    run: async ({ store }) => {
      await pupilWithParent(store, PERSON_A);
      await pupilWithParent(store, PERSON_B);
      const fold = await rebuildFromStore(store, { schoolId: SCHOOL });
      expect(await compareRowsWithFold(rowsOf(store), SCHOOL, fold)).toEqual([]);
      await rowsOf(store).rebuild();
      expect(await compareRowsWithFold(rowsOf(store), SCHOOL, fold)).toEqual([]);
    },
  },
  {
    name: 'read models: erasure reaches the rows (forgotten values read XXXX, look-ups find nobody)',
    views: true,
    run: async ({ store }) => {
      const a = await pupilWithParent(store, PERSON_A);
      const b = await pupilWithParent(store, PERSON_B);
      await store.forget(contactStream(a.contactId));
      await store.forget(memberStream(a.memberId));
      const views = rowViews(rowsOf(store), SCHOOL);
      expect((await views.linkedPeople(a.memberId))!.linkedPeople[0]!.name).toEqual({ given: ERASED, family: ERASED });
      expect((await views.member(a.memberId))!.name).toEqual({ given: ERASED, family: ERASED });
      expect((await views.linkedPeople(b.memberId))!.linkedPeople[0]!.name).toEqual({ given: PERSON_B.given, family: PERSON_B.family });
      expect(await views.findMembers(`Pupil ${PERSON_B.family}`)).toHaveLength(1);
    },
  },
];

/** The names of the cases, for suites that report them. */
export const conformanceCaseNames: ReadonlyArray<string> = [...cases, ...readModelCases].map((c) => c.name);

/**
 * Registers every case for one store. With `{ skip: reason }` instead of a factory, every case is
 * listed as skipped with the reason in its name, so the skip shows in the test report.
 */
export const describeStoreConformance = (name: string, factory: StoreFactory | { readonly skip: string }, options: SuiteOptions = {}): void => {
  describe(`${name} store conformance`, () => {
    if (typeof factory !== 'function') {
      // The default reporter lists test names only for slow or failing files: say it here too.
      console.info(`${name} store conformance: ${cases.length + readModelCases.length} cases skipped (${factory.skip}):\n${[...cases, ...readModelCases].map((c) => `  ${name} › ${c.name} (skipped: ${factory.skip})`).join('\n')}`);
    }
    for (const c of [...cases, ...readModelCases]) {
      const title = `${name} › ${c.name}`;
      if (typeof factory !== 'function') {
        it.skip(`${title} (skipped: ${factory.skip})`, () => undefined);
        continue;
      }
      if (c.gap === true && options.noGapCase !== undefined) {
        it.skip(`${title} (skipped: ${options.noGapCase})`, () => undefined);
        continue;
      }
      if (c.views === true && options.noReadModels !== undefined) {
        it.skip(`${title} (skipped: ${options.noReadModels})`, () => undefined);
        continue;
      }
      if (c.many === true && options.noAppendMany !== undefined) {
        it.skip(`${title} (skipped: ${options.noAppendMany})`, () => undefined);
        continue;
      }
      // Cases that reopen an embedded store pay its start-up (seconds each on a busy machine) more than once.
      it(title, { timeout: 180_000 }, async () => {
        const t = await factory();
        try {
          await c.run(t);
        } finally {
          await t.dispose();
        }
      });
    }
  });
};
