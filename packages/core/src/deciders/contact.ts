/**
 * A contact's stream: details, consent and deliverability (R-CON-1..8, R-IMP-8, R-IMP-9).
 * Commands that change nothing decide no events, so the log does not grow.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Instant, LocalDate } from '../clock.js';
import { ANONYMISE_AFTER_DAYS, dueForAnonymisation } from '../policies/retention.js';
import type { TimeZone } from '../zone.js';
import type { Decider } from '../decider.js';
import { sameDetail, sameValue } from '../details.js';
import { domainError, type DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';
import type { BlockCause, Channel, ConsentVia, Detail, OverridableField, PersonName, Source } from '../events/common.js';
import type { ContactEvent, ContactSourceRef, IdentityMatch } from '../events/contact.js';
import type { Actor } from '../events/metadata.js';
import type { ContactId, MemberId } from '../ids.js';

/** Permanent failures in a row (with no later success) that block a channel (R-CON-3, R-CON-5). */
export const FAILURES_TO_BLOCK = 3;

/** A block on one channel. */
export interface BlockRecord {
  readonly cause: BlockCause;
  readonly at: Instant;
  readonly address: string;
}

/** Permanent failures to the current detail since the last success, by the provider's own timestamps. */
export interface Streak {
  readonly lastSuccessAt: Instant | null;
  readonly failuresAt: ReadonlyArray<Instant>;
}

/** The contact's opt-out, if any. */
export interface OptOutRecord {
  readonly at: Instant;
  readonly via: ConsentVia;
  readonly actor: Actor;
}

/** A local edit standing in for an MIS value until the next sync (R-IMP-9). */
export interface OverrideRecord {
  readonly value: Detail | null;
  readonly at: Instant;
}

/** A contact that exists (or existed) in the school. `merged`: joined into another contact (`mergedInto`), which holds it now. */
export interface ContactRecord {
  readonly status: 'active' | 'deleted' | 'anonymised' | 'merged';
  readonly contactId: ContactId;
  /** The school whose stream this is (from its first event). */
  readonly schoolId: string;
  readonly source: Source;
  /** Every export record that is this person (the first one's, and those found or merged since). */
  readonly sources: ReadonlyArray<ContactSourceRef>;
  /** The contact this one was joined into, once merged. */
  readonly mergedInto: ContactId | null;
  /** Contacts joined into this one. */
  readonly absorbed: ReadonlySet<ContactId>;
  /** For a member, the contact staff split off from this one: that member's link goes there, never here. */
  readonly splits: Readonly<Record<MemberId, ContactId>>;
  /** Contacts staff said are another person: never joined to this one by a sync. */
  readonly apart: ReadonlySet<ContactId>;
  /** Contacts with the same name that may be this person (a data issue), and whether they share an address or number. */
  readonly possibleDuplicates: Readonly<Record<ContactId, boolean>>;
  readonly name: PersonName;
  readonly email: Detail | null;
  readonly mobile: Detail | null;
  readonly optedOut: OptOutRecord | null;
  readonly blocks: Readonly<Record<Channel, BlockRecord | null>>;
  readonly streaks: Readonly<Record<Channel, Streak>>;
  /** Local overrides in force until the next sync. */
  readonly overrides: Readonly<Partial<Record<OverridableField, OverrideRecord>>>;
  /** Local values a sync overwrote, awaiting the MIS catching up ("update this at source"). */
  readonly overwritten: Readonly<Partial<Record<OverridableField, OverrideRecord>>>;
  /** Provider callback ids already counted, so a repeated callback counts once. */
  readonly feedbackSeen: ReadonlySet<string>;
  /** When the latest consent wish was expressed (a staff action, or a reply by the provider's clock). */
  readonly consentAt: Instant | null;
  readonly deletedAt: Instant | null;
}

/** A contact's state: absent until imported or added. */
export type ContactState = { readonly status: 'absent' } | ContactRecord;

/** What a contact joined into another brings with it: its records and its consent (the stricter state stands). */
export interface AbsorbedContact {
  readonly contactId: ContactId;
  readonly sources: ReadonlyArray<ContactSourceRef>;
  readonly optedOut: { readonly via: ConsentVia } | null;
  readonly blocks: Readonly<Record<Channel, { readonly cause: BlockCause; readonly address: string } | null>>;
}

/** What a contact split off another starts with: its details and its consent. */
export interface SplitSource extends AbsorbedContact {
  readonly source: Source;
  readonly name: PersonName;
  readonly email: Detail | null;
  readonly mobile: Detail | null;
}

