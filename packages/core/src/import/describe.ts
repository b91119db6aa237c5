/** A readable diff summary of a plan: counts and ids, never personal values. */
import type { IdentityMatch } from '../events/contact.js';
import type { IdentityNote, ImportPlan, PlannedCommand } from './plan.js';

const MAX_IDS = 5;
const ids = (list: ReadonlyArray<string>): string =>
  list.length === 0 ? '' : ` (${list.slice(0, MAX_IDS).join(', ')}${list.length > MAX_IDS ? `, +${list.length - MAX_IDS} more` : ''})`;
const count = <C>(list: ReadonlyArray<PlannedCommand<C>>, change: PlannedCommand<C>['change']): ReadonlyArray<string> =>
  list.filter((p) => p.change === change).map((p) => p.id);

/** Counts of a plan by kind of change. */
export const planCounts = (plan: ImportPlan) => ({
  membersAdded: count(plan.members, 'add').length,
  membersChanged: count(plan.members, 'change').length,
  leavers: count(plan.members, 'leaver').length,
  contactsAdded: count(plan.contacts, 'add').length,
  contactsChanged: count(plan.contacts, 'change').length,
  groupsAdded: count(plan.groups, 'add').length,
  groupsChanged: count(plan.groups, 'change').length,
  confirmations: plan.confirmations.length,
  events: [...plan.members, ...plan.contacts, ...plan.groups].reduce((n, p) => n + p.events, 0),
});

/** The plan as lines of text for the office: what would be added, changed, marked leaver, and the issues. */
export const describePlan = (plan: ImportPlan): string => {
  const c = planCounts(plan);
  const skipped = Object.entries(plan.skipped).filter(([, n]) => n > 0).map(([k, n]) => `${n} ${k}`);
  const lines = [
    `Import for school ${plan.schoolId} from ${plan.system} on ${plan.today}${plan.firstImport ? ' (first import: no confirmations are sent)' : ''}`,
    `Members: ${c.membersAdded} added${ids(count(plan.members, 'add'))}, ${c.membersChanged} changed${ids(count(plan.members, 'change'))}, ${c.leavers} leavers${ids(count(plan.members, 'leaver'))}`,
    `Contacts: ${c.contactsAdded} added${ids(count(plan.contacts, 'add'))}, ${c.contactsChanged} changed${ids(count(plan.contacts, 'change'))}`,
    `Groups: ${c.groupsAdded} added${ids(count(plan.groups, 'add'))}, ${c.groupsChanged} changed${ids(count(plan.groups, 'change'))}`,
    `Pre-admissions linked to an existing parent: ${plan.linkedToExistingParent}`,
    `Confirmations to send: ${c.confirmations}`,
    `Issues: ${plan.permissionFailures.length} permission failures${plan.permissionFailures.length > 0 ? ` (${plan.permissionFailures.map((f) => `${f.area}: needs ${f.permissionGroup}`).join('; ')})` : ''}, ${plan.issues.stalePreAdmissions.length} stale pre-admissions${ids(plan.issues.stalePreAdmissions)}, ${plan.issues.invalidEmails.length} invalid emails${ids(plan.issues.invalidEmails)}, ${plan.issues.invalidMobiles.length} invalid mobiles${ids(plan.issues.invalidMobiles)}`,
    ...plan.warnings.map((w) => `Warning (${w.code}): ${w.message}`),
    `Not imported: ${skipped.length === 0 ? 'none' : skipped.join(', ')}`,
    `Events to append: ${c.events}${c.events === 0 ? ' (nothing changed)' : ''}`,
  ];
  return lines.join('\n');
};

const MATCH_WORDS: Readonly<Record<IdentityMatch, string>> = {
  'same-id': 'the same id in the export',
  'same-name-and-email': 'same name and email',
  'same-name-and-mobile': 'same name and mobile',
  'same-name-email-and-mobile': 'same name, email and mobile',
  'staff-decision': 'a decision by staff',
};

const listing = (names: ReadonlyArray<string>): string =>
  names.length <= 1 ? (names[0] ?? '') : `${names.slice(0, -1).join(', ')} and ${names[names.length - 1]}`;

/**
 * One line per person the import found in several records, or joined with a contact already held:
 * "Ngozi Okafor: one contact for Ada Okafor and Ben Okafor (same name and email)". Names come from the
 * export in memory (never stored in a plan or the log); `memberName` names a member by id.
 */
export const describeIdentity = (note: IdentityNote, memberName: (memberId: string) => string | null): string => {
  const who = `${note.name.given} ${note.name.family}`.trim();
  const members = note.memberIds.map((id) => memberName(id) ?? id);
  const forWhom = members.length > 1 ? `one contact for ${listing(members)}` : `one contact for ${note.records} records${members.length === 1 ? ` of ${members[0]}` : ''}`;
  const joined = note.joined.length === 0 ? '' : `; joins ${note.joined.length} contact(s) already held for the same person`;
  return `${who}: ${forWhom} (${MATCH_WORDS[note.because]})${joined}`;
};
