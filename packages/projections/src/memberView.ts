/** A member as the projections hold it: the core's own fold, with personal data scrubbed once anonymised (R-DEL-2). */
import {
  ERASED,
  evolveMember,
  initialMemberState,
  type ApplicationStatus,
  type ExclusionCause,
  type Instant,
  type LocalDate,
  type MemberEvent,
  type MemberRecord,
  type Recorded,
} from '@contactable/core';

/** Replaces the member's personal values with `XXXX`: the same record a rebuild after erasure gives. */
export const scrubMember = (m: MemberRecord): MemberRecord => ({
  ...m,
  name: { given: ERASED, family: ERASED },
  misReference: m.misReference === null ? null : ERASED,
});

/** Folds one member event with the core's `evolveMember`; undefined while the member is not held. */
export const evolveMemberView = (m: MemberRecord | undefined, event: Recorded<MemberEvent>): MemberRecord | undefined => {
  const next = evolveMember(m ?? initialMemberState, event);
  if (next.status === 'absent') return undefined;
  return event.type === 'MemberAnonymised' ? scrubMember(next) : next;
};

/** A member's roll status as the members list shows it. */
export type RollStatus =
  | { readonly status: 'on-roll' }
  | { readonly status: 'pre-admission'; readonly applicationStatus: ApplicationStatus; readonly admissionDate: LocalDate }
  | { readonly status: 'leaver'; readonly leftOn: LocalDate | null; readonly deletionQueued: boolean }
  /** "Not imported: excluded by settings": the settings no longer bring them across; never a leaver for that. */
  | { readonly status: 'excluded'; readonly because: ExclusionCause; readonly since: Instant; readonly deletionQueued: boolean }
  | { readonly status: 'deleted'; readonly deletedAt: Instant | null; readonly anonymised: boolean };

/** The roll status of a member: deletion wins, then exclusion by the settings, then enrolment; a queued deletion shows on the leaver. */
export const rollStatusOf = (m: MemberRecord): RollStatus => {
  if (m.status === 'deleted' || m.status === 'anonymised') return { status: 'deleted', deletedAt: m.deletedAt, anonymised: m.status === 'anonymised' };
  if (m.excluded != null) return { status: 'excluded', because: m.excluded.because, since: m.excluded.since, deletionQueued: m.status === 'deletion-queued' };
  const e = m.enrolment;
  if (e.status === 'leaver') return { status: 'leaver', leftOn: e.leftOn, deletionQueued: m.status === 'deletion-queued' };
  // An address-book member queued for deletion was never on a roll to leave: show them as leaving.
  if (m.status === 'deletion-queued') return { status: 'leaver', leftOn: null, deletionQueued: true };
  return e.status === 'on-roll' ? { status: 'on-roll' } : { status: 'pre-admission', applicationStatus: e.applicationStatus, admissionDate: e.admissionDate };
};

/** True for a student on roll: the students the dashboard counts (R-DSH-1; pre-admissions, leavers and the excluded are not counted). */
export const isCountedStudent = (m: MemberRecord | undefined): boolean =>
  m !== undefined && m.status === 'active' && m.kind === 'student' && m.enrolment.status === 'on-roll' && m.excluded == null;

/** True for a student who needs a reachable prime parent (R-LNK-5): on roll or a pre-admission, not a leaver, excluded or deleted. */
export const needsPrimeParent = (m: MemberRecord | undefined): boolean =>
  m !== undefined && m.status === 'active' && m.kind === 'student' && m.enrolment.status !== 'leaver' && m.excluded == null;
