/**
 * planImport: a snapshot + what the school holds + settings + today -> the commands
 * a sync needs, and nothing on unchanged data (R-IMP-1). Pure and O(n): every
 * lookup is a Map. A command is planned only when its decider, run against the
 * held state, decides at least one event, so the plan is exactly the change.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { LocalDate } from '../clock.js';
import { contactDecider, type ContactCommand, type ContactState } from '../deciders/contact.js';
import { groupDecider, type GroupCommand } from '../deciders/group.js';
import { isLeaver, memberDecider, type MemberCommand, type MemberState } from '../deciders/member.js';
import { sameValue } from '../details.js';
import type { Channel, Detail, Link } from '../events/common.js';
import type { DataArea } from '../events/importRun.js';
import { contactIdFor, groupIdFor, memberIdFor } from '../idSource.js';
import { contactStream, groupStream, memberStream, type ContactId, type GroupId, type MemberId } from '../ids.js';
import type { ImportSettings } from '../settings.js';
import { admissionOf, type SkipReason } from './admission.js';
import type { HeldState } from './held.js';
import { permissionGroupFor } from './permissions.js';
import { chooseEmail, chooseMobile, selectLink } from './select.js';
import { sequenceDecider } from './sequence.js';
import type { MisContact, MisLink, MisMember, MisSnapshot } from './snapshot.js';

/** One stream's planned command, and what kind of change it makes. */
export interface PlannedCommand<C> {
  readonly streamId: string;
  readonly id: string;
  readonly command: C;
  readonly change: 'add' | 'change' | 'leaver';
  /** How many events the command decides against the held state. */
  readonly events: number;
}

/** A confirmation to send for a new or changed address or number (R-CON-10); sending is another package's job. */
export interface Confirmation {
  readonly contactId: ContactId;
  readonly channel: Channel;
  readonly address: string;
}

/** Something the office should know (ids and counts only, never personal values). */
export interface PlanWarning {
  readonly code: string;
  readonly message: string;
}

/** What one import would do. */
export interface ImportPlan {
  readonly schoolId: string;
  readonly system: string;
  readonly today: LocalDate;
  /** No import run has finished yet: notifications are never sent (R-IMP-2). */
  readonly firstImport: boolean;
  readonly contacts: ReadonlyArray<PlannedCommand<ContactCommand>>;
  /** One command list per member stream: import, then links (one batch per stream). */
  readonly members: ReadonlyArray<PlannedCommand<ReadonlyArray<MemberCommand>>>;
  readonly groups: ReadonlyArray<PlannedCommand<GroupCommand>>;
  readonly permissionFailures: ReadonlyArray<{ readonly area: DataArea; readonly permissionGroup: string }>;
  readonly warnings: ReadonlyArray<PlanWarning>;
  /** Data issues standing after this import: ids only. */
  readonly issues: {
    readonly stalePreAdmissions: ReadonlyArray<MemberId>;
    readonly invalidEmails: ReadonlyArray<ContactId>;
    readonly invalidMobiles: ReadonlyArray<ContactId>;
  };
  readonly confirmations: ReadonlyArray<Confirmation>;
  /** Why records in the export did not come across, counted. */
  readonly skipped: Readonly<Record<SkipReason | 'excluded' | 'inactive-group' | 'refused', number>>;
  /** Pre-admission links made to an existing parent's contact (R-LNK-4). */
  readonly linkedToExistingParent: number;
}

/** A targeted refresh of one member or one contact, by MIS external id (R-IMP-12). */
export type RefreshTarget = { readonly member: string } | { readonly contact: string };

/** Options of a plan. */
export interface PlanOptions {
  readonly only?: RefreshTarget;
}

/** The number of commands in a plan. */
export const plannedCommandCount = (p: ImportPlan): number => p.contacts.length + p.members.length + p.groups.length;

const memberSequence = sequenceDecider(memberDecider);
const MAX_IDS_IN_MESSAGE = 10;
const idList = (ids: ReadonlyArray<string>): string =>
  ids.length <= MAX_IDS_IN_MESSAGE ? ids.join(', ') : `${ids.slice(0, MAX_IDS_IN_MESSAGE).join(', ')} and ${ids.length - MAX_IDS_IN_MESSAGE} more`;

