/** After a member or contact changed: its dashboard count and its data issues, and those of the members a contact change reaches. */
import { refreshContactIssues } from './contactIssues.js';
import { reachability, type ContactView } from './contactView.js';
import { refreshStudent } from './dashboardCounters.js';
import { refreshMemberIssues } from './memberIssues.js';
import { primeReach } from './primeReach.js';
import type { ContactEntry, MemberEntry, Projection } from './state.js';

/** Recounts a member on the dashboard and brings its issues up to date at `at`. */
export const refreshMember = (p: Projection, entry: MemberEntry, at: string): void => {
  const reach = primeReach(p, entry.record);
  refreshStudent(p, entry, reach);
  refreshMemberIssues(p, entry, at, reach);
};

/** Brings a changed contact's issues up to date, and the members linked to it when its reachability changed. */
export const refreshContact = (p: Projection, entry: ContactEntry, before: ContactView | undefined, at: string): void => {
  const after = entry.view!;
  refreshContactIssues(p, before, after);
  // Members care only whether their contacts can be reached; most contact events change nothing of that.
  if (reachability(after) === reachability(before)) return;
  const linked = entry.members;
  if (typeof linked === 'string') refreshMember(p, p.members.get(linked)!, at);
  else if (linked !== undefined) for (const memberId of linked) refreshMember(p, p.members.get(memberId)!, at);
};
