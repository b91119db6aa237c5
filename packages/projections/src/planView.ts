/**
 * An import plan as the office reads it: the people it adds, changes and marks as leavers by name
 * and MIS reference (never a bare id), sorted by name, with its issues and warnings in plain words.
 * What the plan's commands carry is used first; people it only refers to are named through the Views.
 */
import type { ContactCommand, GroupCommand, ImportPlan, MemberCommand, PersonName, PlannedCommand } from '@contactable/core';
import { nameSortKey } from '@contactable/core';
import { byString } from './json.js';
import type { Views } from './views.js';
import { officeText } from './words.js';

/** One person or group a plan touches. */
export interface NamedEntry {
  readonly id: string;
  /** "Given Family", or the group's name; "someone not held" when nobody can be named. */
  readonly name: string;
  readonly misReference: string | null;
  /** What changes, in words (for changes), else null. */
  readonly what: string | null;
}

/** The plan, named. */
export interface NamedPlan {
  readonly members: { readonly added: ReadonlyArray<NamedEntry>; readonly changed: ReadonlyArray<NamedEntry>; readonly leavers: ReadonlyArray<NamedEntry> };
  readonly contacts: { readonly added: ReadonlyArray<NamedEntry>; readonly changed: ReadonlyArray<NamedEntry> };
  readonly groups: { readonly added: ReadonlyArray<NamedEntry>; readonly changed: ReadonlyArray<NamedEntry> };
  readonly issues: { readonly stalePreAdmissions: ReadonlyArray<NamedEntry>; readonly invalidEmails: ReadonlyArray<NamedEntry>; readonly invalidMobiles: ReadonlyArray<NamedEntry> };
  readonly permissionFailures: ReadonlyArray<{ readonly area: string; readonly permissionGroup: string }>;
  /** Warnings in plain words, people named. */
  readonly warnings: ReadonlyArray<string>;
  /** Records of the export that did not come across, counted by reason. */
  readonly skipped: ReadonlyArray<{ readonly reason: string; readonly count: number }>;
  readonly events: number;
}

const full = (n: PersonName): string => `${n.given} ${n.family}`.trim();

/** What a plan holds for one contact stream: one command, or a batch of them. */
type ContactCommands = ContactCommand | ReadonlyArray<ContactCommand>;

/** The command that carries a contact's name and details (an import or an add), if the batch has one. */
const contactDetails = (cmds: ContactCommands): Extract<ContactCommand, { type: 'ImportContact' | 'AddContact' }> | undefined =>
  (Array.isArray(cmds) ? (cmds as ReadonlyArray<ContactCommand>) : [cmds as ContactCommand]).find((c): c is Extract<ContactCommand, { type: 'ImportContact' | 'AddContact' }> => c.type === 'ImportContact' || c.type === 'AddContact');
const NOBODY = 'someone not held';

