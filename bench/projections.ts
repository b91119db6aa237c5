/**
 * Projections benchmark (issue #5).
 *
 * - Rebuild rate (events/s) of every read model from a log of BENCH_EVENTS events (default 1M)
 *   for BENCH_PUPILS pupils (default 200k), beside the floor: a bare loop that only reads and
 *   decodes the same events. Target: rebuild within 2x of the floor.
 * - Median time to answer one member's linked people and the dashboard at that scale.
 *   Target: under 1 ms each.
 * - The same rebuild from PGlite (BENCH_STORE_EVENTS events, default 100k: loading a million
 *   events through the encrypting store takes minutes), and from PostgreSQL when
 *   BENCH_POSTGRES_URL is set.
 * - Peak RSS.
 *
 * Runs on the built packages: `pnpm build`, then `node --expose-gc --import tsx bench/projections.ts`
 * (or `pnpm bench`). The data is synthetic, made straight from the core's event shapes.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { anyVersion, decodeEvent, memoryStore, readAllEvents, type EventMetadata, type EventStore, type NewEvent, type StoredEvent } from '../packages/core/dist/index.js';
import {
  applyEvent,
  contactView,
  memberRecord,
  createProjection,
  dashboard,
  dataIssues,
  linkedPeople,
  project,
  rebuildFromStore,
  restoreProjection,
  serialiseProjection,
  type Projection,
} from '../packages/projections/dist/index.js';

/** What the benchmark is asked to do. */
export interface ProjectionsBenchOptions {
  readonly events?: number;
  readonly pupils?: number;
  /** Events loaded into PGlite (and PostgreSQL) for the store rebuilds; 0 skips them. */
  readonly storeEvents?: number;
  readonly postgresUrl?: string;
  readonly log?: (line: string) => void;
}

/** A rebuild beside its floor. */
export interface RebuildFigure {
  readonly source: string;
  readonly events: number;
  /** Events per second of wall time. */
  readonly floorPerSec: number;
  readonly rebuildPerSec: number;
  /** Rebuild time over floor time (wall clock): the target is at most 2. */
  readonly ratio: number;
  /** The same ratio in process CPU time (GC helper threads included), for a busy machine. */
  readonly cpuRatio: number;
}

/** A query's timing, in milliseconds. */
export interface QueryFigure {
  readonly query: string;
  readonly calls: number;
  readonly medianMs: number;
  readonly p99Ms: number;
}

/** Everything the benchmark measured. */
export interface ProjectionsBenchResult {
  readonly events: number;
  readonly pupils: number;
  readonly contacts: number;
  readonly rebuilds: ReadonlyArray<RebuildFigure>;
  /** Folding already-decoded events, without reading or decoding. */
  readonly foldOnlyPerSec: number;
  readonly queries: ReadonlyArray<QueryFigure>;
  readonly snapshot: { readonly bytes: number; readonly ms: number; readonly restoreMs: number };
  /** The heap a projection of this size holds on its own (restored from its snapshot, so no string is shared with a store). */
  readonly projectionHeapMb: number;
  readonly peakRssMb: number;
  readonly notes: ReadonlyArray<string>;
}

const envInt = (name: string): number | undefined => {
  const v = process.env[name];
  return v === undefined || v === '' ? undefined : Number.parseInt(v.replace(/_/g, ''), 10);
};

// ---- synthetic log ----------------------------------------------------------------------