const parentKey = (email: Detail | null, mobile: Detail | null): string | null =>
  email !== null && mobile !== null && email.valid && mobile.valid ? `${email.value.toLowerCase()}|${mobile.value}` : null;

const setMin = (index: Map<string, ContactId>, key: string | null, id: ContactId): void => {
  if (key === null) return;
  const had = index.get(key);
  if (had === undefined || id < had) index.set(key, id);
};

// Name-based ids cost a SHA-1 each: work each out once per plan.
const memo = (f: (k: string) => string): ((k: string) => string) => {
  const cache = new Map<string, string>();
  return (k) => {
    let v = cache.get(k);
    if (v === undefined) {
      v = f(k);
      cache.set(k, v);
    }
    return v;
  };
};

const heldActive = (s: MemberState | undefined): boolean => s !== undefined && s.status === 'active';

const mergeLink = (held: Link | undefined, next: Link): Link =>
  held === undefined
    ? next
    : {
        relationship: held.priority <= next.priority ? held.relationship : next.relationship,
        priority: Math.min(held.priority, next.priority) as Link['priority'],
        parentalResponsibility: held.parentalResponsibility || next.parentalResponsibility,
        prime: held.prime || next.prime,
        source: 'mis',
      };

/** Plans the import of a snapshot into what a school holds. Pure. */
export const planImport = (
  snapshot: MisSnapshot,
  held: HeldState,
  settings: ImportSettings,
  today: LocalDate,
  options: PlanOptions = {},
): ImportPlan => {
  const schoolId = held.schoolId;
  const { system, region } = snapshot.source;
  const failed = new Set(snapshot.permissionFailures);
  const covered = new Set(snapshot.areas);
  const reads = (a: DataArea): boolean => covered.has(a) && !failed.has(a);
  const excluded = new Set(settings.exceptions);
  const firstImport = held.importRunsFinished === 0;
  const skipped: Record<SkipReason | 'excluded' | 'inactive-group' | 'refused', number> = {
    'not-yet-arrived': 0,
    'pre-admissions-off': 0,
    'application-closed': 0,
    'intake-not-in-future': 0,
    'leaver-not-held': 0,
    excluded: 0,
    'inactive-group': 0,
    refused: 0,
  };
  const memberIdOf = memo((ext: string): MemberId => memberIdFor(schoolId, system, ext));
  const contactIdOf = memo((ext: string): ContactId => contactIdFor(schoolId, system, ext));

  // 1. Who comes across, who becomes a leaver (R-IMP-5..7), who is left out (R-IMP-2 exceptions).
  interface Admitted { readonly m: MisMember; readonly id: MemberId; readonly enrolment: Extract<ReturnType<typeof admissionOf>, { kind: 'import' }>['enrolment']; readonly stale: boolean }
  const admitted: Admitted[] = [];
  const toLeave: MemberId[] = [];
  const seen = new Set<MemberId>();
  const excludedHeld: MemberId[] = [];
  for (const m of snapshot.members) {
    if (!reads(m.kind === 'student' ? 'members' : 'staff')) continue;
    const id = memberIdOf(m.externalId);
    if (seen.has(id)) continue;
    seen.add(id);
    const h = held.members.get(id)?.state;
    if (excluded.has(m.externalId) || m.parentsRefusedSharing) {
      skipped.excluded += 1;
      if (heldActive(h)) excludedHeld.push(id);
      continue;
    }
    const a = admissionOf(m, h, settings, today);
    if (a.kind === 'import') admitted.push({ m, id, enrolment: a.enrolment, stale: a.stale });
    else if (a.kind === 'skip') {
      skipped[a.reason] += 1;
      if (h !== undefined && h.status === 'active' && !isLeaver(h)) toLeave.push(id);
    }
  }
  for (const [id, { state }] of held.members) {
    if (seen.has(id) || state.status !== 'active' || state.source.kind !== 'mis' || state.source.system !== system) continue;
    if (state.kind === 'external' || isLeaver(state) || !reads(state.kind === 'staff' ? 'staff' : 'members')) continue;
    toLeave.push(id);
  }

  // 2. The links that come across (R-IMP-2), and the contacts they need.
  const current = admitted.filter((a) => a.enrolment.status !== 'leaver');
  const contactsByExt = new Map<string, MisContact>(snapshot.contacts.map((c) => [c.externalId, c]));
  const linksByMember = new Map<string, MisLink[]>();
  for (const l of snapshot.links) {
    const list = linksByMember.get(l.memberExternalId);
    if (list === undefined) linksByMember.set(l.memberExternalId, [l]);
    else list.push(l);
  }
  const chosen = new Map<MemberId, Array<{ readonly link: MisLink; readonly prime: boolean }>>();
  const linkedFromSettled = new Set<string>();
  if (reads('contacts')) {
    for (const a of current) {
      const list: Array<{ link: MisLink; prime: boolean }> = [];
      for (const l of linksByMember.get(a.m.externalId) ?? []) {
        const sel = selectLink(l, settings);
        if (!sel.import || !contactsByExt.has(l.contactExternalId)) continue;
        list.push({ link: l, prime: sel.prime });
        if (a.enrolment.status !== 'pre-admission') linkedFromSettled.add(l.contactExternalId);
      }
      chosen.set(a.id, list);
    }
  }
  const detailsMemo = new Map<string, { email: Detail | null; mobile: Detail | null }>();
  const detailsOf = (c: MisContact): { email: Detail | null; mobile: Detail | null } => {
    let d = detailsMemo.get(c.externalId);
    if (d === undefined) {
      // What is held already validated (unless a local edit stands in for it) need not be validated again.
      const h = held.contacts.get(contactIdOf(c.externalId))?.state;
      const a = h !== undefined && h.status === 'active' ? h : null;
      d = {
        email: chooseEmail(c.emails, settings, a !== null && a.overrides.email === undefined ? a.email : null),
        mobile: chooseMobile(c.phones, settings, region, a !== null && a.overrides.mobile === undefined ? a.mobile : null),
      };
      detailsMemo.set(c.externalId, d);
    }
    return d;
  };

  // 3. R-LNK-4: existing parents by (email, mobile): contacts of a member on roll (or staff) in this export,
  // with the details this import gives them. Held state plays no part, so the choice is the same on every run.
  const parents = new Map<string, ContactId>();
  const addressBookByDetail = new Map<string, ContactId>();
  for (const [id, { state }] of held.contacts) {
    if (state.status !== 'active' || state.source.kind !== 'address-book') continue;
    for (const d of [state.email, state.mobile]) if (d !== null && d.valid) addressBookByDetail.set(d.value.toLowerCase(), id);
  }
  for (const ext of linkedFromSettled) {
    const d = detailsOf(contactsByExt.get(ext)!);
    setMin(parents, parentKey(d.email, d.mobile), contactIdOf(ext));
  }

  // 4. Resolve each link to a contact; collect the contacts to import.
  let linkedToExistingParent = 0;
  const contactsToImport = new Map<ContactId, MisContact>();
  const memberLinks = new Map<MemberId, Record<ContactId, Link>>();
  for (const a of current) {
    const links: Record<ContactId, Link> = {};
    for (const { link, prime } of chosen.get(a.id) ?? []) {
      const contact = contactsByExt.get(link.contactExternalId)!;
      const own = contactIdOf(link.contactExternalId);
      let target = own;
      if (a.enrolment.status === 'pre-admission' && !linkedFromSettled.has(link.contactExternalId)) {
        const d = detailsOf(contact);
        const existing = parents.get(parentKey(d.email, d.mobile) ?? '');
        if (existing !== undefined && existing !== own) {
          target = existing;
          linkedToExistingParent += 1;
        }
      }
      if (target === own) contactsToImport.set(own, contact);
      links[target] = mergeLink(links[target], {
        relationship: link.relationship,
        priority: link.priority as Link['priority'],
        parentalResponsibility: link.parentalResponsibility,
        prime,
        source: 'mis',
      });
    }
    memberLinks.set(a.id, links);
  }

  // 5. Contacts (R-IMP-8, R-IMP-9 via the decider; R-CON-1 invalid details kept; R-CON-10 confirmations).
  const contacts: Array<PlannedCommand<ContactCommand>> = [];
  const confirmations: Confirmation[] = [];
  const invalidEmails: ContactId[] = [];
  const invalidMobiles: ContactId[] = [];
  const mixed = new Set<ContactId>();
  const notify = settings.notifyNewOrChangedDetails && !firstImport;
  for (const [id, c] of contactsToImport) {
    const h: ContactState | undefined = held.contacts.get(id)?.state;
    if (h !== undefined && h.status === 'active' && h.source.kind === 'address-book') continue;
    const { email, mobile } = detailsOf(c);
    const command: ContactCommand = { type: 'ImportContact', contactId: id, source: { kind: 'mis', system, externalId: c.externalId }, name: c.name, email, mobile };
    const decided = contactDecider.decide(command, h ?? contactDecider.initialState);
    if (E.isLeft(decided)) {
      skipped.refused += 1;
      continue;
    }
    if (email !== null && !email.valid) invalidEmails.push(id);
    if (mobile !== null && !mobile.valid) invalidMobiles.push(id);
    for (const d of [email, mobile]) {
      const ab = d !== null && d.valid ? addressBookByDetail.get(d.value.toLowerCase()) : undefined;
      if (ab !== undefined) mixed.add(ab);
    }
    if (decided.right.length === 0) continue;
    contacts.push({ streamId: contactStream(id), id, command, change: h === undefined ? 'add' : 'change', events: decided.right.length });
    const optedOut = h !== undefined && h.status === 'active' && h.optedOut !== null;
    if (notify && !optedOut) {
      const heldEmail = h !== undefined && h.status === 'active' ? h.email : null;
      const heldMobile = h !== undefined && h.status === 'active' ? h.mobile : null;
      if (email !== null && email.valid && !sameValue(heldEmail, email)) confirmations.push({ contactId: id, channel: 'email', address: email.value });
      if (mobile !== null && mobile.valid && !sameValue(heldMobile, mobile)) confirmations.push({ contactId: id, channel: 'sms', address: mobile.value });
    }
  }

  // 6. Members: import and links in one batch per stream; then leavers (R-IMP-7).
  const members: Array<PlannedCommand<ReadonlyArray<MemberCommand>>> = [];
  const stalePreAdmissions: MemberId[] = [];
  const planMember = (id: MemberId, commands: ReadonlyArray<MemberCommand>, h: MemberState | undefined): void => {
    const decided = memberSequence.decide(commands, h ?? memberDecider.initialState);
    if (E.isLeft(decided)) {
      skipped.refused += 1;
      return;
    }
    if (decided.right.length === 0) return;
    const leaver = decided.right.some((e) => e.type === 'MarkedLeaver');
    members.push({ streamId: memberStream(id), id, command: commands, change: h === undefined ? 'add' : leaver ? 'leaver' : 'change', events: decided.right.length });
  };
  for (const a of admitted) {
    const h = held.members.get(a.id)?.state;
    if (h !== undefined && h.status !== 'active') continue; // deleted or queued: a deletion is deliberate
    if (a.stale) stalePreAdmissions.push(a.id);
    const commands: MemberCommand[] = [
      { type: 'ImportMember', memberId: a.id, source: { kind: 'mis', system, externalId: a.m.externalId }, kind: a.m.kind, name: a.m.name, misReference: a.m.misReference, enrolment: a.enrolment, stale: a.stale },
    ];
    if (a.enrolment.status !== 'leaver' && reads('contacts')) commands.push({ type: 'SyncLinks', memberId: a.id, links: memberLinks.get(a.id) ?? {} });
    planMember(a.id, commands, h);
  }
  for (const id of toLeave) planMember(id, [{ type: 'MarkLeaver', memberId: id, leftOn: null }], held.members.get(id)?.state);

  // 7. Groups (R-GRP-3): all, or active only; members are those on roll or pre-admitted by this import.
  const groups: Array<PlannedCommand<GroupCommand>> = [];
  if (reads('groups')) {
    const present = new Set(current.map((a) => a.m.externalId));
    // Members of an area this export could not read keep their places (a staff permission failure is not a staff exodus).
    const unread = new Set<MemberId>();
    for (const [id, { state }] of held.members) {
      if (seen.has(id) || state.status !== 'active' || state.kind === 'external' || isLeaver(state)) continue;
      if (!reads(state.kind === 'staff' ? 'staff' : 'members')) unread.add(id);
    }
    for (const g of snapshot.groups) {
      const id: GroupId = groupIdFor(schoolId, system, g.externalId);
      const h = held.groups.get(id)?.state;
      if (settings.groups === 'active' && !g.active && h === undefined) {
        skipped['inactive-group'] += 1;
        continue;
      }
      const command: GroupCommand = {
        type: 'ImportGroup',
        groupId: id,
        source: { kind: 'mis', system, externalId: g.externalId },
        name: g.name,
        groupKind: g.kind,
        active: g.active,
        members: [
          ...g.memberExternalIds.filter((ext) => present.has(ext)).map((ext) => ({ kind: 'member' as const, id: memberIdOf(ext) })),
          ...(h !== undefined && h.status === 'active' && unread.size > 0 ? Object.values(h.members).filter((r) => r.kind === 'member' && unread.has(r.id)) : []),
        ],
      };
      const decided = groupDecider.decide(command, h ?? groupDecider.initialState);
      if (E.isLeft(decided)) {
        skipped.refused += 1;
        continue;
      }
      if (decided.right.length > 0) groups.push({ streamId: groupStream(id), id, command, change: h === undefined ? 'add' : 'change', events: decided.right.length });
    }
  }

  // 8. Permission failures (R-IMP-10) and warnings (R-IMP-11, exceptions still held).
  const warnings: PlanWarning[] = [...(snapshot.warnings ?? [])];
  if (mixed.size > 0) {
    const ids = [...mixed].sort();
    warnings.push({
      code: 'mixed-sources',
      message: `${ids.length} address-book contact(s) share an email address or mobile number with contacts from the MIS (${idList(ids)}): keep each person in one source, the MIS where it has a home (R-IMP-11).`,
    });
  }
  if (excludedHeld.length > 0) {
    warnings.push({
      code: 'excluded-still-held',
      message: `${excludedHeld.length} member(s) now excluded by the exceptions are still held from earlier imports (${idList([...excludedHeld].sort())}); the import leaves them as they are.`,
    });
  }
  const permissionFailures = [...failed].sort().map((area) => ({ area, permissionGroup: permissionGroupFor(area) }));

  const plan: ImportPlan = {
    schoolId,
    system,
    today,
    firstImport,
    contacts,
    members,
    groups,
    permissionFailures,
    warnings,
    issues: { stalePreAdmissions, invalidEmails, invalidMobiles },
    confirmations,
    skipped,
    linkedToExistingParent,
  };
  return options.only === undefined ? plan : restrict(plan, options.only, memberLinks, memberIdOf, contactIdOf);
};