/** The consent-bearing part of a contact, as a merge or a split carries it. */
export const absorbedFrom = (c: ContactRecord): SplitSource => ({
  contactId: c.contactId,
  sources: c.sources,
  optedOut: c.optedOut === null ? null : { via: c.optedOut.via },
  blocks: {
    email: c.blocks.email === null ? null : { cause: c.blocks.email.cause, address: c.blocks.email.address },
    sms: c.blocks.sms === null ? null : { cause: c.blocks.sms.cause, address: c.blocks.sms.address },
  },
  source: c.source,
  name: c.name,
  email: c.email,
  mobile: c.mobile,
});

/** The contact commands. */
export type ContactCommand =
  | {
      readonly type: 'ImportContact';
      readonly contactId: ContactId;
      readonly source: Source & { kind: 'mis' };
      readonly name: PersonName;
      readonly email: Detail | null;
      readonly mobile: Detail | null;
      /** The source's id was made from the record's place in the export, not given by it. */
      readonly positional?: boolean;
    }
  | { readonly type: 'AddSources'; readonly contactId: ContactId; readonly sources: ReadonlyArray<ContactSourceRef>; readonly because: IdentityMatch }
  | { readonly type: 'AbsorbContact'; readonly contactId: ContactId; readonly from: AbsorbedContact; readonly because: IdentityMatch }
  | { readonly type: 'MergeInto'; readonly contactId: ContactId; readonly into: ContactId; readonly because: IdentityMatch }
  | { readonly type: 'SplitFor'; readonly contactId: ContactId; readonly newContactId: ContactId; readonly memberId: MemberId }
  | { readonly type: 'CreateSplit'; readonly contactId: ContactId; readonly from: SplitSource; readonly memberId: MemberId }
  | { readonly type: 'FlagPossibleDuplicate'; readonly contactId: ContactId; readonly otherContactId: ContactId; readonly sharesDetail: boolean }
  | { readonly type: 'ClearPossibleDuplicate'; readonly contactId: ContactId; readonly otherContactId: ContactId }
  | { readonly type: 'AddContact'; readonly contactId: ContactId; readonly name: PersonName; readonly email: Detail | null; readonly mobile: Detail | null }
  | { readonly type: 'EditContact'; readonly contactId: ContactId; readonly name?: PersonName; readonly email?: Detail | null; readonly mobile?: Detail | null }
  | { readonly type: 'OptOut'; readonly contactId: ContactId; readonly via: ConsentVia; readonly feedback?: ConsentFeedback }
  | { readonly type: 'OptIn'; readonly contactId: ContactId; readonly via: ConsentVia; readonly feedback?: ConsentFeedback }
  | ({ readonly type: 'RecordDeliverySuccess'; readonly channel: Channel } & FeedbackFields)
  | ({ readonly type: 'RecordDeliveryFailure'; readonly channel: Channel; readonly permanent: boolean; readonly detail: string | null } & FeedbackFields)
  | ({ readonly type: 'RecordSpamComplaint' } & FeedbackFields)
  | { readonly type: 'ReEnable'; readonly contactId: ContactId; readonly channel: Channel; readonly confirmedWithContact: boolean }
  | { readonly type: 'RecordMessageSent'; readonly contactId: ContactId; readonly messageId: string; readonly channel: Channel; readonly address: string; readonly provider: string; readonly providerMessageId: string; readonly purpose: 'message' | 'confirmation' }
  | { readonly type: 'DeleteContact'; readonly contactId: ContactId; readonly cause: 'by-hand' | 'no-members-left' }
  | { readonly type: 'AnonymiseContact'; readonly contactId: ContactId; readonly today: LocalDate; readonly timeZone?: TimeZone };

/** What every provider callback command carries. */
export interface FeedbackFields {
  readonly contactId: ContactId;
  readonly address: string;
  readonly provider: string;
  readonly feedbackId: string;
  readonly providerMessageId: string | null;
  readonly observedAt: Instant;
}

/** Where a consent reply came from: the provider, its own id (dedupe) and its own time (ordering). */
export interface ConsentFeedback {
  readonly provider: string;
  readonly feedbackId: string;
  readonly observedAt: Instant;
}

/** Days from deletion to anonymisation (R-DEL-2). */
export { ANONYMISE_AFTER_DAYS };

const emptyStreak: Streak = { lastSuccessAt: null, failuresAt: [] };