/** A small, fast, seeded PRNG (mulberry32), so every run benchmarks the same log. */
const prng = (seed: number) => () => {
  seed = (seed + 0x6d2b79f5) | 0;
  let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
  t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

const uuid = (kind: number, n: number): string => `${kind.toString(16).padStart(8, '0')}-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;

interface Batch {
  readonly streamId: string;
  readonly events: NewEvent[];
}

const GIVEN = ['Ann', 'Bob', 'Cai', 'Dee', 'Eli', 'Fay', 'Gus', 'Hal'];
const FAMILY = ['Smith', 'Jones', 'Khan', 'Ng', 'Patel', 'Brown', 'Evans', 'Wilson'];

/**
 * The log of a school: contacts, pupils and their links, then activity (messages sent,
 * deliveries, failures, blocks, opt-outs, changed details) until `targetEvents`.
 */
export function* syntheticLog(pupils: number, targetEvents: number, seed = 7): Generator<Batch, { contacts: number }> {
  const rnd = prng(seed);
  const school = 'bench-school';
  const start = Date.parse('2026-08-01T06:00:00Z');
  const importMeta: EventMetadata = { occurredAt: new Date(start).toISOString(), actor: { kind: 'import', runId: 'bench-run-1' }, reason: null, correlationId: 'bench-run-1', causationId: null, schoolId: school };
  let n = 0;
  const ev = (type: string, data: unknown, metadata: EventMetadata): NewEvent => ({ id: uuid(0xe0, n++), type, schemaVersion: 1, data, metadata });
  const contacts: string[] = [];
  let family: string[] = [];
  for (let i = 0; i < pupils; i++) {
    if (i === 0 || rnd() >= 0.2) {
      // A new family; otherwise this pupil is a sibling and shares the last family's contacts.
      family = [];
      const size = rnd() < 0.4 ? 1 : 2;
      for (let k = 0; k < size; k++) {
        const c = contacts.length;
        const contactId = uuid(0xc0, c);
        contacts.push(contactId);
        family.push(contactId);
        const r = rnd();
        const email = r < 0.05 ? null : r < 0.08 ? { value: `parent${c}@@example`, valid: false, location: 'Home' } : { value: `parent${c}@example.org`, valid: true, location: k === 0 ? 'Home' : 'Work' };
        const m = rnd();
        const mobile = m < 0.05 ? null : m < 0.1 ? { value: `0770090${c}12345`, valid: false, location: 'Mobile' } : { value: `+4479${String(10_000_000 + c).slice(-8)}`, valid: true, location: 'Mobile' };
        yield {
          streamId: `contact-${contactId}`,
          events: [ev('ContactImported', { contactId, source: { kind: 'mis', system: 'sims', externalId: `P${c}` }, name: { given: GIVEN[c % 8], family: FAMILY[(c >> 3) % 8] }, email, mobile }, importMeta)],
        };
      }
    }
    const memberId = uuid(0xa0, i);
    const e = rnd();
    const enrolment = e < 0.92 ? { status: 'on-roll' } : e < 0.96 ? { status: 'pre-admission', applicationStatus: 'offered', admissionDate: '2027-09-02' } : { status: 'leaver', leftOn: '2026-07-20' };
    const events = [ev('MemberImported', { memberId, source: { kind: 'mis', system: 'sims', externalId: `S${i}` }, kind: 'student', name: { given: GIVEN[i % 8], family: FAMILY[(i >> 3) % 8] }, misReference: `UPN${i}`, enrolment }, importMeta)];
    family.forEach((contactId, k) =>
      events.push(ev('ContactLinked', { memberId, contactId, link: { relationship: k === 0 ? 'Mother' : 'Father', priority: k + 1, parentalResponsibility: true, prime: k === 0 || rnd() < 0.5, source: 'mis' } }, importMeta)),
    );
    yield { streamId: `member-${memberId}`, events };
  }
  // Activity over the 30 days up to 2026-08-31, in time order.
  const remaining = Math.max(0, targetEvents - n);
  const span = 30 * 86_400_000;
  let k = 0;
  while (n < targetEvents) {
    const at = new Date(start + Math.floor((k++ / Math.max(1, remaining)) * span)).toISOString();
    const c = Math.floor(rnd() * contacts.length);
    const contactId = contacts[c]!;
    const provider: EventMetadata = { occurredAt: at, actor: { kind: 'provider', provider: 'bench', verified: true }, reason: null, correlationId: `k${k}`, causationId: null, schoolId: school };
    const office: EventMetadata = { ...provider, actor: { kind: 'person', name: 'Office' } };
    const address = `parent${c}@example.org`;
    const r = rnd();
    const feedback = { provider: 'bench', feedbackId: `fb${k}`, providerMessageId: null, observedAt: at };
    let batch: NewEvent[];
    if (r < 0.6) {
      const channel = rnd() < 0.7 ? 'email' : 'sms';
      batch = [ev('MessageSent', { contactId, messageId: `msg-${k >> 8}`, channel, address, provider: 'bench', providerMessageId: `pm${k}`, purpose: 'message' }, provider)];
    } else if (r < 0.85) batch = [ev('DeliverySucceeded', { contactId, channel: 'email', address, ...feedback }, provider)];
    else if (r < 0.93) batch = [ev('DeliveryFailed', { contactId, channel: 'email', address, permanent: false, detail: null, ...feedback }, provider)];
    else if (r < 0.96) batch = [ev('OptedOut', { contactId, via: 'staff' }, office)];
    else if (r < 0.98) {
      batch = [0, 1, 2].map((j) => ev('DeliveryFailed', { contactId, channel: 'sms', address: `+4479${String(10_000_000 + c).slice(-8)}`, permanent: true, detail: null, ...feedback, feedbackId: `fb${k}-${j}` }, provider));
      batch.push(ev('Blocked', { contactId, channel: 'sms', cause: 'text-delivery-failure', address: `+4479${String(10_000_000 + c).slice(-8)}` }, provider));
    } else batch = [ev('ContactDetailsChanged', { contactId, email: { value: `new${c}@example.org`, valid: true, location: 'Home' } }, { ...importMeta, occurredAt: at })];
    yield { streamId: `contact-${contactId}`, events: batch };
  }
  return { contacts: contacts.length };
}

/** Appends the synthetic log to a store; returns how many contacts it made. */
const load = async (store: EventStore, pupils: number, events: number): Promise<{ contacts: number; events: number }> => {
  const gen = syntheticLog(pupils, events);
  let count = 0;
  for (;;) {
    const next = gen.next();
    if (next.done === true) return { contacts: next.value.contacts, events: count };
    const r = await store.append(next.value.streamId, next.value.events, anyVersion);
    if (r._tag === 'Left') throw new Error(`append to ${next.value.streamId} failed`);
    count += next.value.events.length;
  }
};

// ---- measuring -------------------------------------------------------------------------

const gc = (): void => (globalThis as { gc?: () => void }).gc?.();
const PAGE = 10_000;

/** Process CPU time (all threads, GC helpers included), in ms. */
const cpuMs = (): number => {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
};

interface Timed {
  readonly ms: number;
  readonly cpu: number;
}

const timed = async <T>(f: () => Promise<T>): Promise<Timed & { readonly value: T }> => {
  const t0 = performance.now();
  const c0 = cpuMs();
  const value = await f();
  return { ms: performance.now() - t0, cpu: cpuMs() - c0, value };
};

const floorOnce = (store: EventStore) =>
  timed(async () => {
    let n = 0;
    for await (const raw of readAllEvents(store, 0, PAGE)) if (decodeEvent(raw)._tag === 'Right') n++;
    return n;
  });

/** Floor and rebuild, interleaved, three times each (the first warms the JIT); the fastest of each counts. */
const measureRebuild = async (source: string, store: EventStore, events: number, reps = 3): Promise<{ figure: RebuildFigure; projection: Projection }> => {
  const floor = { ms: Infinity, cpu: Infinity };
  const rebuild = { ms: Infinity, cpu: Infinity };
  let projection: Projection | null = null;
  for (let rep = 0; rep < reps; rep++) {
    projection = null;
    gc();
    const f = await floorOnce(store);
    floor.ms = Math.min(floor.ms, f.ms);
    floor.cpu = Math.min(floor.cpu, f.cpu);
    gc();
    const r = await timed(() => rebuildFromStore(store, { pageSize: PAGE }));
    rebuild.ms = Math.min(rebuild.ms, r.ms);
    rebuild.cpu = Math.min(rebuild.cpu, r.cpu);
    projection = r.value;
  }
  return {
    figure: {
      source,
      events,
      floorPerSec: Math.round(events / (floor.ms / 1000)),
      rebuildPerSec: Math.round(events / (rebuild.ms / 1000)),
      ratio: Number((rebuild.ms / floor.ms).toFixed(2)),
      cpuRatio: Number((rebuild.cpu / floor.cpu).toFixed(2)),
    },
    projection: projection!,
  };
};

const timeCalls = (query: string, calls: number, f: (i: number) => unknown): QueryFigure => {
  const samples = new Float64Array(calls);
  let sink = 0;
  for (let i = 0; i < calls; i++) {
    const t0 = process.hrtime.bigint();
    const r = f(i);
    samples[i] = Number(process.hrtime.bigint() - t0) / 1e6;
    if (r !== null) sink++;
  }
  samples.sort();
  if (sink < 0) console.log(sink);
  return { query, calls, medianMs: Number(samples[Math.floor(calls / 2)]!.toFixed(4)), p99Ms: Number(samples[Math.floor(calls * 0.99)]!.toFixed(4)) };
};

const measureQueries = (p: Projection, pupils: number): QueryFigure[] => {
  const rnd = prng(99);
  const memberIds = [...p.members.keys()];
  const pick = () => memberIds[Math.floor(rnd() * memberIds.length)]!;
  const today = '2026-08-31';
  const figures: QueryFigure[] = [];
  timeCalls('warm-up', 2000, () => linkedPeople(p, pick()));
  figures.push(timeCalls(`linkedPeople(one member) at ${pupils} pupils`, 20_000, () => linkedPeople(p, pick())));
  dashboard(p, today);
  figures.push(timeCalls(`dashboard(today) at ${pupils} pupils`, 5_000, () => dashboard(p, today)));
  // After a change that moves a student in or out of the "without" list, the list is sorted again.
  const primeOf = (memberId: string): string | null => Object.entries(memberRecord(p, memberId)!.links).find(([, l]) => l.prime)?.[0] ?? null;
  let position = p.position;
  const meta = { occurredAt: '2026-08-31T12:00:00.000Z', actor: { kind: 'person' as const, name: 'Office' }, reason: null, correlationId: 'q', causationId: null, schoolId: 'bench-school' };
  const flip = (i: number): void => {
    const memberId = memberIds[i % memberIds.length]!;
    const contactId = primeOf(memberId);
    if (contactId === null) return;
    const type = contactView(p, contactId)?.optedOut === null ? 'OptedOut' : 'OptedIn';
    applyEvent(p, { id: `q${i}`, streamId: `contact-${contactId}`, version: 0, position: ++position, type, data: { contactId, via: 'staff' }, metadata: meta } as StoredEvent);
  };
  figures.push(
    timeCalls(`dashboard(today) right after a change to a student (list re-sorted)`, 500, (i) => {
      flip(i);
      return dashboard(p, today);
    }),
  );
  figures.push(timeCalls('applyEvent(opt-out or opt-in of a prime parent)', 5_000, (i) => flip(i + 1000)));
  allIssues(p);
  figures.push(timeCalls('dataIssues() all, cached', 2_000, () => dataIssues(p)));
  figures.push(timeCalls('dataIssues({ memberId })', 500, () => dataIssues(p, { memberId: pick() })));
  return figures;
};

const allIssues = (p: Projection): number => dataIssues(p).length;

const measureStore = async (name: string, open: () => Promise<{ store: EventStore; close: () => Promise<void> }>, pupils: number, events: number, log: (s: string) => void): Promise<RebuildFigure | null> => {
  const { store, close } = await open();
  try {
    const t0 = performance.now();
    const loaded = await load(store, pupils, events);
    log(`  ${name}: loaded ${loaded.events} events in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    const { figure } = await measureRebuild(name, store, loaded.events, 2);
    return figure;
  } finally {
    await close();
  }
};

