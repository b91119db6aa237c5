/**
 * Ids come into the core through an IdSource port. Member and contact stream ids
 * are uuid v5 of school + source + external id, so the same MIS record always
 * maps to the same stream; event ids are derived from the command id, so a
 * command retried after a crash cannot write twice.
 */
import { v5 as uuidv5 } from 'uuid';
import type { SchoolId } from './ids.js';

/** The namespace of every deterministic id contactable makes. */
export const CONTACTABLE_NAMESPACE = '6f1c6f3e-2b9a-4f51-9d0e-3a7c2c1e5b10';

/** A name-based (v5) uuid in contactable's namespace. */
export const nameId = (name: string): string => uuidv5(name, CONTACTABLE_NAMESPACE);

/** The port that gives fresh ids (uuid v7 at the edges; a counter in tests). */
export interface IdSource {
  readonly next: () => string;
}

/** A pure, repeatable IdSource: the n-th id of a seed. */
export const sequentialIds = (seed = 'seq'): IdSource => {
  let n = 0;
  return { next: () => nameId(`${seed}/${n++}`) };
};

/** The stream id of a member from an MIS (or another source) record. */
export const memberIdFor = (schoolId: SchoolId, system: string, externalId: string): string =>
  nameId(`member/${schoolId}/${system}/${externalId}`);

/** The stream id of a contact from an MIS (or another source) record. */
export const contactIdFor = (schoolId: SchoolId, system: string, externalId: string): string =>
  nameId(`contact/${schoolId}/${system}/${externalId}`);

/** The stream id of a group from an MIS (or another source) record. */
export const groupIdFor = (schoolId: SchoolId, system: string, externalId: string): string =>
  nameId(`group/${schoolId}/${system}/${externalId}`);

/** The id of the `index`-th event a command decided: the same on every retry of that command. */
export const eventIdFor = (commandId: string, index: number): string => nameId(`event/${commandId}/${index}`);
