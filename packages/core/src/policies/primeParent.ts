/** A member needs a prime parent who can be reached (R-LNK-5). */
import type { ContactState } from '../deciders/contact.js';
import type { MemberRecord } from '../deciders/member.js';
import type { ContactId } from '../ids.js';
import { usableMethods } from './contactability.js';

/** The prime-parent problem of a member, if any. */
export type PrimeParentIssue =
  | { readonly type: 'no-prime-parent' }
  | { readonly type: 'no-usable-method'; readonly contactIds: ReadonlyArray<ContactId> };

/** The prime contacts of a member, by priority then id. */
export const primeContacts = (member: Pick<MemberRecord, 'links'>): ReadonlyArray<ContactId> =>
  Object.entries(member.links)
    .filter(([, link]) => link.prime)
    .sort(([a, la], [b, lb]) => la.priority - lb.priority || (a < b ? -1 : a > b ? 1 : 0))
    .map(([id]) => id);

/** No prime parent, or prime parents none of whom has a usable method, is a data issue. */
export const primeParentIssue = (
  member: Pick<MemberRecord, 'links'>,
  contactOf: (id: ContactId) => ContactState,
): PrimeParentIssue | null => {
  const primes = primeContacts(member).filter((id) => contactOf(id).status === 'active');
  if (primes.length === 0) return { type: 'no-prime-parent' };
  return primes.some((id) => usableMethods(contactOf(id)).length > 0) ? null : { type: 'no-usable-method', contactIds: primes };
};
