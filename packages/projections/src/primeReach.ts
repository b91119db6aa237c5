/** How a member's prime parents can be reached, in one pass over the links and no allocation. */
import type { MemberRecord } from '@contactable/core';
import { reachability } from './contactView.js';
import type { Projection } from './state.js';

/** A prime parent is reachable by email. */
export const PRIME_EMAIL = 1;
/** A prime parent is reachable by mobile. */
export const PRIME_SMS = 2;
/** At least one prime parent is an active contact. */
export const PRIME_ACTIVE = 4;
/** At least one prime parent is reachable on some channel. */
export const PRIME_REACHABLE = 8;

/** The prime reach of a member: the PRIME_* bits over its prime links. */
export const primeReach = (p: Projection, m: MemberRecord | undefined): number => {
  if (m === undefined) return 0;
  let bits = 0;
  const links = m.links;
  for (const id in links) {
    if (!links[id]!.prime) continue;
    const r = reachability(p.contacts.get(id)?.view);
    if (r & 4) bits |= PRIME_ACTIVE;
    if (r & 1) bits |= PRIME_EMAIL | PRIME_REACHABLE;
    if (r & 2) bits |= PRIME_SMS | PRIME_REACHABLE;
  }
  return bits;
};
