/**
 * The Directory port: what sending and callbacks need to know about people, whoever keeps it
 * (a fold straight from the event store today; the projections' read models later).
 */
import type { Audience, Channel, ContactState, SkippedRecipient } from '@contactable/core';

/** Someone an audience reaches: a contact, and the member through whom (null when addressed directly). */
export interface Candidate {
  readonly contactId: string;
  readonly memberId: string | null;
}

/** Why an audience could not be resolved at all (an unknown group): nothing is sent. */
export interface DirectoryError {
  readonly _tag: 'DirectoryError';
  readonly message: string;
}

/** An audience resolved to candidates, plus members who bring nobody (with reasons). */
export interface ResolvedAudience {
  readonly candidates: ReadonlyArray<Candidate>;
  readonly unreachable: ReadonlyArray<SkippedRecipient>;
}

/** Reads people for messaging. */
export interface Directory {
  /** The candidate recipients of an audience, in a stable order (duplicates allowed; the sender dedupes). */
  readonly resolveAudience: (audience: Audience) => Promise<ResolvedAudience | DirectoryError>;
  /** Active contacts holding this address or number now (an address shared by two contacts gives both). */
  readonly contactsByAddress: (channel: Channel, address: string) => Promise<ReadonlyArray<string>>;
  /** A contact's current state (absent when not held). */
  readonly contactState: (contactId: string) => Promise<ContactState>;
}

/** True for a directory error. */
export const isDirectoryError = (x: unknown): x is DirectoryError =>
  x !== null && typeof x === 'object' && (x as { _tag?: unknown })._tag === 'DirectoryError';
