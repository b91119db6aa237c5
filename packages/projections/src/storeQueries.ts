/** Reading the store for the projections: catch up, as-of rebuilds, audit trails and explanations. */
import * as E from 'fp-ts/lib/Either.js';
import { DEFAULT_TIME_ZONE, contactStream, memberStream, type TimeZone, type Channel, type ContactEvent, type ContactId, type EventStore, type Instant, type MemberId, type StoredEvent } from '@contactable/core';
import { recordFailure, applyEvent } from './apply.js';
import { auditTrail, type AuditEntry } from './audit.js';
import { happenedBy } from './asOf.js';
import { decodeForProjection, type DecodeFailure } from './decode.js';
import { explainContactability, type Explanation } from './explain.js';
import { createProjection, type Projection } from './state.js';
import { instantMs } from './time.js';

/** How many events a page read asks for. */
export const PAGE_SIZE = 10_000;

/** What a catch-up did. */
export interface CatchUpResult {
  readonly applied: number;
  readonly failures: ReadonlyArray<DecodeFailure>;
  readonly position: number;
}

/**
 * Reads pages of raw events after a position and hands each page over decoded (a failure
 * in place of an event that does not decode). Decoding a whole page before folding it keeps
 * each loop's working set in cache: measured, a quarter faster than alternating per event.
 */
export async function* decodedPages(store: EventStore, after: number, pageSize = PAGE_SIZE): AsyncGenerator<ReadonlyArray<E.Either<DecodeFailure, StoredEvent>>> {
  let from = after;
  for (;;) {
    const page = await store.readAll({ after: from, limit: pageSize });
    if (page.length === 0) return;
    yield page.map(decodeForProjection);
    if (page.length < pageSize) return;
    from = page[page.length - 1]!.position;
  }
}

/** Reads every event after the projection's position (readAll, page by page) and applies it. */
export const catchUp = async (
  store: EventStore,
  p: Projection,
  options: { readonly pageSize?: number; readonly onApplied?: (event: StoredEvent, projection: Projection) => void } = {},
): Promise<CatchUpResult> => {
  let applied = 0;
  const failures: DecodeFailure[] = [];
  for await (const page of decodedPages(store, p.position, options.pageSize)) {
    for (const d of page) {
      if (E.isRight(d)) {
        if (applyEvent(p, d.right)) {
          applied++;
          options.onApplied?.(d.right, p);
        }
      } else if (d.left.position > p.position) {
        recordFailure(p, d.left);
        failures.push(d.left);
      }
    }
  }
  return { applied, failures, position: p.position };
};

/** Rebuilds every read model from the whole log. */
export const rebuildFromStore = async (store: EventStore, options: { readonly schoolId?: string | null; readonly pageSize?: number } = {}): Promise<Projection> => {
  const p = createProjection(options);
  await catchUp(store, p, options);
  return p;
};

/** Every read model as it stood at `at` (R-AUD-2), from the whole log. */
export const projectionAsOf = async (store: EventStore, at: Instant, options: { readonly schoolId?: string | null; readonly pageSize?: number } = {}): Promise<Projection> => {
  const p = createProjection(options);
  const atMs = instantMs(at);
  for await (const page of decodedPages(store, 0, options.pageSize)) {
    for (const d of page) {
      if (E.isLeft(d)) recordFailure(p, d.left);
      else if (happenedBy(d.right, atMs)) applyEvent(p, d.right);
    }
  }
  return p;
};

/** One stream's events, decoded; the ones that do not decode are listed, not thrown. */
export const readDecodedStream = async (store: EventStore, streamId: string): Promise<{ readonly events: ReadonlyArray<StoredEvent>; readonly failures: ReadonlyArray<DecodeFailure> }> => {
  const events: StoredEvent[] = [];
  const failures: DecodeFailure[] = [];
  for (const raw of await store.readStream(streamId)) {
    const decoded = decodeForProjection(raw);
    if (E.isLeft(decoded)) failures.push(decoded.left);
    else events.push(decoded.right);
  }
  return { events, failures };
};

/** Whose audit trail. */
export type AuditSubject = { readonly memberId: MemberId } | { readonly contactId: ContactId } | { readonly streamId: string };

const streamOf = (s: AuditSubject): string => ('memberId' in s ? memberStream(s.memberId) : 'contactId' in s ? contactStream(s.contactId) : s.streamId);

/** The audit trail of a member or contact read from the store: erased values read `XXXX` (R-DEL-4). */
export const auditTrailOf = async (
  store: EventStore,
  subject: AuditSubject,
  options: { readonly asOf?: Instant } = {},
): Promise<{ readonly entries: ReadonlyArray<AuditEntry>; readonly failures: ReadonlyArray<DecodeFailure> }> => {
  const { events, failures } = await readDecodedStream(store, streamOf(subject));
  return { entries: auditTrail(events, options), failures };
};

/** Explains a contact's channel at an instant from its stream in the store (R-AUD-3). */
export const explainFromStore = async (
  store: EventStore,
  contactId: ContactId,
  channel: Channel,
  at: Instant,
  zone: TimeZone = DEFAULT_TIME_ZONE,
): Promise<Explanation & { readonly failures: ReadonlyArray<DecodeFailure> }> => {
  const { events, failures } = await readDecodedStream(store, contactStream(contactId));
  return { ...explainContactability(events as ReadonlyArray<StoredEvent<ContactEvent>>, channel, at, contactId, zone), failures };
};
