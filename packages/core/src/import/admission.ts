/**
 * Whether one MIS member comes across today, and as what (R-IMP-5, R-IMP-6, R-IMP-7).
 *
 * Pre-admissions: R-IMP-5 wants the intake's admission date in the future, yet
 * R-IMP-6 keeps importing one from an earlier intake whose status was never closed.
 * We read the two together as: a pre-admission is first imported only while its
 * intake date is in the future; once held, it keeps coming across after that date,
 * flagged stale once the date has passed, until the MIS admits or closes it.
 */
import type { LocalDate } from '../clock.js';
import type { MemberState } from '../deciders/member.js';
import type { ApplicationStatus, Enrolment } from '../events/common.js';
import type { ImportSettings } from '../settings.js';
import type { MisMember, StandardApplicationStatus } from './snapshot.js';

/** Why a member in the export does not come across. */
export type SkipReason =
  | 'not-yet-arrived'
  | 'pre-admissions-off'
  | 'application-closed'
  | 'intake-not-in-future'
  | 'leaver-not-held';

/** What to do with one MIS member today. */
export type Admission =
  | { readonly kind: 'import'; readonly enrolment: Enrolment; readonly stale: boolean }
  | { readonly kind: 'keep' }
  | { readonly kind: 'skip'; readonly reason: SkipReason };

const IMPORTED_STATUSES: ReadonlySet<StandardApplicationStatus> = new Set(['applied', 'offered', 'accepted', 'admitted', 'reserved']);

/** True when a standard application status imports (a custom status counts as its linked status; Rejected and Withdrawn never do). */
export const applicationImports = (s: StandardApplicationStatus): s is ApplicationStatus => IMPORTED_STATUSES.has(s);

const isHeldActive = (held: MemberState | undefined): boolean => held !== undefined && held.status === 'active';

/** Decides what one MIS member becomes today, given what is held for them. */
export const admissionOf = (m: MisMember, held: MemberState | undefined, settings: ImportSettings, today: LocalDate): Admission => {
  const roll = m.roll;
  switch (roll.status) {
    case 'on-roll':
      // R-IMP-5: entered directly with a future admission date, they arrive on that date.
      if (roll.admissionDate !== null && roll.admissionDate > today) return isHeldActive(held) ? { kind: 'keep' } : { kind: 'skip', reason: 'not-yet-arrived' };
      return { kind: 'import', enrolment: { status: 'on-roll' }, stale: false };
    case 'leaver':
      // R-IMP-7: a leaver is marked; one never held is not brought in just to be a leaver.
      return isHeldActive(held) ? { kind: 'import', enrolment: { status: 'leaver', leftOn: roll.leftOn }, stale: false } : { kind: 'skip', reason: 'leaver-not-held' };
    case 'applicant': {
      if (!settings.preAdmissions) return { kind: 'skip', reason: 'pre-admissions-off' };
      const standard = roll.application.standardStatus;
      if (!applicationImports(standard)) return { kind: 'skip', reason: 'application-closed' };
      const enrolment: Enrolment = { status: 'pre-admission', applicationStatus: standard, admissionDate: roll.intakeAdmissionDate };
      if (roll.intakeAdmissionDate > today) return { kind: 'import', enrolment, stale: false };
      if (!isHeldActive(held)) return { kind: 'skip', reason: 'intake-not-in-future' };
      return { kind: 'import', enrolment, stale: roll.intakeAdmissionDate < today };
    }
  }
};
