/** Codecs shared by the event catalogue: the words of DOMAIN.md as types. */
import * as t from 'io-ts';
import { Personal } from '../personal.js';

/** A messaging channel: `email` or `sms`. */
export const Channel = t.keyof({ email: null, sms: null });
/** A messaging channel: `email` or `sms`. */
export type Channel = t.TypeOf<typeof Channel>;
/** Both channels, in a fixed order. */
export const CHANNELS: ReadonlyArray<Channel> = ['email', 'sms'];

/** A calendar date, YYYY-MM-DD. */
export const LocalDateCodec = t.refinement(
  t.string,
  (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(s)),
  'LocalDate',
);
/** An ISO 8601 instant. */
export const InstantCodec = t.refinement(t.string, (s) => !Number.isNaN(Date.parse(s)), 'Instant');

/** A person's name; both parts are personal data. */
export const PersonName = t.type({ given: Personal, family: Personal });
/** A person's name. */
export type PersonName = t.TypeOf<typeof PersonName>;

/** Where a member or contact comes from: an MIS record (source of truth) or the address book. */
export const Source = t.union([
  t.type({ kind: t.literal('mis'), system: t.string, externalId: t.string }),
  t.type({ kind: t.literal('address-book') }),
]);
/** Where a member or contact comes from. */
export type Source = t.TypeOf<typeof Source>;

/**
 * A contact detail as held: the address or number (E.164 for a valid mobile),
 * whether it is well formed (R-CON-1), and its MIS location (Home, Work, Mobile...).
 */
export const Detail = t.type({ value: Personal, valid: t.boolean, location: t.string });
/** A contact detail as held. */
export type Detail = t.TypeOf<typeof Detail>;

/** Student, staff, or an external member created by hand. */
export const MemberKind = t.keyof({ student: null, staff: null, external: null });
/** Student, staff, or an external member created by hand. */
export type MemberKind = t.TypeOf<typeof MemberKind>;

/** The standard application statuses that import (R-IMP-5); Rejected and Withdrawn never do. */
export const ApplicationStatus = t.keyof({ applied: null, offered: null, accepted: null, admitted: null, reserved: null });
/** A standard application status that imports. */
export type ApplicationStatus = t.TypeOf<typeof ApplicationStatus>;

/** On roll, a pre-admission (with its application status and intake admission date), or a leaver. */
export const Enrolment = t.union([
  t.type({ status: t.literal('on-roll') }),
  t.type({ status: t.literal('pre-admission'), applicationStatus: ApplicationStatus, admissionDate: LocalDateCodec }),
  t.type({ status: t.literal('leaver'), leftOn: t.union([LocalDateCodec, t.null]) }),
]);
/** A member's roll status. */
export type Enrolment = t.TypeOf<typeof Enrolment>;

/** Member -> contact: relationship, priority (1 = first to call), parental responsibility, prime. */
export const Link = t.type({
  relationship: t.string,
  priority: t.Int,
  parentalResponsibility: t.boolean,
  prime: t.boolean,
  source: t.keyof({ mis: null, 'address-book': null }),
});
/** A member -> contact link. */
export type Link = t.TypeOf<typeof Link>;

/** Why a channel is blocked (R-CON-3..5). */
export const BlockCause = t.keyof({ 'permanent-bounce': null, spam: null, 'text-delivery-failure': null });
/** Why a channel is blocked. */
export type BlockCause = t.TypeOf<typeof BlockCause>;

/** How an opt-out or opt-in came about. */
export const ConsentVia = t.keyof({ staff: null, 'sms-reply': null, 'provider-unsubscribe': null });
/** How an opt-out or opt-in came about. */
export type ConsentVia = t.TypeOf<typeof ConsentVia>;

/** A detail a local override touches (R-IMP-9). */
export const OverridableField = t.keyof({ email: null, mobile: null });
/** A detail a local override touches. */
export type OverridableField = t.TypeOf<typeof OverridableField>;

/** Someone or something in a group: a member or a contact (a Governors group mixes both). */
export const GroupMemberRef = t.type({ kind: t.keyof({ member: null, contact: null }), id: t.string });
/** Someone in a group. */
export type GroupMemberRef = t.TypeOf<typeof GroupMemberRef>;

/** Who a message is for. */
export const Audience = t.union([
  t.type({ kind: t.literal('group'), groupId: t.string }),
  t.type({ kind: t.literal('prime-parents'), memberIds: t.array(t.string) }),
  t.type({ kind: t.literal('parental-responsibility'), memberIds: t.array(t.string) }),
  t.type({ kind: t.literal('contacts'), contactIds: t.array(t.string) }),
]);
/** Who a message is for. */
export type Audience = t.TypeOf<typeof Audience>;