/** The state before any event. */
export const initialContactState: ContactState = { status: 'absent' };

const detailOf = (c: ContactRecord, channel: Channel): Detail | null => (channel === 'email' ? c.email : c.mobile);
const fieldChannel = (field: OverridableField): Channel => (field === 'email' ? 'email' : 'sms');
const failureCause = (channel: Channel): BlockCause => (channel === 'email' ? 'permanent-bounce' : 'text-delivery-failure');
const addressMatches = (detail: Detail | null, address: string): boolean =>
  detail !== null && detail.value.trim().toLowerCase() === address.trim().toLowerCase();

// A failure counts only when permanent, about the detail held now, and the channel is not already blocked.
const countsTowardsBlock = (c: ContactRecord, channel: Channel, address: string, permanent: boolean): boolean =>
  permanent && c.blocks[channel] === null && addressMatches(detailOf(c, channel), address);

const NO_IDS: ReadonlySet<ContactId> = new Set();

const newRecord = (contactId: ContactId, schoolId: string, source: Source, sources: ReadonlyArray<ContactSourceRef>, name: PersonName, email: Detail | null, mobile: Detail | null): ContactRecord => ({
  status: 'active',
  contactId,
  schoolId,
  source,
  sources,
  mergedInto: null,
  absorbed: NO_IDS,
  splits: {},
  apart: NO_IDS,
  possibleDuplicates: {},
  name,
  email,
  mobile,
  optedOut: null,
  blocks: { email: null, sms: null },
  streaks: { email: emptyStreak, sms: emptyStreak },
  overrides: {},
  overwritten: {},
  feedbackSeen: new Set(),
  consentAt: null,
  deletedAt: null,
});

const withDetail = (c: ContactRecord, field: OverridableField, value: Detail | null): ContactRecord => {
  const changed = !sameValue(detailOf(c, fieldChannel(field)), value);
  const channel = fieldChannel(field);
  return {
    ...c,
    [field]: value,
    // A new address or number starts a new failure count.
    streaks: changed ? { ...c.streaks, [channel]: emptyStreak } : c.streaks,
  };
};

const without = <K extends string, V>(r: Readonly<Partial<Record<K, V>>>, key: K): Readonly<Partial<Record<K, V>>> => {
  const copy = { ...r };
  delete copy[key];
  return copy;
};

const seen = (c: ContactRecord, feedbackId: string): ReadonlySet<string> => new Set([...c.feedbackSeen, feedbackId]);

