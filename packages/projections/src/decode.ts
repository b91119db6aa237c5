/** Decoding stored events for projections: a bad event is reported by stream and position, never a crash. */
import * as E from 'fp-ts/lib/Either.js';
import { decodeEvent, type RawEventLike, type StoredEvent } from '@contactable/core';

/** An event the projections could not read: where it is and why (no personal values). */
export interface DecodeFailure {
  readonly streamId: string;
  readonly position: number;
  readonly type: string;
  readonly message: string;
}

/** Decodes a raw event, or describes why it cannot be read. */
export const decodeForProjection = (raw: RawEventLike): E.Either<DecodeFailure, StoredEvent> => {
  const decoded = decodeEvent(raw);
  return E.isRight(decoded)
    ? decoded
    : E.left({ streamId: raw.streamId, position: raw.position, type: raw.type, message: decoded.left.message });
};
