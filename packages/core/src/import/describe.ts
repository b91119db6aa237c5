/** A readable diff summary of a plan: counts and ids, never personal values. */
import type { ImportPlan, PlannedCommand } from './plan.js';

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