const UUID = /\b[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\b/gi;

/**
 * Text with every id in it replaced by the person or group it names ("Ngozi Okafor (K8012...)"), for
 * messages written with ids (domain errors, plan warnings). Ids nobody can name are left as they are.
 */
export const nameIdsIn = async (text: string, views: Views, known: ReadonlyMap<string, string> = new Map()): Promise<string> => {
  const ids = [...new Set(text.match(UUID) ?? [])];
  if (ids.length === 0) return text;
  const names = new Map<string, string>();
  for (const id of ids) {
    const k = known.get(id);
    if (k !== undefined) {
      names.set(id, k);
      continue;
    }
    const m = await views.member(id);
    if (m !== null) {
      names.set(id, `${full(m.name)}${m.misReference === null ? '' : ` (${m.misReference})`}`);
      continue;
    }
    const c = await views.contact(id);
    if (c !== null) {
      names.set(id, full(c.name));
      continue;
    }
    const g = (await views.findGroups(id))[0];
    if (g !== undefined) names.set(id, `group ${g.value.name}`);
  }
  return text.replace(UUID, (id) => names.get(id) ?? id);
};

const sorted = (list: NamedEntry[]): NamedEntry[] =>
  list.sort((a, b) => byString(a.name.toLowerCase(), b.name.toLowerCase()) || byString(a.id, b.id));

const byPersonName = (n: PersonName): string => nameSortKey(n);

/** Names a plan through the Views (for leavers and people it only refers to). */
export const namePlan = async (plan: ImportPlan, views: Views): Promise<NamedPlan> => {
  const memberNames = new Map<string, { name: string; misReference: string | null; sortKey: string }>();
  const contactNames = new Map<string, { name: string; sortKey: string }>();
  for (const p of plan.members) {
    const imported = p.command.find((c): c is Extract<MemberCommand, { type: 'ImportMember' }> => c.type === 'ImportMember');
    if (imported !== undefined) memberNames.set(p.id, { name: full(imported.name), misReference: imported.misReference, sortKey: byPersonName(imported.name) });
  }
  for (const p of plan.contacts) {
    const c = contactDetails(p.command);
    if (c !== undefined) contactNames.set(p.id, { name: full(c.name), sortKey: byPersonName(c.name) });
  }
  const member = async (id: string, what: string | null): Promise<NamedEntry> => {
    const k = memberNames.get(id);
    if (k !== undefined) return { id, name: k.name, misReference: k.misReference, what };
    const m = await views.member(id);
    return m === null ? { id, name: NOBODY, misReference: null, what } : { id, name: full(m.name), misReference: m.misReference, what };
  };
  const contact = async (id: string, what: string | null): Promise<NamedEntry> => {
    const k = contactNames.get(id);
    if (k !== undefined) return { id, name: k.name, misReference: null, what };
    const c = await views.contact(id);
    return { id, name: c === null ? NOBODY : full(c.name), misReference: null, what };
  };
  const memberChange = async (p: PlannedCommand<ReadonlyArray<MemberCommand>>): Promise<string | null> => {
    const held = await views.member(p.id);
    const imported = p.command.find((c): c is Extract<MemberCommand, { type: 'ImportMember' }> => c.type === 'ImportMember');
    const parts: string[] = [];
    if (imported !== undefined && held !== null) {
      if (full(imported.name) !== full(held.name)) parts.push('name');
      if (imported.misReference !== held.misReference) parts.push('MIS reference');
      if (imported.enrolment.status !== held.roll.status) parts.push('roll status');
    }
    if (p.command.some((c) => c.type === 'SyncLinks')) parts.push('linked people');
    return parts.length === 0 ? 'details' : parts.join(', ');
  };
  const contactChange = async (p: PlannedCommand<ContactCommands>): Promise<string | null> => {
    const held = await views.contact(p.id);
    const c = contactDetails(p.command);
    if (held === null || c === undefined) return 'details';
    const parts: string[] = [];
    if (full(c.name) !== full(held.name)) parts.push('name');
    if ((c.email?.value ?? null) !== (held.email?.value ?? null)) parts.push('email address');
    if ((c.mobile?.value ?? null) !== (held.mobile?.value ?? null)) parts.push('mobile number');
    return parts.length === 0 ? 'details' : parts.join(', ');
  };
  const group = (p: PlannedCommand<GroupCommand>): NamedEntry => {
    const c = p.command;
    return { id: p.id, name: 'name' in c && typeof c.name === 'string' ? c.name : 'a group', misReference: null, what: null };
  };
  const list = async <T>(items: ReadonlyArray<T>, f: (t: T) => Promise<NamedEntry>): Promise<NamedEntry[]> => {
    const out: NamedEntry[] = [];
    for (const i of items) out.push(await f(i));
    return sorted(out);
  };
  const known = new Map<string, string>([
    ...[...memberNames].map(([id, m]): [string, string] => [id, `${m.name}${m.misReference === null ? '' : ` (${m.misReference})`}`]),
    ...[...contactNames].map(([id, c]): [string, string] => [id, c.name]),
  ]);
  const warnings: string[] = [];
  for (const w of plan.warnings) warnings.push(officeText(await nameIdsIn(w.message, views, known)));
  return {
    members: {
      added: await list(plan.members.filter((p) => p.change === 'add'), (p) => member(p.id, null)),
      changed: await list(plan.members.filter((p) => p.change === 'change'), async (p) => member(p.id, await memberChange(p))),
      leavers: await list(plan.members.filter((p) => p.change === 'leaver'), (p) => member(p.id, null)),
    },
    contacts: {
      added: await list(plan.contacts.filter((p) => p.change === 'add'), (p) => contact(p.id, null)),
      changed: await list(plan.contacts.filter((p) => p.change !== 'add'), async (p) => contact(p.id, await contactChange(p))),
    },
    groups: {
      added: sorted(plan.groups.filter((p) => p.change === 'add').map(group)),
      changed: sorted(plan.groups.filter((p) => p.change !== 'add').map(group)),
    },
    issues: {
      stalePreAdmissions: await list(plan.issues.stalePreAdmissions, (id) => member(id, null)),
      invalidEmails: await list(plan.issues.invalidEmails, (id) => contact(id, null)),
      invalidMobiles: await list(plan.issues.invalidMobiles, (id) => contact(id, null)),
    },
    permissionFailures: plan.permissionFailures,
    warnings,
    skipped: Object.entries(plan.skipped).filter(([, n]) => n > 0).map(([reason, count]) => ({ reason: reason.replace(/-/g, ' '), count })),
    events: [...plan.members, ...plan.contacts, ...plan.groups].reduce((n, p) => n + p.events, 0),
  };
};
