/** Events of a contact's stream (`contact-<id>`). */
import * as t from 'io-ts';
import { Personal } from '../personal.js';
import { BlockCause, Channel, ConsentVia, Detail, InstantCodec, OverridableField, PersonName, Source } from './common.js';
import { defineEvent, type EventOf } from './define.js';

const contactId = { contactId: t.string };
const nullableDetail = t.union([Detail, t.null]);
/** What a provider callback says about itself: who sent it, its own id (for dedupe) and when it happened. */
const feedback = {
  provider: t.string,
  feedbackId: t.string,
  providerMessageId: t.union([t.string, t.null]),
  observedAt: InstantCodec,
};

/**
 * One record of an export, named by the export's own id within its system. `positional` marks an id the
 * parser made from where the record stood (a plain CTF's contact has no id: pupil and order), which says
 * nothing about who the person is; an id the export gives (a SIMS Contact ID, a OneRoster sourcedId) does.
 */
export const ContactSourceRef = t.intersection([t.type({ system: t.string, externalId: t.string }), t.partial({ positional: t.boolean })]);
/** One export record of a contact. */
export type ContactSourceRef = t.TypeOf<typeof ContactSourceRef>;

/** Why export records were taken to be one person (R-LNK-1: one person, one contact). */
export const IdentityMatch = t.keyof({
  'same-id': null,
  'same-name-and-email': null,
  'same-name-and-mobile': null,
  'same-name-email-and-mobile': null,
  'staff-decision': null,
});
/** Why export records were taken to be one person. */
export type IdentityMatch = t.TypeOf<typeof IdentityMatch>;

/** A contact first came across from the MIS. */
export const ContactImported = defineEvent(
  'ContactImported',
  t.intersection([
    t.type({ ...contactId, source: Source, name: PersonName, email: nullableDetail, mobile: nullableDetail }),
    // Absent on events written before identity matching: those ids were the export's own.
    t.partial({ positional: t.boolean }),
  ]),
);
/** A contact was added to the address book by hand (R-GRP-1). */
export const ContactAdded = defineEvent(
  'ContactAdded',
  t.type({ ...contactId, name: PersonName, email: nullableDetail, mobile: nullableDetail }),
);
/** A contact's name, email or mobile changed (from the MIS, or by hand for the address book). */
export const ContactDetailsChanged = defineEvent(
  'ContactDetailsChanged',
  t.intersection([t.type(contactId), t.partial({ name: PersonName, email: nullableDetail, mobile: nullableDetail })]),
);
/** Staff edited an MIS-sourced detail: a temporary override until the next sync (R-IMP-9). */
export const LocalOverrideSet = defineEvent(
  'LocalOverrideSet',
  t.type({ ...contactId, field: OverridableField, value: nullableDetail }),
);
/** A sync replaced a local override with the MIS value: update this at source (R-IMP-9). */
export const LocalOverrideOverwritten = defineEvent(
  'LocalOverrideOverwritten',
  t.type({ ...contactId, field: OverridableField, localValue: nullableDetail }),
);
/** The MIS now holds the value that was set locally: the override is settled (R-IMP-9). */
export const LocalOverrideCaughtUp = defineEvent('LocalOverrideCaughtUp', t.type({ ...contactId, field: OverridableField }));
/** A consent reply's provenance when it came through a provider (a STOP/START text, an unsubscribe). */
const consentFeedback = t.partial({ provider: t.string, feedbackId: t.string, observedAt: InstantCodec });
/** The contact does not want messages (R-CON-2). From a provider, it may repeat (it moves the latest-wish time on). */
export const OptedOut = defineEvent('OptedOut', t.intersection([t.type({ ...contactId, via: ConsentVia }), consentFeedback]));
/** The contact wants messages again (R-CON-2). Only ever explicit, never by an import. */
export const OptedIn = defineEvent('OptedIn', t.intersection([t.type({ ...contactId, via: ConsentVia }), consentFeedback]));
/** A provider delivered a message to this address or number. */
export const DeliverySucceeded = defineEvent(
  'DeliverySucceeded',
  t.type({ ...contactId, channel: Channel, address: Personal, ...feedback }),
);
/** A provider failed to deliver; only permanent failures count towards a block (R-CON-3, R-CON-5). */
export const DeliveryFailed = defineEvent(
  'DeliveryFailed',
  // The provider's failure text often quotes the address ("550 ann@... unknown"), so it is personal data too.
  t.type({ ...contactId, channel: Channel, address: Personal, permanent: t.boolean, detail: t.union([Personal, t.null]), ...feedback }),
);
/** The recipient marked an email as spam (R-CON-4). */
export const SpamComplaintReceived = defineEvent(
  'SpamComplaintReceived',
  t.type({ ...contactId, address: Personal, ...feedback }),
);
/** A channel was blocked and left the usable methods (R-CON-3..6). */
export const Blocked = defineEvent('Blocked', t.type({ ...contactId, channel: Channel, cause: BlockCause, address: Personal }));
/** A person confirmed with the contact and lifted a block (R-CON-7). */
export const ReEnabled = defineEvent(
  'ReEnabled',
  t.type({ ...contactId, channel: Channel, cause: BlockCause, confirmedWithContact: t.literal(true) }),
);
/** The MIS brought a new detail for a channel blocked by failures, so the block lapsed (R-CON-8). */
export const BlockLapsed = defineEvent('BlockLapsed', t.type({ ...contactId, channel: Channel, cause: BlockCause }));
/** A message (or a detail confirmation, R-CON-10) was handed to a provider for this contact. */
export const MessageSent = defineEvent(
  'MessageSent',
  t.type({
    ...contactId,
    messageId: t.string,
    channel: Channel,
    address: Personal,
    provider: t.string,
    providerMessageId: t.string,
    purpose: t.keyof({ message: null, confirmation: null }),
  }),
);
/** The contact was removed (an address-book delete, or the last member they were linked to was deleted). */
export const ContactDeleted = defineEvent('ContactDeleted', t.type(contactId));
/** The contact's personal data was erased (R-DEL-2); the facts remain. */
export const ContactAnonymised = defineEvent('ContactAnonymised', t.type(contactId));

