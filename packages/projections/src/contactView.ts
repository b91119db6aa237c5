/**
 * A lean fold of a contact's stream for projections. The core's ContactState keeps
 * every provider callback id it has seen (unbounded, copied on each callback) and the
 * failure streaks that only `decide` needs; a read model of 200k pupils needs neither.
 * This fold keeps what contactability, the linked-people view and the data issues read,
 * and is tested equal to `evolveContact` on every field the two share.
 */
import {
  contactability,
  ERASED,
  sameDetail,
  type BlockCause,
  type Channel,
  type ConsentVia,
  type ContactEvent,
  type ContactId,
  type ContactState,
  type Detail,
  type Instant,
  type OverridableField,
  type PersonName,
  type Recorded,
} from '@contactable/core';

/** A block on one channel, as the read models need it. */
export interface BlockView {
  readonly cause: BlockCause;
  readonly at: Instant;
}

/** A contact as the projections hold it. */
export interface ContactView {
  readonly status: 'active' | 'deleted' | 'anonymised' | 'merged';
  /** The contact this one was joined into (status `merged`). */
  readonly mergedInto: ContactId | null;
  readonly contactId: ContactId;
  readonly source: 'mis' | 'address-book';
  /** The export's own ids for this person (MIS contact id, OneRoster sourcedId), for look-ups; none for the address book. */
  readonly sourceIds: ReadonlyArray<string>;
  readonly name: PersonName;
  readonly email: Detail | null;
  readonly mobile: Detail | null;
  /** When the email held now (or its absence) arrived. */
  readonly emailSince: Instant;
  /** When the mobile held now (or its absence) arrived. */
  readonly mobileSince: Instant;
  readonly optedOut: { readonly at: Instant; readonly via: ConsentVia } | null;
  readonly blocks: Readonly<Record<Channel, BlockView | null>>;
  /** When a sync overwrote a local edit, per field, until the MIS catches up (R-IMP-9). */
  readonly overwritten: Readonly<Partial<Record<OverridableField, Instant>>>;
  readonly deletedAt: Instant | null;
  /** Contacts with the same name that may be this person, and whether they share an address or number (a data issue). */
  readonly possibleDuplicates: Readonly<Record<ContactId, { readonly sharesDetail: boolean; readonly at: Instant }>>;
}

const NO_BLOCKS: Readonly<Record<Channel, BlockView | null>> = { email: null, sms: null };
/** A view's empty set of possible duplicates (one object, so a check is one comparison). */
export const NO_DUPLICATES_VIEW: ContactView['possibleDuplicates'] = Object.freeze({});
const NOTHING_OVERWRITTEN: Readonly<Partial<Record<OverridableField, Instant>>> = {};

const NO_SOURCE_IDS: ReadonlyArray<string> = Object.freeze([]);

const created = (contactId: ContactId, source: ContactView['source'], sourceIds: ReadonlyArray<string>, name: PersonName, email: Detail | null, mobile: Detail | null, at: Instant): ContactView => ({
  status: 'active',
  contactId,
  mergedInto: null,
  source,
  sourceIds,
  name,
  email,
  mobile,
  emailSince: at,
  mobileSince: at,
  optedOut: null,
  blocks: NO_BLOCKS,
  overwritten: NOTHING_OVERWRITTEN,
  deletedAt: null,
  possibleDuplicates: NO_DUPLICATES_VIEW,
});

const withDetail = (v: ContactView, field: OverridableField, value: Detail | null, at: Instant): ContactView =>
  field === 'email'
    ? { ...v, email: value, emailSince: sameDetail(v.email, value) ? v.emailSince : at }
    : { ...v, mobile: value, mobileSince: sameDetail(v.mobile, value) ? v.mobileSince : at };

const withoutField = (r: Readonly<Partial<Record<OverridableField, Instant>>>, field: OverridableField) => {
  if (r[field] === undefined) return r;
  const copy = { ...r };
  delete copy[field];
  return copy;
};

/** Replaces every personal value the view holds with `XXXX` (R-DEL-2): the same view a rebuild after erasure gives. */
export const scrubContact = (v: ContactView): ContactView => ({
  ...v,
  name: { given: ERASED, family: ERASED },
  email: v.email === null ? null : { ...v.email, value: ERASED },
  mobile: v.mobile === null ? null : { ...v.mobile, value: ERASED },
});

