/** The runtime ports the CLI and services give the core: real time and fresh ids (the core itself has neither). */
import { v7 as uuidv7 } from 'uuid';
import type { Clock, IdSource } from '@contactable/core';

/** The system clock: the current instant in ISO 8601 UTC. */
export const systemClock: Clock = { now: () => new Date().toISOString() };

/** Fresh uuid v7 ids: time-ordered, so ids made later sort later. */
export const uuidV7Ids: IdSource = { next: () => uuidv7() };