/** Folds one event into a contact's state. */
export const evolveContact = (state: ContactState, event: Recorded<ContactEvent>): ContactState => {
  const at = event.metadata.occurredAt;
  const schoolId = event.metadata.schoolId;
  if (event.type === 'ContactImported') {
    const d = event.data;
    const sources = d.source.kind === 'mis' ? [{ system: d.source.system, externalId: d.source.externalId, ...(d.positional === true ? { positional: true } : {}) }] : [];
    return newRecord(d.contactId, schoolId, d.source, sources, d.name, d.email, d.mobile);
  }
  if (event.type === 'ContactAdded') {
    const d = event.data;
    return newRecord(d.contactId, schoolId, { kind: 'address-book' }, [], d.name, d.email, d.mobile);
  }
  if (event.type === 'ContactSplitOff') {
    const d = event.data;
    return { ...newRecord(d.contactId, schoolId, d.source, [], d.name, d.email, d.mobile), apart: new Set([d.from]) };
  }
  if (state.status === 'absent') return state;
  const c = state;
  switch (event.type) {
    case 'ContactDetailsChanged': {
      let next: ContactRecord = event.data.name !== undefined ? { ...c, name: event.data.name } : c;
      if (event.data.email !== undefined) next = withDetail(next, 'email', event.data.email);
      if (event.data.mobile !== undefined) next = withDetail(next, 'mobile', event.data.mobile);
      return next;
    }
    case 'LocalOverrideSet': {
      const next = withDetail(c, event.data.field, event.data.value);
      return { ...next, overrides: { ...c.overrides, [event.data.field]: { value: event.data.value, at } } };
    }
    case 'LocalOverrideOverwritten':
      return {
        ...c,
        overrides: without(c.overrides, event.data.field),
        overwritten: { ...c.overwritten, [event.data.field]: { value: event.data.localValue, at } },
      };
    case 'LocalOverrideCaughtUp':
      return { ...c, overrides: without(c.overrides, event.data.field), overwritten: without(c.overwritten, event.data.field) };
    case 'OptedOut':
    case 'OptedIn': {
      const d = event.data;
      const consent = {
        consentAt: d.observedAt ?? at,
        feedbackSeen: d.feedbackId !== undefined ? seen(c, d.feedbackId) : c.feedbackSeen,
      };
      // A repeated opt-out (a second STOP) keeps the first one's date: that is when they opted out.
      if (event.type === 'OptedOut') return { ...c, ...consent, optedOut: c.optedOut ?? { at, via: d.via, actor: event.metadata.actor } };
      return { ...c, ...consent, optedOut: null };
    }
    case 'DeliverySucceeded': {
      const d = event.data;
      const streak = c.streaks[d.channel];
      const later = streak.lastSuccessAt === null || d.observedAt > streak.lastSuccessAt;
      const next: Streak = later
        ? { lastSuccessAt: d.observedAt, failuresAt: streak.failuresAt.filter((f) => f > d.observedAt) }
        : streak;
      return {
        ...c,
        feedbackSeen: seen(c, d.feedbackId),
        streaks: addressMatches(detailOf(c, d.channel), d.address) ? { ...c.streaks, [d.channel]: next } : c.streaks,
      };
    }
    case 'DeliveryFailed': {
      const d = event.data;
      const streak = c.streaks[d.channel];
      // A failure older than the last success (arriving late) does not count: callbacks can come out of order.
      const counts =
        countsTowardsBlock(c, d.channel, d.address, d.permanent) &&
        (streak.lastSuccessAt === null || d.observedAt > streak.lastSuccessAt);
      return {
        ...c,
        feedbackSeen: seen(c, d.feedbackId),
        streaks: counts
          ? { ...c.streaks, [d.channel]: { ...streak, failuresAt: [...streak.failuresAt, d.observedAt].sort() } }
          : c.streaks,
      };
    }
    case 'SpamComplaintReceived':
      return { ...c, feedbackSeen: seen(c, event.data.feedbackId) };
    case 'Blocked':
      return { ...c, blocks: { ...c.blocks, [event.data.channel]: { cause: event.data.cause, at, address: event.data.address } } };
    case 'ReEnabled':
    case 'BlockLapsed':
      return {
        ...c,
        blocks: { ...c.blocks, [event.data.channel]: null },
        streaks: { ...c.streaks, [event.data.channel]: emptyStreak },
      };
    case 'MessageSent':
      return c;
    case 'ContactDeleted':
      return { ...c, status: 'deleted', deletedAt: at };
    case 'ContactAnonymised':
      return { ...c, status: 'anonymised' };
    case 'ContactSourcesAdded':
      return { ...c, sources: withSources(c.sources, event.data.sources) };
    case 'ContactMerged': {
      const apart = new Set(c.apart);
      apart.delete(event.data.from);
      const possibleDuplicates = { ...c.possibleDuplicates };
      delete possibleDuplicates[event.data.from];
      return { ...c, sources: withSources(c.sources, event.data.sources), absorbed: new Set([...c.absorbed, event.data.from]), apart, possibleDuplicates };
    }
    case 'ContactMergedInto':
      return { ...c, status: 'merged', mergedInto: event.data.into };
    case 'ContactSplit':
      return { ...c, splits: { ...c.splits, [event.data.memberId]: event.data.newContactId }, apart: new Set([...c.apart, event.data.newContactId]) };
    case 'PossibleDuplicateFlagged':
      return { ...c, possibleDuplicates: { ...c.possibleDuplicates, [event.data.otherContactId]: event.data.sharesDetail } };
    case 'PossibleDuplicateCleared': {
      const possibleDuplicates = { ...c.possibleDuplicates };
      delete possibleDuplicates[event.data.otherContactId];
      return { ...c, possibleDuplicates };
    }
  }
};

/** The key of an export record: its system and id. */
export const sourceKey = (s: { readonly system: string; readonly externalId: string }): string => `${s.system}\u0000${s.externalId}`;

const withSources = (held: ReadonlyArray<ContactSourceRef>, more: ReadonlyArray<ContactSourceRef>): ReadonlyArray<ContactSourceRef> => {
  const keys = new Set(held.map(sourceKey));
  const added = more.filter((s) => !keys.has(sourceKey(s)));
  return added.length === 0 ? held : [...held, ...added];
};

