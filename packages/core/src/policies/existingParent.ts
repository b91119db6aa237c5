/** A pre-admission joins an existing parent account when a linked contact has the same email and mobile (R-LNK-4). */
import type { ContactRecord } from '../deciders/contact.js';
import type { Detail } from '../events/common.js';
import type { ContactId } from '../ids.js';

const key = (email: Detail | null, mobile: Detail | null): string | null =>
  email !== null && mobile !== null && email.valid && mobile.valid ? `${email.value.toLowerCase()}|${mobile.value}` : null;

/** An index from (email, mobile) to an existing active contact. */
export const existingParentIndex = (contacts: Iterable<ContactRecord>): ReadonlyMap<string, ContactId> => {
  const index = new Map<string, ContactId>();
  for (const c of contacts) {
    if (c.status !== 'active') continue;
    const k = key(c.email, c.mobile);
    if (k !== null && !index.has(k)) index.set(k, c.contactId);
  }
  return index;
};

/** The existing contact a pre-admission's contact should be linked as, when both email and mobile match. */
export const matchExistingParent = (
  index: ReadonlyMap<string, ContactId>,
  email: Detail | null,
  mobile: Detail | null,
): ContactId | null => {
  const k = key(email, mobile);
  return k === null ? null : (index.get(k) ?? null);
};
