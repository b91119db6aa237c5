/**
 * What a store holds, in a form two runs can be compared by: the domain events (members, contacts,
 * groups, the school) as canonical lines, every stream's versions, and the views the office reads
 * (members, linked people, dashboard, data issues, leavers) with instants taken out (two runs happen at
 * different moments). Read in this process once the CLI has let go of the store.
 */
import { decodeEvent, parseStreamId, readAllEvents } from '../../../packages/core/src/index.js';
import { inspectionOf, openStore, type OpenStoreOptions } from '../../../packages/adapters-store/src/index.js';
import { canonicalJson, catchUp, createProjection, dashboard, dataIssues, leavers, linkedPeople, listMembers } from '../../../packages/projections/src/index.js';

/** A store, as compared. */
export interface Fingerprint {
  readonly events: number;
  /** Domain events as `stream type data`, sorted (a multiset). */
  readonly domain: ReadonlyArray<string>;
  /** Streams whose versions do not run 0, 1, 2... */
  readonly gaps: ReadonlyArray<string>;
  /** Event ids that appear more than once. */
  readonly duplicateIds: number;
  readonly undecodable: number;
  /** MessageSent per message and contact. */
  readonly messageSent: ReadonlyMap<string, number>;
  /** Message streams' completion events, per message. */
  readonly completed: ReadonlyMap<string, number>;
  /** Anonymisations per subject stream. */
  readonly anonymised: ReadonlyMap<string, number>;
  /** Subjects anonymised whose sealed personal data can still be opened (must be none). */
  readonly keysLeftForAnonymised: number;
  /** The office's views, instants removed, as canonical JSON. */
  readonly views: string;
}

const INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;
const withoutInstants = (v: unknown): unknown => {
  if (typeof v === 'string') return INSTANT.test(v) ? '<instant>' : v;
  if (Array.isArray(v)) return v.map(withoutInstants);
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, withoutInstants(x)]));
  return v;
};

const DOMAIN = new Set(['member', 'contact', 'group', 'school']);

/** Reads a store (a folder or a postgres:// URL). `rename` replaces run-specific strings (a message id) in the lines. */
export const fingerprint = async (
  url: string,
  options: { readonly today: string; readonly rename?: ReadonlyMap<string, string>; readonly store?: OpenStoreOptions },
): Promise<Fingerprint> => {
  const store = await openStore(url, options.store);
  try {
    const domain: string[] = [];
    const versions = new Map<string, number>();
    const gaps = new Set<string>();
    const ids = new Set<string>();
    let duplicateIds = 0;
    let undecodable = 0;
    let events = 0;
    const messageSent = new Map<string, number>();
    const completed = new Map<string, number>();
    const anonymised = new Map<string, number>();
    const bump = (m: Map<string, number>, k: string) => m.set(k, (m.get(k) ?? 0) + 1);
    const rename = (s: string): string => {
      let out = s;
      for (const [from, to] of options.rename ?? []) out = out.split(from).join(to);
      return out;
    };
    for await (const raw of readAllEvents(store)) {
      events += 1;
      const key = `${raw.streamId}/${raw.id}`;
      if (ids.has(key)) duplicateIds += 1;
      ids.add(key);
      const expected = (versions.get(raw.streamId) ?? -1) + 1;
      if (raw.version !== expected) gaps.add(raw.streamId);
      versions.set(raw.streamId, raw.version);
      const d = decodeEvent(raw);
      if (d._tag === 'Left') {
        undecodable += 1;
        continue;
      }
      const e = d.right;
      const category = parseStreamId(e.streamId)?.category;
      if (category !== undefined && DOMAIN.has(category)) domain.push(rename(`${e.streamId} ${e.type} ${canonicalJson(e.data)}`));
      if (e.type === 'MessageSent') bump(messageSent, rename(`${e.data.messageId} ${e.streamId}`));
      if (e.type === 'MessageCompleted') bump(completed, rename(e.data.messageId));
      if (e.type === 'MemberAnonymised' || e.type === 'ContactAnonymised') bump(anonymised, e.streamId);
    }
    domain.sort();
    // An anonymised subject's sealed data must have lost its key (R-DEL-3): count those still readable.
    const inspection = inspectionOf(store);
    let keysLeftForAnonymised = 0;
    if (inspection !== null && anonymised.size > 0) {
      const destroyed = new Set((await inspection.keys()).sealedWithoutKey.map((s) => s.subject));
      for (const subject of anonymised.keys()) if (!destroyed.has(subject)) keysLeftForAnonymised += 1;
    }
    const p = createProjection({});
    await catchUp(store, p);
    const members = listMembers(p);
    const views = canonicalJson(
      withoutInstants({
        members,
        linkedPeople: [...members].map((m) => m.memberId).sort().map((id) => linkedPeople(p, id)),
        dashboard: dashboard(p, options.today),
        dataIssues: [...dataIssues(p)].map((i) => canonicalJson(i)).sort(),
        leavers: leavers(p, options.today),
      }),
    );
    return { events, domain, gaps: [...gaps], duplicateIds, undecodable, messageSent, completed, anonymised, keysLeftForAnonymised, views: rename(views) };
  } finally {
    await store.close();
  }
};

/** Lines in `a` missing from `b`, counted with multiplicity. */
export const missingFrom = (a: ReadonlyArray<string>, b: ReadonlyArray<string>): string[] => {
  const left = new Map<string, number>();
  for (const x of b) left.set(x, (left.get(x) ?? 0) + 1);
  const out: string[] = [];
  for (const x of a) {
    const n = left.get(x) ?? 0;
    if (n > 0) left.set(x, n - 1);
    else out.push(x);
  }
  return out;
};