const ok = (events: ReadonlyArray<ContactEvent>): E.Either<DomainError, ReadonlyArray<ContactEvent>> => E.right(events);
const notFound = (id: ContactId): DomainError =>
  domainError('not-found', `Contact ${id} is not held by this school; import it or add it to the address book first.`);

const requireActive = (state: ContactState, id: ContactId): E.Either<DomainError, ContactRecord> => {
  if (state.status === 'absent') return E.left(notFound(id));
  if (state.status === 'merged') return E.left(merged(state));
  if (state.status !== 'active') return E.left(domainError('deleted', `Contact ${id} was deleted; nothing more can be recorded for it.`));
  return E.right(state);
};

const merged = (c: ContactRecord): DomainError =>
  domainError('merged', `Contact ${c.contactId} was joined into contact ${c.mergedInto ?? '?'}, which holds this person now; act on that contact.`);

// The stricter consent of two records of one person: the other's opt-out and blocks stand here too.
const strictConsent = (c: ContactRecord, from: AbsorbedContact): ContactEvent[] => {
  const events: ContactEvent[] = [];
  if (c.optedOut === null && from.optedOut !== null) events.push({ type: 'OptedOut', data: { contactId: c.contactId, via: from.optedOut.via } });
  for (const channel of ['email', 'sms'] as const) {
    const theirs = from.blocks[channel];
    if (c.blocks[channel] === null && theirs !== null) events.push({ type: 'Blocked', data: { contactId: c.contactId, channel, cause: theirs.cause, address: theirs.address } });
  }
  return events;
};

// The details a sync or an edit brings: changed fields, lapsed failure blocks (R-CON-8).
const detailChanges = (
  c: ContactRecord,
  incoming: Partial<Record<OverridableField, Detail | null>>,
): { changed: Partial<Record<OverridableField, Detail | null>>; lapses: ContactEvent[] } => {
  const changed: Partial<Record<OverridableField, Detail | null>> = {};
  const lapses: ContactEvent[] = [];
  for (const field of ['email', 'mobile'] as const) {
    const value = incoming[field];
    if (value === undefined) continue;
    const channel = fieldChannel(field);
    if (sameDetail(detailOf(c, channel), value)) continue;
    changed[field] = value;
    const block = c.blocks[channel];
    // A failure block was about the old detail; a spam block is about the person's wish and stays.
    if (block !== null && block.cause !== 'spam' && !sameValue(detailOf(c, channel), value)) {
      lapses.push({ type: 'BlockLapsed', data: { contactId: c.contactId, channel, cause: block.cause } });
    }
  }
  return { changed, lapses };
};

const decideImport = (c: ContactRecord, cmd: Extract<ContactCommand, { type: 'ImportContact' }>): ContactEvent[] => {
  const events: ContactEvent[] = [];
  const caughtUp: ContactEvent[] = [];
  const incoming: Partial<Record<OverridableField, Detail | null>> = {};
  for (const field of ['email', 'mobile'] as const) {
    const mis = cmd[field];
    const override = c.overrides[field];
    const overwritten = c.overwritten[field];
    if (override !== undefined) {
      // R-IMP-9: the sync ends the override; either the MIS caught up, or the local edit is overwritten.
      if (sameValue(override.value, mis)) {
        caughtUp.push({ type: 'LocalOverrideCaughtUp', data: { contactId: c.contactId, field } });
      } else {
        events.push({ type: 'LocalOverrideOverwritten', data: { contactId: c.contactId, field, localValue: override.value } });
      }
    } else if (overwritten !== undefined && sameValue(overwritten.value, mis)) {
      caughtUp.push({ type: 'LocalOverrideCaughtUp', data: { contactId: c.contactId, field } });
    }
    incoming[field] = mis;
  }
  const { changed, lapses } = detailChanges(c, incoming);
  const nameChanged = c.name.given !== cmd.name.given || c.name.family !== cmd.name.family;
  if (nameChanged || Object.keys(changed).length > 0) {
    events.push({
      type: 'ContactDetailsChanged',
      data: { contactId: c.contactId, ...(nameChanged ? { name: cmd.name } : {}), ...changed },
    });
  }
  return [...events, ...lapses, ...caughtUp];
};