// R-IMP-12: the full plan cut down to one member (with the contacts it links) or one contact.
const restrict = (
  plan: ImportPlan,
  only: RefreshTarget,
  memberLinks: ReadonlyMap<MemberId, Record<ContactId, Link>>,
  memberIdOf: (ext: string) => MemberId,
  contactIdOf: (ext: string) => ContactId,
): ImportPlan => {
  const memberIds = new Set<string>();
  const contactIds = new Set<string>();
  if ('member' in only) {
    const id = memberIdOf(only.member);
    memberIds.add(id);
    for (const c of Object.keys(memberLinks.get(id) ?? {})) contactIds.add(c);
  } else {
    contactIds.add(contactIdOf(only.contact));
  }
  return {
    ...plan,
    members: plan.members.filter((m) => memberIds.has(m.id)),
    contacts: plan.contacts.filter((c) => contactIds.has(c.id)),
    groups: [],
    warnings: [],
    issues: {
      stalePreAdmissions: plan.issues.stalePreAdmissions.filter((id) => memberIds.has(id)),
      invalidEmails: plan.issues.invalidEmails.filter((id) => contactIds.has(id)),
      invalidMobiles: plan.issues.invalidMobiles.filter((id) => contactIds.has(id)),
    },
    confirmations: plan.confirmations.filter((c) => contactIds.has(c.contactId)),
  };
};
