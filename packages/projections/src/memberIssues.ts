/**
 * A member's data issues (R-DSH-3): a stale pre-admission (R-IMP-6), no prime parent or a
 * prime parent with no usable method (R-LNK-5, the core's own policy), a member the settings
 * no longer import (excluded by settings: delete them or change the settings). Raised when the log
 * first shows the problem, kept with that time while it lasts, resolved when it is gone.
 * As events arrive only which issues are open, and since when, is kept (no allocation);
 * the issues themselves are built when asked for, from the member as it stands.
 */
import { primeParentIssue, type Instant, type MemberRecord } from '@contactable/core';
import { asContactState } from './contactView.js';
import { issueId, NO_ISSUES } from './issueStore.js';
import { needsPrimeParent } from './memberView.js';
import { PRIME_ACTIVE, PRIME_REACHABLE } from './primeReach.js';
import type { DataIssue, MemberEntry, Projection } from './state.js';

/** Issue bit: a stale pre-admission. */
export const STALE = 1;
/** Issue bit: no prime parent. */
export const NO_PRIME_PARENT = 2;
/** Issue bit: prime parents, none with a usable method. */
export const NO_USABLE_METHOD = 4;
/** Issue bit: not imported any more, excluded by the settings. */
export const EXCLUDED = 8;
const PRIME_ISSUE = NO_PRIME_PARENT | NO_USABLE_METHOD;

const EXCLUSION_WORDS = {
  'pre-admissions-off': 'pre-admissions are no longer imported',
  exception: 'the student is in the exceptions',
  'parents-refused-sharing': 'the MIS says the parents refused any sharing',
} as const;

/**
 * The open issue bits of a member from its prime reach (primeReach). No active prime parent is
 * the core's no-prime-parent; active ones none of whom is reachable, its no-usable-method.
 */
export const memberIssueBits = (m: MemberRecord, reach: number): number => {
  let bits = m.status === 'active' && m.enrolment.status === 'pre-admission' && m.staleSince !== null ? STALE : 0;
  if (m.status === 'active' && m.excluded != null) bits |= EXCLUDED;
  if (needsPrimeParent(m)) {
    if ((reach & PRIME_ACTIVE) === 0) bits |= NO_PRIME_PARENT;
    else if ((reach & PRIME_REACHABLE) === 0) bits |= NO_USABLE_METHOD;
  }
  return bits;
};

/** Brings a member's open issues in line with the member and its contacts at `at`. */
export const refreshMemberIssues = (p: Projection, entry: MemberEntry, at: Instant, reach: number): void => {
  const was = entry.issueBits;
  const bits = memberIssueBits(entry.record, reach);
  if (bits === 0 && was === 0) return;
  // Any change to a member with issues may change their wording (a second prime parent, a new intake date).
  p.cache.issues = null;
  if (bits === was) return;
  if ((bits & STALE) !== (was & STALE)) entry.staleRaisedAt = bits & STALE ? at : null;
  if ((bits & PRIME_ISSUE) !== (was & PRIME_ISSUE)) entry.primeRaisedAt = bits & PRIME_ISSUE ? at : null;
  entry.issueBits = bits;
  if (bits === 0) p.withIssues.members.delete(entry.record.memberId);
  else if (was === 0) p.withIssues.members.add(entry.record.memberId);
};

/** A member's open issues, built from the member and its contacts as they stand. */
export const memberIssuesOf = (p: Projection, entry: MemberEntry): ReadonlyArray<DataIssue> => {
  const bits = entry.issueBits;
  if (bits === 0) return NO_ISSUES;
  const m = entry.record;
  const memberId = m.memberId;
  const out: DataIssue[] = [];
  if (bits & STALE) {
    out.push({ id: issueId('stale-pre-admission', memberId, null), type: 'stale-pre-admission', memberId, contactId: null, relatedContactId: null, detail: `pre-admission for the intake of ${m.staleSince} is still open in the MIS`, raisedAt: entry.staleRaisedAt! });
  }
  if (bits & EXCLUDED && m.excluded != null) {
    out.push({
      id: issueId('excluded-by-settings', memberId, null),
      type: 'excluded-by-settings',
      memberId,
      contactId: null,
      relatedContactId: null,
      detail: `not imported: excluded by settings (${EXCLUSION_WORDS[m.excluded.because]}); never messaged; ${m.excluded.because === 'pre-admissions-off' ? 'delete them (delete-leavers) or import pre-admissions again' : 'due for deletion (delete-leavers)'}`,
      raisedAt: m.excluded.since,
    });
  }
  if (bits & NO_PRIME_PARENT) {
    out.push({ id: issueId('no-prime-parent', memberId, null), type: 'no-prime-parent', memberId, contactId: null, relatedContactId: null, detail: 'no prime parent is linked', raisedAt: entry.primeRaisedAt! });
  } else if (bits & NO_USABLE_METHOD) {
    // The core's own policy names the prime parents.
    const problem = primeParentIssue(m, (id) => asContactState(p.contacts.get(id)?.view));
    const primes = problem !== null && problem.type === 'no-usable-method' ? problem.contactIds : [];
    out.push({
      id: issueId('no-usable-method', memberId, null),
      type: 'no-usable-method',
      memberId,
      contactId: primes[0] ?? null,
      relatedContactId: null,
      detail: primes.length === 1 ? 'the prime parent has no usable email or mobile' : `none of the ${primes.length} prime parents has a usable email or mobile`,
      raisedAt: entry.primeRaisedAt!,
    });
  }
  return out;
};

/** Sets a member's open issues from saved ones (a snapshot being restored). */
export const restoreMemberIssues = (p: Projection, entry: MemberEntry, issues: ReadonlyArray<DataIssue>): void => {
  for (const i of issues) {
    if (i.type === 'stale-pre-admission') {
      entry.issueBits |= STALE;
      entry.staleRaisedAt = i.raisedAt;
    } else if (i.type === 'excluded-by-settings') {
      entry.issueBits |= EXCLUDED;
    } else if (i.type === 'no-prime-parent' || i.type === 'no-usable-method') {
      entry.issueBits |= i.type === 'no-prime-parent' ? NO_PRIME_PARENT : NO_USABLE_METHOD;
      entry.primeRaisedAt = i.raisedAt;
    }
  }
  if (entry.issueBits !== 0) p.withIssues.members.add(entry.record.memberId);
};