const decideFeedback = (c: ContactRecord, cmd: ContactCommand): ContactEvent[] => {
  switch (cmd.type) {
    case 'RecordDeliverySuccess':
      return [
        {
          type: 'DeliverySucceeded',
          data: { contactId: c.contactId, channel: cmd.channel, address: cmd.address, provider: cmd.provider, feedbackId: cmd.feedbackId, providerMessageId: cmd.providerMessageId, observedAt: cmd.observedAt },
        },
      ];
    case 'RecordDeliveryFailure': {
      const failed: ContactEvent = {
        type: 'DeliveryFailed',
        data: {
          contactId: c.contactId,
          channel: cmd.channel,
          address: cmd.address,
          permanent: cmd.permanent,
          detail: cmd.detail,
          provider: cmd.provider,
          feedbackId: cmd.feedbackId,
          providerMessageId: cmd.providerMessageId,
          observedAt: cmd.observedAt,
        },
      };
      const after = evolveContact(c, { ...failed, metadata: placeholderMetadata(cmd.observedAt) } as Recorded<ContactEvent>) as ContactRecord;
      const blocks = c.blocks[cmd.channel] === null && after.streaks[cmd.channel].failuresAt.length >= FAILURES_TO_BLOCK;
      return blocks
        ? [failed, { type: 'Blocked', data: { contactId: c.contactId, channel: cmd.channel, cause: failureCause(cmd.channel), address: cmd.address } }]
        : [failed];
    }
    case 'RecordSpamComplaint': {
      const complaint: ContactEvent = {
        type: 'SpamComplaintReceived',
        data: { contactId: c.contactId, address: cmd.address, provider: cmd.provider, feedbackId: cmd.feedbackId, providerMessageId: cmd.providerMessageId, observedAt: cmd.observedAt },
      };
      return c.blocks.email?.cause === 'spam'
        ? [complaint]
        : [complaint, { type: 'Blocked', data: { contactId: c.contactId, channel: 'email', cause: 'spam', address: cmd.address } }];
    }
    default:
      return [];
  }
};

// evolve reads only occurredAt and actor from metadata; decisions never depend on them.
const placeholderMetadata = (at: Instant) => ({
  occurredAt: at,
  actor: { kind: 'system' as const, name: 'decide' },
  reason: null,
  correlationId: '',
  causationId: null,
  schoolId: '',
});

// Staff: record a change only. A reply through a provider: the latest wish by the provider's clock wins,
// so a reply that arrives late (older than the latest wish) or twice changes nothing, and a reply that
// repeats the current wish is still recorded, because it moves the latest-wish time on.
const decideConsent = (c: ContactRecord, cmd: Extract<ContactCommand, { type: 'OptOut' | 'OptIn' }>): ReadonlyArray<ContactEvent> => {
  const wantsOut = cmd.type === 'OptOut';
  const type = wantsOut ? ('OptedOut' as const) : ('OptedIn' as const);
  const f = cmd.feedback;
  if (f === undefined) return (c.optedOut !== null) === wantsOut ? [] : [{ type, data: { contactId: c.contactId, via: cmd.via } }];
  if (c.feedbackSeen.has(f.feedbackId) || (c.consentAt !== null && f.observedAt <= c.consentAt)) return [];
  return [{ type, data: { contactId: c.contactId, via: cmd.via, provider: f.provider, feedbackId: f.feedbackId, observedAt: f.observedAt } }];
};

