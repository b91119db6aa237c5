/** Leavers awaiting deletion (R-DEL-1) and deleted people awaiting anonymisation 14 days on (R-DEL-2). */
import { ANONYMISE_AFTER_DAYS, dateOf, dueForAnonymisation, type ContactId, type Instant, type LocalDate, type MemberId, type MemberKind, type PersonName } from '@contactable/core';
import type { ContactView } from './contactView.js';
import { byString } from './json.js';
import type { Projection } from './state.js';
import { addDays } from './time.js';

/** A leaver not yet deleted. */
export interface LeaverAwaitingDeletion {
  readonly memberId: MemberId;
  readonly kind: MemberKind;
  readonly name: PersonName;
  readonly leftOn: LocalDate | null;
  /** Deletion was chosen and queued (R-DEL-1). */
  readonly deletionQueued: boolean;
}

/** A deleted member or contact whose personal data is still held. */
export interface AwaitingAnonymisation {
  readonly subject: 'member' | 'contact';
  readonly id: MemberId | ContactId;
  readonly name: PersonName;
  readonly deletedAt: Instant;
  /** The first day anonymisation is due (deletion day + 14). */
  readonly dueOn: LocalDate;
  /** Due on `today` (the core's retention policy). */
  readonly due: boolean;
}

/** Both lists, sorted by id. */
export interface LeaversView {
  readonly awaitingDeletion: ReadonlyArray<LeaverAwaitingDeletion>;
  readonly awaitingAnonymisation: ReadonlyArray<AwaitingAnonymisation>;
}

/** Keeps the leaver sets right for one member. */
export const trackMemberRetention = (p: Projection, memberId: MemberId): void => {
  const m = p.members.get(memberId)?.record;
  const awaiting = m !== undefined && (m.status === 'deletion-queued' || (m.status === 'active' && m.enrolment.status === 'leaver'));
  if (awaiting) p.awaitingDeletion.add(memberId);
  else p.awaitingDeletion.delete(memberId);
  if (m !== undefined && m.status === 'deleted') p.deletedMembers.add(memberId);
  else p.deletedMembers.delete(memberId);
};

/** Keeps the deleted-contacts set right for one contact. */
export const trackContactRetention = (p: Projection, v: ContactView): void => {
  if (v.status === 'deleted') p.deletedContacts.add(v.contactId);
  else p.deletedContacts.delete(v.contactId);
};

const awaitingAnon = (subject: 'member' | 'contact', id: string, name: PersonName, deletedAt: Instant | null, today: LocalDate): AwaitingAnonymisation => {
  const at = deletedAt ?? '1970-01-01T00:00:00.000Z';
  return { subject, id, name, deletedAt: at, dueOn: addDays(dateOf(at), ANONYMISE_AFTER_DAYS), due: dueForAnonymisation(deletedAt, today) };
};

/** Leavers awaiting deletion, and deleted members and contacts awaiting anonymisation as of `today`. */
export const leavers = (p: Projection, today: LocalDate): LeaversView => {
  const awaitingDeletion = [...p.awaitingDeletion].sort(byString).map((memberId): LeaverAwaitingDeletion => {
    const m = p.members.get(memberId)!.record;
    return { memberId, kind: m.kind, name: m.name, leftOn: m.enrolment.status === 'leaver' ? m.enrolment.leftOn : null, deletionQueued: m.status === 'deletion-queued' };
  });
  const members = [...p.deletedMembers].sort(byString).map((id) => {
    const m = p.members.get(id)!.record;
    return awaitingAnon('member', id, m.name, m.deletedAt, today);
  });
  const contacts = [...p.deletedContacts].sort(byString).map((id) => {
    const c = p.contacts.get(id)!.view!;
    return awaitingAnon('contact', id, c.name, c.deletedAt, today);
  });
  return { awaitingDeletion, awaitingAnonymisation: [...members, ...contacts] };
};
