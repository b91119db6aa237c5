/**
 * Leavers awaiting deletion (R-DEL-1), members the settings no longer import (excluded: their own
 * list and rule), and deleted people awaiting anonymisation 14 school days on (R-DEL-2).
 */
import { anonymisationDueOn, dueForAnonymisation, type ContactId, type ExclusionCause, type Instant, type LocalDate, type MemberId, type MemberKind, type PersonName, type TimeZone } from '@contactable/core';
import type { ContactView } from './contactView.js';
import { byString } from './json.js';
import type { Projection } from './state.js';

/** A leaver not yet deleted. */
export interface LeaverAwaitingDeletion {
  readonly memberId: MemberId;
  readonly kind: MemberKind;
  readonly name: PersonName;
  readonly leftOn: LocalDate | null;
  /** Deletion was chosen and queued (R-DEL-1). */
  readonly deletionQueued: boolean;
}

/**
 * A member the settings no longer import ("not imported: excluded by settings"). Their rule: never
 * messaged; kept until staff delete them or the settings bring them back, except that one excluded by
 * an exception or refused sharing is due for deletion at once (the parents said no).
 */
export interface ExcludedBySettings {
  readonly memberId: MemberId;
  readonly kind: MemberKind;
  readonly name: PersonName;
  readonly because: ExclusionCause;
  readonly since: Instant;
  /** Due for deletion now (an exception or refused sharing), rather than kept until the settings change. */
  readonly deletionDue: boolean;
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

/** The lists, sorted by id. */
export interface LeaversView {
  readonly awaitingDeletion: ReadonlyArray<LeaverAwaitingDeletion>;
  readonly excludedBySettings: ReadonlyArray<ExcludedBySettings>;
  readonly awaitingAnonymisation: ReadonlyArray<AwaitingAnonymisation>;
}

/** Keeps the leaver sets right for one member. */
export const trackMemberRetention = (p: Projection, memberId: MemberId): void => {
  const m = p.members.get(memberId)?.record;
  const awaiting = m !== undefined && (m.status === 'deletion-queued' || (m.status === 'active' && (m.enrolment.status === 'leaver' || m.excluded != null)));
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

const awaitingAnon = (subject: 'member' | 'contact', id: string, name: PersonName, deletedAt: Instant | null, today: LocalDate, zone: TimeZone): AwaitingAnonymisation => {
  const at = deletedAt ?? '1970-01-01T00:00:00.000Z';
  return { subject, id, name, deletedAt: at, dueOn: anonymisationDueOn(at, zone), due: dueForAnonymisation(deletedAt, today, zone) };
};

/** Leavers awaiting deletion, the excluded, and deleted members and contacts awaiting anonymisation as of `today` (the school's day, in its zone). */
export const leavers = (p: Projection, today: LocalDate): LeaversView => {
  const zone = p.school.timeZone;
  const awaitingDeletion: LeaverAwaitingDeletion[] = [];
  const excludedBySettings: ExcludedBySettings[] = [];
  for (const memberId of [...p.awaitingDeletion].sort(byString)) {
    const m = p.members.get(memberId)!.record;
    const deletionQueued = m.status === 'deletion-queued';
    if (m.excluded != null) {
      const { because, since } = m.excluded;
      excludedBySettings.push({ memberId, kind: m.kind, name: m.name, because, since, deletionDue: because !== 'pre-admissions-off', deletionQueued });
    } else awaitingDeletion.push({ memberId, kind: m.kind, name: m.name, leftOn: m.enrolment.status === 'leaver' ? m.enrolment.leftOn : null, deletionQueued });
  }
  const members = [...p.deletedMembers].sort(byString).map((id) => {
    const m = p.members.get(id)!.record;
    return awaitingAnon('member', id, m.name, m.deletedAt, today, zone);
  });
  const contacts = [...p.deletedContacts].sort(byString).map((id) => {
    const c = p.contacts.get(id)!.view!;
    return awaitingAnon('contact', id, c.name, c.deletedAt, today, zone);
  });
  return { awaitingDeletion, excludedBySettings, awaitingAnonymisation: [...members, ...contacts] };
};
