/** Indexes: contact -> members, and email or mobile -> contacts (for mapping provider callbacks to contacts). */
import { normaliseMobile, ERASED, type Channel, type ContactId, type Link, type MemberId } from '@contactable/core';
import type { ContactView } from './contactView.js';
import { byString } from './json.js';
import type { AddressIndex, ContactEntry, IdList, Projection } from './state.js';

/** A list with `id` added (kept sorted; one id stays a plain string). */
export const withId = (held: IdList | undefined, id: string): IdList => {
  if (held === undefined) return id;
  if (typeof held === 'string') return held === id ? held : byString(held, id) < 0 ? [held, id] : [id, held];
  if (held.includes(id)) return held;
  return [...held, id].sort(byString);
};

/** A list without `id` (undefined once empty). */
export const withoutId = (held: IdList | undefined, id: string): IdList | undefined => {
  if (held === undefined || held === id) return undefined;
  if (typeof held === 'string') return held;
  const rest = held.filter((h) => h !== id);
  return rest.length === held.length ? held : rest.length === 1 ? rest[0]! : rest;
};

const EMPTY: ReadonlyArray<string> = Object.freeze([]);

/** The ids of a list. */
export const idsOf = (held: IdList | undefined): ReadonlyArray<string> => (held === undefined ? EMPTY : typeof held === 'string' ? [held] : held);

const entryOf = (p: Projection, contactId: ContactId): ContactEntry => {
  let entry = p.contacts.get(contactId);
  if (entry === undefined) {
    entry = { view: undefined, members: undefined };
    p.contacts.set(contactId, entry);
  }
  return entry;
};

const link = (p: Projection, contactId: ContactId, memberId: MemberId): void => {
  const entry = entryOf(p, contactId);
  entry.members = withId(entry.members, memberId);
};

const unlink = (p: Projection, contactId: ContactId, memberId: MemberId): void => {
  const entry = p.contacts.get(contactId);
  if (entry === undefined) return;
  entry.members = withoutId(entry.members, memberId);
  // A contact never held and no longer linked leaves nothing behind.
  if (entry.members === undefined && entry.view === undefined) p.contacts.delete(contactId);
};

/** Keeps contact -> members right after a member's links changed from `before` to `after` (by `event`, when known). */
export const reindexLinks = (
  p: Projection,
  memberId: MemberId,
  before: Readonly<Record<ContactId, Link>>,
  after: Readonly<Record<ContactId, Link>>,
  event?: { readonly type: string; readonly data: unknown },
): void => {
  // The common cases touch one link: no need to walk them all.
  if (event?.type === 'ContactLinked' || event?.type === 'LinkChanged') {
    const c = (event.data as { contactId: ContactId }).contactId;
    if (before[c] === undefined) link(p, c, memberId);
    return;
  }
  if (event?.type === 'ContactUnlinked') {
    const c = (event.data as { contactId: ContactId }).contactId;
    if (before[c] !== undefined) unlink(p, c, memberId);
    return;
  }
  for (const c in before) if (after[c] === undefined) unlink(p, c, memberId);
  for (const c in after) if (before[c] === undefined) link(p, c, memberId);
};

const addressKey = (value: string): string | null => {
  if (value === ERASED) return null;
  const key = value.toLowerCase().trim();
  return key === '' ? null : key;
};

const keyOf = (v: ContactView | undefined, channel: Channel): string | null => {
  if (v === undefined || v.status !== 'active') return null;
  const d = channel === 'email' ? v.email : v.mobile;
  return d === null ? null : addressKey(d.value);
};

const reindexChannel = (index: Map<string, IdList>, channel: Channel, before: ContactView | undefined, after: ContactView): void => {
  const was = keyOf(before, channel);
  const now = keyOf(after, channel);
  if (was === now) return;
  if (was !== null) {
    const rest = withoutId(index.get(was), after.contactId);
    if (rest === undefined) index.delete(was);
    else index.set(was, rest);
  }
  if (now !== null) index.set(now, withId(index.get(now), after.contactId));
};

/** Keeps the address index (once built) right after a contact changed; only active contacts are indexed. */
export const reindexAddresses = (p: Projection, before: ContactView | undefined, after: ContactView): void => {
  const index = p.addresses;
  if (index === null) return;
  if (before === undefined || before.email !== after.email || before.status !== after.status) reindexChannel(index.byEmail, 'email', before, after);
  if (before === undefined || before.mobile !== after.mobile || before.status !== after.status) reindexChannel(index.byMobile, 'sms', before, after);
};

/** The address index, built from the contacts on first use. */
export const addressIndex = (p: Projection): AddressIndex => {
  if (p.addresses === null) {
    const index: AddressIndex = { byEmail: new Map(), byMobile: new Map() };
    for (const { view } of p.contacts.values()) {
      if (view === undefined) continue;
      reindexChannel(index.byEmail, 'email', undefined, view);
      reindexChannel(index.byMobile, 'sms', undefined, view);
    }
    p.addresses = index;
  }
  return p.addresses;
};

/** The members a contact is linked to, sorted by id. */
export const membersOfContact = (p: Projection, contactId: ContactId): ReadonlyArray<MemberId> => idsOf(p.contacts.get(contactId)?.members);

/** The active contacts holding an email address (case-insensitive), sorted by id. */
export const contactsByEmail = (p: Projection, email: string): ReadonlyArray<ContactId> => {
  const key = addressKey(email);
  return key === null ? EMPTY : idsOf(addressIndex(p).byEmail.get(key));
};

/** The active contacts holding a mobile number, as given or normalised to E.164 (UK numbers by default), sorted by id. */
export const contactsByMobile = (p: Projection, mobile: string, defaultRegion: 'GB' | 'US' | 'IE' = 'GB'): ReadonlyArray<ContactId> => {
  const key = addressKey(mobile);
  if (key === null) return EMPTY;
  const byMobile = addressIndex(p).byMobile;
  const held = byMobile.get(key);
  if (held !== undefined) return idsOf(held);
  const e164 = normaliseMobile(mobile, defaultRegion);
  return e164 === null ? EMPTY : idsOf(byMobile.get(e164.toLowerCase()));
};

/** The active contacts holding an address on a channel: what a provider callback (delivery, bounce, spam, STOP) is about. */
export const contactsByAddress = (p: Projection, channel: Channel, address: string): ReadonlyArray<ContactId> =>
  channel === 'email' ? contactsByEmail(p, address) : contactsByMobile(p, address);
