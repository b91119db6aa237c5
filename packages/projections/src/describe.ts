/** Phrases shared by the audit trail and explanations. Values shown here read `XXXX` once the store has erased them. */
import { describeActor, type Actor, type Channel, type ConsentVia, type Detail, type Enrolment, type Link, type PersonName } from '@contactable/core';

/** A person's name as one string. */
export const fullName = (n: PersonName): string => `${n.given} ${n.family}`;

/** What a channel's detail is called. */
export const detailNoun = (channel: Channel): string => (channel === 'email' ? 'email address' : 'mobile number');

/** A detail as held: value, validity and location. */
export const describeDetail = (d: Detail | null): string => (d === null ? 'none' : `${d.value}${d.valid ? '' : ' (badly formed)'} (${d.location})`);

/** A roll status in words. */
export const describeEnrolment = (e: Enrolment): string =>
  e.status === 'on-roll'
    ? 'on roll'
    : e.status === 'pre-admission'
      ? `pre-admission (${e.applicationStatus}, intake ${e.admissionDate})`
      : `leaver${e.leftOn === null ? '' : ` (left ${e.leftOn})`}`;

const yesNo = (b: boolean): string => (b ? 'yes' : 'no');

/** A link in words. */
export const describeLink = (l: Link): string =>
  `${l.relationship}, priority ${l.priority}${l.prime ? ', prime' : ''}${l.parentalResponsibility ? ', parental responsibility' : ''} (${l.source})`;

/** What changed between two links. */
export const diffLink = (a: Link | undefined, b: Link): string => {
  if (a === undefined) return describeLink(b);
  const parts: string[] = [];
  if (a.relationship !== b.relationship) parts.push(`relationship ${a.relationship} → ${b.relationship}`);
  if (a.priority !== b.priority) parts.push(`priority ${a.priority} → ${b.priority}`);
  if (a.prime !== b.prime) parts.push(`prime ${yesNo(a.prime)} → ${yesNo(b.prime)}`);
  if (a.parentalResponsibility !== b.parentalResponsibility) parts.push(`parental responsibility ${yesNo(a.parentalResponsibility)} → ${yesNo(b.parentalResponsibility)}`);
  if (a.source !== b.source) parts.push(`source ${a.source} → ${b.source}`);
  return parts.length === 0 ? 'no change' : parts.join('; ');
};

/** How an opt-out or opt-in came about. */
export const describeVia = (via: ConsentVia): string =>
  via === 'staff' ? 'recorded by staff' : via === 'sms-reply' ? 'by text reply' : 'by unsubscribing';

/** "by J. Smith", "by import run-7", "from the twilio callback". */
export const byActor = (actor: Actor): string => (actor.kind === 'provider' ? `from the ${describeActor(actor)}` : `by ${describeActor(actor)}`);

/** ", reason: code (free text)" when a reason was given: the code stays readable after erasure, the text reads XXXX. */
export const withReason = (reason: string | null, code?: string | null): string => {
  const text = reason === null || reason === '' ? null : reason;
  const c = code === undefined || code === null || code === '' ? null : code;
  if (text === null && c === null) return '';
  return `, reason: ${c === null ? text : text === null ? c : `${c} (${text})`}`;
};