/** Decides what a contact command records. */
export const decideContact = (cmd: ContactCommand, state: ContactState): E.Either<DomainError, ReadonlyArray<ContactEvent>> => {
  switch (cmd.type) {
    case 'ImportContact': {
      if (state.status === 'absent') {
        return ok([{ type: 'ContactImported', data: { contactId: cmd.contactId, source: cmd.source, name: cmd.name, email: cmd.email, mobile: cmd.mobile, ...(cmd.positional === true ? { positional: true } : {}) } }]);
      }
      if (state.status === 'merged') return E.left(merged(state));
      if (state.status !== 'active') return E.left(domainError('deleted', `Contact ${cmd.contactId} was deleted; the import leaves it deleted.`));
      if (state.source.kind !== 'mis') {
        return E.left(domainError('invalid-command', `Contact ${cmd.contactId} is in the address book; an import never touches it.`));
      }
      return ok(decideImport(state, cmd));
    }
    case 'AddContact':
      if (state.status !== 'absent') return E.left(domainError('already-exists', `Contact ${cmd.contactId} already exists.`));
      return ok([{ type: 'ContactAdded', data: { contactId: cmd.contactId, name: cmd.name, email: cmd.email, mobile: cmd.mobile } }]);
    case 'EditContact':
      return E.map((c: ContactRecord) => {
        const nameChanged = cmd.name !== undefined && (cmd.name.given !== c.name.given || cmd.name.family !== c.name.family);
        const { changed, lapses } = detailChanges(c, { ...(cmd.email !== undefined ? { email: cmd.email } : {}), ...(cmd.mobile !== undefined ? { mobile: cmd.mobile } : {}) });
        if (c.source.kind === 'address-book') {
          return nameChanged || Object.keys(changed).length > 0
            ? [{ type: 'ContactDetailsChanged' as const, data: { contactId: c.contactId, ...(nameChanged ? { name: cmd.name } : {}), ...changed } }, ...lapses]
            : lapses;
        }
        const overrides: ContactEvent[] = (Object.entries(changed) as Array<[OverridableField, Detail | null]>).map(([field, value]) => ({
          type: 'LocalOverrideSet',
          data: { contactId: c.contactId, field, value },
        }));
        return [...overrides, ...lapses];
      })(
        E.chain((c: ContactRecord) =>
          c.source.kind === 'mis' && cmd.name !== undefined && (cmd.name.given !== c.name.given || cmd.name.family !== c.name.family)
            ? E.left(domainError('edit-at-source', `Contact ${c.contactId} comes from the MIS: change their name there and run the import.`))
            : E.right(c),
        )(requireActive(state, cmd.contactId)),
      ) as E.Either<DomainError, ReadonlyArray<ContactEvent>>;
    case 'OptOut':
    case 'OptIn':
      return E.map((c: ContactRecord) => decideConsent(c, cmd))(requireActive(state, cmd.contactId));
    case 'RecordDeliverySuccess':
    case 'RecordDeliveryFailure':
    case 'RecordSpamComplaint':
      // Callbacks about a deleted contact, or seen before, change nothing.
      if (state.status !== 'active' || state.feedbackSeen.has(cmd.feedbackId)) {
        return state.status === 'absent' ? E.left(notFound(cmd.contactId)) : ok([]);
      }
      return ok(decideFeedback(state, cmd));
    case 'ReEnable':
      return E.chain((c: ContactRecord): E.Either<DomainError, ReadonlyArray<ContactEvent>> => {
        if (!cmd.confirmedWithContact) {
          return E.left(domainError('confirmation-required', `Re-enable needs confirmation that you checked with the contact that they want ${cmd.channel === 'email' ? 'emails' : 'texts'} on this ${cmd.channel === 'email' ? 'address' : 'number'}.`));
        }
        const block = c.blocks[cmd.channel];
        if (block === null) return E.left(domainError('not-blocked', `The contact's ${cmd.channel} is not blocked; there is nothing to re-enable.`));
        return ok([{ type: 'ReEnabled', data: { contactId: c.contactId, channel: cmd.channel, cause: block.cause, confirmedWithContact: true } }]);
      })(requireActive(state, cmd.contactId));
    case 'RecordMessageSent':
      return E.map((c: ContactRecord): ReadonlyArray<ContactEvent> => [
        {
          type: 'MessageSent',
          data: { contactId: c.contactId, messageId: cmd.messageId, channel: cmd.channel, address: cmd.address, provider: cmd.provider, providerMessageId: cmd.providerMessageId, purpose: cmd.purpose },
        },
      ])(requireActive(state, cmd.contactId));
    case 'DeleteContact':
      if (state.status === 'deleted' || state.status === 'anonymised') return ok([]);
      return E.chain((c: ContactRecord): E.Either<DomainError, ReadonlyArray<ContactEvent>> =>
        cmd.cause === 'by-hand' && c.source.kind === 'mis'
          ? E.left(domainError('edit-at-source', `Contact ${c.contactId} comes from the MIS: remove them there, or delete the leavers they belong to.`))
          : ok([{ type: 'ContactDeleted', data: { contactId: c.contactId } }]),
      )(requireActive(state, cmd.contactId));
    case 'AddSources':
      return E.map((c: ContactRecord): ReadonlyArray<ContactEvent> => {
        const held = new Set(c.sources.map(sourceKey));
        const fresh = cmd.sources.filter((src, i) => !held.has(sourceKey(src)) && cmd.sources.findIndex((o) => sourceKey(o) === sourceKey(src)) === i);
        return fresh.length === 0 ? [] : [{ type: 'ContactSourcesAdded', data: { contactId: c.contactId, sources: fresh, because: cmd.because } }];
      })(requireActive(state, cmd.contactId));
    case 'AbsorbContact':
      if (cmd.from.contactId === cmd.contactId) return E.left(domainError('invalid-command', 'A contact cannot be joined into itself.'));
      return E.map((c: ContactRecord): ReadonlyArray<ContactEvent> => {
        if (c.absorbed.has(cmd.from.contactId)) return [];
        const held = new Set(c.sources.map(sourceKey));
        return [
          { type: 'ContactMerged', data: { contactId: c.contactId, from: cmd.from.contactId, sources: cmd.from.sources.filter((src) => !held.has(sourceKey(src))), because: cmd.because } },
          ...strictConsent(c, cmd.from),
        ];
      })(requireActive(state, cmd.contactId));
    case 'MergeInto':
      if (cmd.into === cmd.contactId) return E.left(domainError('invalid-command', 'A contact cannot be joined into itself.'));
      if (state.status === 'merged') {
        return state.mergedInto === cmd.into ? ok([]) : E.left(merged(state));
      }
      return E.map((c: ContactRecord): ReadonlyArray<ContactEvent> => [{ type: 'ContactMergedInto', data: { contactId: c.contactId, into: cmd.into, because: cmd.because } }])(
        requireActive(state, cmd.contactId),
      );
    case 'SplitFor':
      return E.chain((c: ContactRecord): E.Either<DomainError, ReadonlyArray<ContactEvent>> => {
        const held = c.splits[cmd.memberId];
        if (held === cmd.newContactId) return ok([]);
        if (held !== undefined) return E.left(domainError('already-exists', `Contact ${c.contactId} was already split for member ${cmd.memberId}.`));
        return ok([{ type: 'ContactSplit', data: { contactId: c.contactId, newContactId: cmd.newContactId, memberId: cmd.memberId } }]);
      })(requireActive(state, cmd.contactId));
    case 'CreateSplit': {
      if (state.status !== 'absent') {
        return state.apart.has(cmd.from.contactId) ? ok([]) : E.left(domainError('already-exists', `Contact ${cmd.contactId} already exists.`));
      }
      const f = cmd.from;
      const created: ContactEvent = { type: 'ContactSplitOff', data: { contactId: cmd.contactId, from: f.contactId, memberId: cmd.memberId, source: f.source, name: f.name, email: f.email, mobile: f.mobile } };
      const blank = evolveContact(state, { ...created, metadata: placeholderMetadata('1970-01-01T00:00:00.000Z') } as Recorded<ContactEvent>) as ContactRecord;
      // Who asked to stop, or whose address failed, is not known to be the other record: both keep the stricter state.
      return ok([created, ...strictConsent(blank, f)]);
    }
    case 'FlagPossibleDuplicate':
      if (cmd.otherContactId === cmd.contactId) return E.left(domainError('invalid-command', 'A contact is not a duplicate of itself.'));
      return E.map((c: ContactRecord): ReadonlyArray<ContactEvent> =>
        c.possibleDuplicates[cmd.otherContactId] === cmd.sharesDetail
          ? []
          : [{ type: 'PossibleDuplicateFlagged', data: { contactId: c.contactId, otherContactId: cmd.otherContactId, sharesDetail: cmd.sharesDetail } }],
      )(requireActive(state, cmd.contactId));
    case 'ClearPossibleDuplicate':
      if (state.status === 'absent') return E.left(notFound(cmd.contactId));
      return ok(state.possibleDuplicates[cmd.otherContactId] === undefined ? [] : [{ type: 'PossibleDuplicateCleared', data: { contactId: cmd.contactId, otherContactId: cmd.otherContactId } }]);
    case 'AnonymiseContact': {
      if (state.status === 'absent') return E.left(notFound(cmd.contactId));
      if (state.status === 'anonymised') return ok([]);
      if (state.status !== 'deleted' || state.deletedAt === null) {
        return E.left(domainError('not-queued', `Contact ${cmd.contactId} has not been deleted; only deleted people are anonymised.`));
      }
      const due = dueForAnonymisation(state.deletedAt, cmd.today, cmd.timeZone);
      return due
        ? ok([{ type: 'ContactAnonymised', data: { contactId: cmd.contactId } }])
        : E.left(domainError('too-early', `Contact ${cmd.contactId} is anonymised ${ANONYMISE_AFTER_DAYS} days after deletion, not before.`));
    }
  }
};

/** The contact decider. */
export const contactDecider: Decider<ContactCommand, ContactEvent, ContactState> = {
  decide: decideContact,
  evolve: evolveContact,
  initialState: initialContactState,
};