/** Runs the projections benchmark and prints what it found. */
export async function benchProjections(opts: ProjectionsBenchOptions = {}): Promise<ProjectionsBenchResult> {
  const log = opts.log ?? ((s: string) => console.log(s));
  const events = opts.events ?? envInt('BENCH_EVENTS') ?? 1_000_000;
  const pupils = opts.pupils ?? envInt('BENCH_PUPILS') ?? 200_000;
  const storeEvents = opts.storeEvents ?? envInt('BENCH_STORE_EVENTS') ?? Math.min(events, 100_000);
  const postgresUrl = opts.postgresUrl ?? process.env['BENCH_POSTGRES_URL'];
  const notes: string[] = [];

  log(`projections: ${events} events, ${pupils} pupils (BENCH_EVENTS, BENCH_PUPILS)`);
  const store = memoryStore();
  const t0 = performance.now();
  const loaded = await load(store, pupils, events);
  log(`  memory: generated and loaded ${loaded.events} events (${loaded.contacts} contacts) in ${((performance.now() - t0) / 1000).toFixed(1)} s`);

  const rebuilds: RebuildFigure[] = [];
  const memory = await measureRebuild('memory', store, loaded.events);
  rebuilds.push(memory.figure);
  const p = memory.projection;

  // The fold alone, over events decoded beforehand.
  const decoded: StoredEvent[] = [];
  for await (const raw of readAllEvents(store, 0, PAGE)) {
    const d = decodeEvent(raw);
    if (d._tag === 'Right') decoded.push(d.right);
  }
  let foldMs = Infinity;
  for (let rep = 0; rep < 3; rep++) {
    gc();
    const t = performance.now();
    project(decoded);
    foldMs = Math.min(foldMs, performance.now() - t);
  }
  decoded.length = 0;
  const foldOnlyPerSec = Math.round(loaded.events / (foldMs / 1000));

  const queries = measureQueries(p, pupils);
  const ts = performance.now();
  let json: string | null = serialiseProjection(p);
  const snapshotMs = Math.round(performance.now() - ts);
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  const tr = performance.now();
  let restored: Projection | null = restoreProjection(json);
  const restoreMs = Math.round(performance.now() - tr);
  gc();
  const projectionHeapMb = Math.round((process.memoryUsage().heapUsed - heapBefore) / 1e6);
  const snapshot = { bytes: json.length, ms: snapshotMs, restoreMs };
  if (restored.position !== p.position) notes.push('the restored snapshot is not at the projection position');
  restored = null;
  json = null;

  if (storeEvents > 0) {
    const storePupils = Math.max(100, Math.round((pupils * storeEvents) / Math.max(1, events)));
    const adapters = await import('../packages/adapters-store/dist/index.js').catch((e: unknown) => {
      notes.push(`PGlite/PostgreSQL skipped: @contactable/adapters-store is not built (${e instanceof Error ? e.message.split('\n')[0] : String(e)}); run pnpm build`);
      return null;
    });
    if (adapters !== null) {
      const folder = mkdtempSync(join(tmpdir(), 'contactable-bench-'));
      try {
        const f = await measureStore('pglite', async () => {
          const s = await adapters.openStore(folder);
          return { store: s, close: () => s.close() };
        }, storePupils, storeEvents, log);
        if (f !== null) rebuilds.push(f);
      } catch (e) {
        notes.push(`PGlite rebuild failed: ${e instanceof Error ? e.message : String(e)}`);
      } finally {
        rmSync(folder, { recursive: true, force: true });
      }
      if (postgresUrl !== undefined && postgresUrl !== '') {
        try {
          const schema = `bench_projections_${process.pid}`;
          const f = await measureStore('postgres', async () => {
            const s = await adapters.openStore(postgresUrl, { schema });
            return { store: s, close: () => s.close() };
          }, storePupils, storeEvents, log);
          if (f !== null) rebuilds.push(f);
          notes.push(`PostgreSQL: schema ${schema} was left in place; drop it when done`);
        } catch (e) {
          notes.push(`PostgreSQL rebuild failed: ${e instanceof Error ? e.message : String(e)}`);
        }
      } else notes.push('PostgreSQL skipped: set BENCH_POSTGRES_URL to include it');
    }
  }

  const peakRssMb = Math.round(process.resourceUsage().maxRSS / 1024);
  const loadAvg = loadavg()[0]!;
  if (loadAvg > 1.5) notes.push(`the machine was busy (load average ${loadAvg.toFixed(1)}): times are noisy; run again on a quiet machine`);
  const result: ProjectionsBenchResult = { events: loaded.events, pupils, contacts: loaded.contacts, rebuilds, foldOnlyPerSec, queries, snapshot, projectionHeapMb, peakRssMb, notes };

  log('  rebuild (read + decode + every read model) beside the floor (read + decode only):');
  for (const r of rebuilds) {
    log(
      `    ${r.source.padEnd(9)} ${String(r.events).padStart(8)} events  floor ${r.floorPerSec.toLocaleString('en-GB').padStart(10)} ev/s  rebuild ${r.rebuildPerSec.toLocaleString('en-GB').padStart(10)} ev/s  ` +
        `ratio ${r.ratio.toFixed(2)} ${r.ratio <= 2 ? '(target <= 2: met)' : '(target <= 2: MISSED)'}; in CPU time ${r.cpuRatio.toFixed(2)}`,
    );
  }
  log(`    fold only (pre-decoded): ${foldOnlyPerSec.toLocaleString('en-GB')} ev/s`);
  log('  queries (median / p99, ms):');
  for (const q of queries) log(`    ${q.query.padEnd(70)} ${q.medianMs.toFixed(4)} / ${q.p99Ms.toFixed(4)}${q.query.startsWith('linkedPeople') || q.query.startsWith('dashboard(today) at') ? (q.medianMs < 1 ? '  (target < 1 ms: met)' : '  (target < 1 ms: MISSED)') : ''}`);
  log(`  snapshot (canonical JSON): ${(snapshot.bytes / 1e6).toFixed(1)} MB written in ${snapshot.ms} ms, restored in ${snapshot.restoreMs} ms`);
  log(`  projection heap on its own: ${projectionHeapMb} MB for ${pupils} pupils and ${loaded.contacts} contacts`);
  log(`  peak RSS: ${peakRssMb} MB`);
  for (const n of notes) log(`  note: ${n}`);
  return result;
}

if (process.argv[1] !== undefined && fileURLToPath(import.meta.url) === process.argv[1]) {
  await benchProjections();
}
