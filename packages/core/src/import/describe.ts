/** A readable diff summary of a plan: counts and ids, never personal values. */
import type { IdentityMatch } from '../events/contact.js';
import type { IdentityNote, ImportPlan, MassChangeCheck, PlannedCommand } from './plan.js';

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
  excluded: count(plan.members, 'excluded').length,
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
    ...(plan.partial ? ['Partial export: it adds and changes what it holds, and removes no one (no leaver, no unlink, no group member dropped)'] : []),
    `Members: ${c.membersAdded} added${ids(count(plan.members, 'add'))}, ${c.membersChanged} changed${ids(count(plan.members, 'change'))}, ${c.leavers} leavers${ids(count(plan.members, 'leaver'))}, ${c.excluded} not imported: excluded by settings${ids(count(plan.members, 'excluded'))}`,
    `Contacts: ${c.contactsAdded} added${ids(count(plan.contacts, 'add'))}, ${c.contactsChanged} changed${ids(count(plan.contacts, 'change'))}`,
    `Groups: ${c.groupsAdded} added${ids(count(plan.groups, 'add'))}, ${c.groupsChanged} changed${ids(count(plan.groups, 'change'))}`,
    `Pre-admissions linked to an existing parent: ${plan.linkedToExistingParent}`,
    `Confirmations to send: ${c.confirmations}`,
    `Issues: ${plan.permissionFailures.length} permission failures${plan.permissionFailures.length > 0 ? ` (${plan.permissionFailures.map((f) => `${f.area}: needs ${f.permissionGroup}`).join('; ')})` : ''}, ${plan.issues.stalePreAdmissions.length} stale pre-admissions${ids(plan.issues.stalePreAdmissions)}, ${plan.issues.invalidEmails.length} invalid emails${ids(plan.issues.invalidEmails)}, ${plan.issues.invalidMobiles.length} invalid mobiles${ids(plan.issues.invalidMobiles)}`,
    ...(plan.massChange.exceeded ? [`Warning (mass-change): ${describeMassChange(plan.massChange)}`] : []),
    ...plan.warnings.map((w) => `Warning (${w.code}): ${w.message}`),
    `Not imported: ${skipped.length === 0 ? 'none' : skipped.join(', ')}`,
    `Events to append: ${c.events}${c.events === 0 ? ' (nothing changed)' : ''}`,
  ];
  return lines.join('\n');
};

const pct = (n: number, of: number): string => (of === 0 ? '0%' : `${Math.round((100 * n) / of)}%`);

/**
 * The guard's refusal in an office's words: the counts, the year groups most affected, and how to go ahead.
 * Counts and group names only, never a person.
 */
export const describeMassChange = (m: MassChangeCheck): string => {
  const parts = [
    `mark ${m.leavers} of the ${m.onRoll} members on roll leavers (${pct(m.leavers, m.onRoll)})`,
    `unlink ${m.unlinkedContacts} of the ${m.linkedContacts} linked contacts (${pct(m.unlinkedContacts, m.linkedContacts)})`,
  ];
  const groups = m.yearGroups.length === 0 ? '' : ` Most affected: ${m.yearGroups.map((g) => `${g.name} (${g.leavers})`).join(', ')}.`;
  const pupils = m.exportPupils < m.heldPupils ? ` The export lists ${m.exportPupils} pupils on roll; ${m.heldPupils} are held.` : '';
  return (
    `This import would ${parts.join(' and ')}: more than the mass-change threshold of ${m.thresholdPercent}%.${groups}${pupils} ` +
    'Nothing was written. If the export is incomplete (an MIS export gone wrong), fix it and import again; a file holding only some pupils ' +
    'should say it is partial. If the change is real, run the import again with --allow-mass-change --by "Your Name" (recorded on the run).'
  );
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