/** Folds one contact event into the lean view; returns the same object when nothing the view holds changed. */
export const evolveContactView = (v: ContactView | undefined, event: Recorded<ContactEvent>): ContactView | undefined => {
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'ContactImported': {
      const d = event.data;
      return created(d.contactId, d.source.kind, d.source.kind === 'mis' ? [d.source.externalId] : NO_SOURCE_IDS, d.name, d.email, d.mobile, at);
    }
    case 'ContactAdded': {
      const d = event.data;
      return created(d.contactId, 'address-book', NO_SOURCE_IDS, d.name, d.email, d.mobile, at);
    }
    case 'ContactSplitOff': {
      const d = event.data;
      return created(d.contactId, d.source.kind, NO_SOURCE_IDS, d.name, d.email, d.mobile, at);
    }
  }
  if (v === undefined) return v;
  switch (event.type) {
    case 'ContactDetailsChanged': {
      const d = event.data;
      let next: ContactView = d.name !== undefined ? { ...v, name: d.name } : v;
      if (d.email !== undefined) next = withDetail(next, 'email', d.email, at);
      if (d.mobile !== undefined) next = withDetail(next, 'mobile', d.mobile, at);
      return next;
    }
    case 'LocalOverrideSet':
      return withDetail(v, event.data.field, event.data.value, at);
    case 'LocalOverrideOverwritten':
      return { ...v, overwritten: { ...v.overwritten, [event.data.field]: at } };
    case 'LocalOverrideCaughtUp': {
      const overwritten = withoutField(v.overwritten, event.data.field);
      return overwritten === v.overwritten ? v : { ...v, overwritten };
    }
    case 'OptedOut':
      return { ...v, optedOut: { at, via: event.data.via } };
    case 'OptedIn':
      return v.optedOut === null ? v : { ...v, optedOut: null };
    case 'Blocked':
      return { ...v, blocks: { ...v.blocks, [event.data.channel]: { cause: event.data.cause, at } } };
    case 'ReEnabled':
    case 'BlockLapsed':
      return v.blocks[event.data.channel] === null ? v : { ...v, blocks: { ...v.blocks, [event.data.channel]: null } };
    case 'ContactDeleted':
      return { ...v, status: 'deleted', deletedAt: at };
    case 'ContactAnonymised':
      return scrubContact({ ...v, status: 'anonymised' });
    case 'ContactSourcesAdded':
    case 'ContactMerged': {
      const ids = event.data.sources.map((s) => s.externalId).filter((id) => !v.sourceIds.includes(id));
      return ids.length === 0 ? v : { ...v, sourceIds: [...v.sourceIds, ...ids] };
    }
    case 'ContactMergedInto':
      return { ...v, status: 'merged', mergedInto: event.data.into };
    case 'PossibleDuplicateFlagged':
      return { ...v, possibleDuplicates: { ...v.possibleDuplicates, [event.data.otherContactId]: { sharesDetail: event.data.sharesDetail, at } } };
    case 'PossibleDuplicateCleared': {
      if (v.possibleDuplicates[event.data.otherContactId] === undefined) return v;
      const possibleDuplicates = { ...v.possibleDuplicates };
      delete possibleDuplicates[event.data.otherContactId];
      return { ...v, possibleDuplicates: Object.keys(possibleDuplicates).length === 0 ? NO_DUPLICATES_VIEW : possibleDuplicates };
    }
    case 'ContactSplit':
    case 'DeliverySucceeded':
    case 'DeliveryFailed':
    case 'SpamComplaintReceived':
    case 'MessageSent':
      return v;
  }
};

/**
 * The view as the core's ContactState, for the core's policies. contactability and
 * primeParentIssue read only status, email, mobile, optedOut.{at,via} and blocks.{cause,at},
 * which the view holds under the same names (a test checks they agree with evolveContact).
 */
export const asContactState = (v: ContactView | undefined): ContactState =>
  v === undefined ? { status: 'absent' } : (v as unknown as ContactState);

/**
 * Bits of a contact's reachability: 1 email usable, 2 sms usable, 4 active. The rules of the
 * core's `contactability` (held, well formed, not opted out, not blocked), without its
 * allocations: the fold asks this several times per event. A law checks the two agree.
 */
export const reachability = (v: ContactView | undefined): number => {
  if (v === undefined || v.status !== 'active') return 0;
  if (v.optedOut !== null) return 4;
  return 4 | (v.email !== null && v.email.valid && v.blocks.email === null ? 1 : 0) | (v.mobile !== null && v.mobile.valid && v.blocks.sms === null ? 2 : 0);
};

/** Whether a channel is usable, with every reason it is not: the core's own verdict over the view. */
export const contactabilityOf = (v: ContactView | undefined, channel: Channel) => contactability(asContactState(v), channel);

/** The channels a contact can be messaged on now, in the core's channel order. */
export const usableChannels = (v: ContactView | undefined): ReadonlyArray<Channel> => {
  const r = reachability(v);
  return r === 7 ? ['email', 'sms'] : r === 5 ? ['email'] : r === 6 ? ['sms'] : [];
};
