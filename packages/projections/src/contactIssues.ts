/**
 * A contact's data issues (R-DSH-3), read off its lean view: blocks (R-CON-6), badly formed
 * details (R-CON-1) and overwritten local edits (R-IMP-9). They are a function of the view:
 * raised at the instant the log made them so, gone when the view no longer shows the problem.
 */
import { FAILURES_TO_BLOCK, type BlockCause, type OverridableField } from '@contactable/core';
import { NO_DUPLICATES_VIEW, type ContactView } from './contactView.js';
import { issueId, NO_ISSUES, sameIssues } from './issueStore.js';
import type { DataIssue, Projection } from './state.js';

const BLOCK_DETAIL: Record<BlockCause, string> = {
  'permanent-bounce': `email blocked after ${FAILURES_TO_BLOCK} permanent delivery failures`,
  spam: 'email blocked after a spam complaint',
  'text-delivery-failure': `texts blocked after ${FAILURES_TO_BLOCK} failed texts in a row`,
};

/** The issues a contact's view shows (none for a deleted or anonymised contact, or one not held). */
export const contactIssuesOf = (v: ContactView | undefined): ReadonlyArray<DataIssue> => {
  if (v === undefined) return NO_ISSUES;
  const { blocks, email, mobile, overwritten, possibleDuplicates } = v;
  const quiet = blocks.email === null && blocks.sms === null && (email === null || email.valid) && (mobile === null || mobile.valid) && overwritten.email === undefined && overwritten.mobile === undefined && possibleDuplicates === NO_DUPLICATES_VIEW;
  if (quiet || v.status !== 'active') return NO_ISSUES;
  const contactId = v.contactId;
  const out: DataIssue[] = [];
  const issue = (type: DataIssue['type'], detail: string, raisedAt: string, qualifier?: string, relatedContactId: string | null = null): void => {
    out.push({ id: issueId(type, null, contactId, qualifier), type, memberId: null, contactId, relatedContactId, detail, raisedAt });
  };
  for (const block of [blocks.email, blocks.sms]) if (block !== null) issue(block.cause, BLOCK_DETAIL[block.cause], block.at);
  if (email !== null && !email.valid) issue('invalid-email', 'the email address held is badly formed', v.emailSince);
  if (mobile !== null && !mobile.valid) issue('invalid-mobile', 'the mobile number held is badly formed', v.mobileSince);
  for (const field of ['email', 'mobile'] as ReadonlyArray<OverridableField>) {
    const at = overwritten[field];
    if (at !== undefined) issue('local-override-overwritten', `a local ${field} edit was overwritten by the MIS sync: update it at source`, at, field);
  }
  for (const other of Object.keys(possibleDuplicates).sort()) {
    const d = possibleDuplicates[other]!;
    issue(
      'possible-duplicate-contact',
      d.sharesDetail
        ? 'has the same name and a shared email or mobile as another contact the MIS holds as a different person: check, and fix it in the MIS'
        : 'has the same name as another contact but no shared email or mobile: check whether they are one person (contacts merge) or two',
      d.at,
      other,
      other,
    );
  }
  return out;
};

/** Notes a contact's change of issues: the list of contacts with issues, and the cached list. */
export const refreshContactIssues = (p: Projection, before: ContactView | undefined, after: ContactView): void => {
  const was = contactIssuesOf(before);
  const now = contactIssuesOf(after);
  if (was.length === 0 && now.length === 0) return;
  if (sameIssues(was, now)) return;
  p.cache.issues = null;
  if (now.length === 0) p.withIssues.contacts.delete(after.contactId);
  else p.withIssues.contacts.add(after.contactId);
};
