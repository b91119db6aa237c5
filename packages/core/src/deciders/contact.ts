/**
 * A contact's stream: details, consent and deliverability (R-CON-1..8, R-IMP-8, R-IMP-9).
 * Commands that change nothing decide no events, so the log does not grow.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { Instant, LocalDate } from '../clock.js';
import { dateOf, daysBetween } from '../clock.js';
import type { Decider } from '../decider.js';
import { sameDetail, sameValue } from '../details.js';
import { domainError, type DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';
import type { BlockCause, Channel, ConsentVia, Detail, OverridableField, PersonName, Source } from '../events/common.js';
import type { ContactEvent } from '../events/contact.js';
import type { Actor } from '../events/metadata.js';
import type { ContactId } from '../ids.js';

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

/** A contact that exists (or existed) in the school. */
export interface ContactRecord {
  readonly status: 'active' | 'deleted' | 'anonymised';
  readonly contactId: ContactId;
  readonly source: Source;
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

/** The contact commands. */
export type ContactCommand =
  | { readonly type: 'ImportContact'; readonly contactId: ContactId; readonly source: Source & { kind: 'mis' }; readonly name: PersonName; readonly email: Detail | null; readonly mobile: Detail | null }
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
  | { readonly type: 'AnonymiseContact'; readonly contactId: ContactId; readonly today: LocalDate };

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

/** Days between deletion and anonymisation (R-DEL-2). */
export const ANONYMISE_AFTER_DAYS = 14;

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

const newRecord = (contactId: ContactId, source: Source, name: PersonName, email: Detail | null, mobile: Detail | null): ContactRecord => ({
  status: 'active',
  contactId,
  source,
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
  if (event.type === 'ContactImported') {
    const d = event.data;
    return newRecord(d.contactId, d.source, d.name, d.email, d.mobile);
  }
  if (event.type === 'ContactAdded') {
    const d = event.data;
    return newRecord(d.contactId, { kind: 'address-book' }, d.name, d.email, d.mobile);
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
  }
};

const ok = (events: ReadonlyArray<ContactEvent>): E.Either<DomainError, ReadonlyArray<ContactEvent>> => E.right(events);
const notFound = (id: ContactId): DomainError =>
  domainError('not-found', `Contact ${id} is not held by this school; import it or add it to the address book first.`);

const requireActive = (state: ContactState, id: ContactId): E.Either<DomainError, ContactRecord> => {
  if (state.status === 'absent') return E.left(notFound(id));
  if (state.status !== 'active') return E.left(domainError('deleted', `Contact ${id} was deleted; nothing more can be recorded for it.`));
  return E.right(state);
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
        return ok([{ type: 'ContactImported', data: { contactId: cmd.contactId, source: cmd.source, name: cmd.name, email: cmd.email, mobile: cmd.mobile } }]);
      }
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
    case 'AnonymiseContact': {
      if (state.status === 'absent') return E.left(notFound(cmd.contactId));
      if (state.status === 'anonymised') return ok([]);
      if (state.status !== 'deleted' || state.deletedAt === null) {
        return E.left(domainError('not-queued', `Contact ${cmd.contactId} has not been deleted; only deleted people are anonymised.`));
      }
      const due = daysBetween(dateOf(state.deletedAt), cmd.today) >= ANONYMISE_AFTER_DAYS;
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
