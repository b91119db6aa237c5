/**
 * As of (R-AUD-2): any read model as it stood at a past instant is the same fold over
 * the events with `occurredAt` at or before that instant, in position order. Instants
 * are compared as times, not strings (a stored instant may carry an offset).
 */
import type { Instant, RawEventLike, StoredEvent } from '@contactable/core';
import * as E from 'fp-ts/lib/Either.js';
import { recordFailure, applyEvent } from './apply.js';
import { decodeForProjection } from './decode.js';
import { createProjection, type Projection } from './state.js';
import { instantMs } from './time.js';

/** True when an event had happened by the instant (given in ms). */
export const happenedBy = (e: { readonly metadata: { readonly occurredAt: Instant } }, atMs: number): boolean => instantMs(e.metadata.occurredAt) <= atMs;

/** Folds the events that had happened by `at` into a new projection. */
export const projectAsOf = (events: Iterable<StoredEvent>, at: Instant, options: { readonly schoolId?: string | null } = {}): Projection => {
  const p = createProjection(options);
  const atMs = instantMs(at);
  for (const e of events) if (happenedBy(e, atMs)) applyEvent(p, e);
  return p;
};

/** Folds raw events as of `at`; an event that does not decode is recorded, and skipped. */
export const projectRawAsOf = (raws: Iterable<RawEventLike>, at: Instant, options: { readonly schoolId?: string | null } = {}): Projection => {
  const p = createProjection(options);
  const atMs = instantMs(at);
  for (const raw of raws) {
    const decoded = decodeForProjection(raw);
    if (E.isLeft(decoded)) recordFailure(p, decoded.left);
    else if (happenedBy(decoded.right, atMs)) applyEvent(p, decoded.right);
  }
  return p;
};