/** More export records were found to be this same person: the next sync brings them to this contact. */
export const ContactSourcesAdded = defineEvent(
  'ContactSourcesAdded',
  t.type({ ...contactId, sources: t.array(ContactSourceRef), because: IdentityMatch }),
);
/**
 * Another contact was found to be this same person and joined into this one (by staff, or by an import
 * under the matching rule): its export records now come here, and the stricter consent of the two stands
 * (its opt-out and blocks follow as their own events).
 */
export const ContactMerged = defineEvent(
  'ContactMerged',
  t.type({ ...contactId, from: t.string, sources: t.array(ContactSourceRef), because: IdentityMatch }),
);
/** This contact was joined into another one, which holds its records and consent from now on. */
export const ContactMergedInto = defineEvent('ContactMergedInto', t.type({ ...contactId, into: t.string, because: IdentityMatch }));
/** Staff said that, for one member, this contact is another person: that member's link moves to a new contact, and the two are never joined again by a sync. */
export const ContactSplit = defineEvent('ContactSplit', t.type({ ...contactId, newContactId: t.string, memberId: t.string }));
/** A contact made by a split, for one member, starting with the details and consent of the contact it was split from. */
export const ContactSplitOff = defineEvent(
  'ContactSplitOff',
  t.type({ ...contactId, from: t.string, memberId: t.string, source: Source, name: PersonName, email: nullableDetail, mobile: nullableDetail }),
);
/** Another contact has the same name and may be the same person: staff should check (a data issue). */
export const PossibleDuplicateFlagged = defineEvent(
  'PossibleDuplicateFlagged',
  t.type({ ...contactId, otherContactId: t.string, sharesDetail: t.boolean }),
);
/** The two are no longer alike (joined, split, renamed, or no longer both held). */
export const PossibleDuplicateCleared = defineEvent('PossibleDuplicateCleared', t.type({ ...contactId, otherContactId: t.string }));

/** Every contact event definition. */
export const contactEvents = [
  ContactImported,
  ContactAdded,
  ContactDetailsChanged,
  LocalOverrideSet,
  LocalOverrideOverwritten,
  LocalOverrideCaughtUp,
  OptedOut,
  OptedIn,
  DeliverySucceeded,
  DeliveryFailed,
  SpamComplaintReceived,
  Blocked,
  ReEnabled,
  BlockLapsed,
  MessageSent,
  ContactDeleted,
  ContactAnonymised,
  ContactSourcesAdded,
  ContactMerged,
  ContactMergedInto,
  ContactSplit,
  ContactSplitOff,
  PossibleDuplicateFlagged,
  PossibleDuplicateCleared,
] as const;

/** An event of a contact's stream. */
export type ContactEvent = EventOf<(typeof contactEvents)[number]>;
