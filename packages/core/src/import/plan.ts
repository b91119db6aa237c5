/**
 * planImport: a snapshot + what the school holds + settings + today -> the commands
 * a sync needs, and nothing on unchanged data (R-IMP-1). Pure and O(n): every
 * lookup is a Map. A command is planned only when its decider, run against the
 * held state, decides at least one event, so the plan is exactly the change.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { LocalDate } from '../clock.js';
import { absorbedFrom, contactDecider, type ContactCommand, type ContactState } from '../deciders/contact.js';
import { groupDecider, type GroupCommand } from '../deciders/group.js';
import { isExcluded, isLeaver, memberDecider, mergeLinks, type MemberCommand, type MemberState } from '../deciders/member.js';
import { sameValue } from '../details.js';
import type { Channel, Detail, Link, PersonName } from '../events/common.js';
import type { ContactEvent, IdentityMatch } from '../events/contact.js';
import type { DataArea } from '../events/importRun.js';
import type { ExclusionCause } from '../events/member.js';
import { groupIdFor, memberIdFor } from '../idSource.js';
import { normalisedName } from '../names.js';
import { contactStream, groupStream, memberStream, type ContactId, type GroupId, type MemberId } from '../ids.js';
import type { ImportSettings } from '../settings.js';
import { admissionOf, type SkipReason } from './admission.js';
import type { HeldState } from './held.js';
import { liveContact, resolveIdentities, sourceRefOf, type IdentityRecord } from './identity.js';
import { permissionGroupFor } from './permissions.js';
import { chooseEmail, chooseMobile, selectLink } from './select.js';
import { sequenceDecider } from './sequence.js';
import type { MisContact, MisLink, MisMember, MisSnapshot } from './snapshot.js';

/** One stream's planned command, and what kind of change it makes. */
export interface PlannedCommand<C> {
  readonly streamId: string;
  readonly id: string;
  readonly command: C;
  /** `excluded`: the settings no longer bring the member across (not a departure). */
  readonly change: 'add' | 'change' | 'leaver' | 'excluded';
  /** How many events the command decides against the held state. */
  readonly events: number;
}

/** A confirmation to send for a new or changed address or number (R-CON-10); sending is another package's job. */
export interface Confirmation {
  readonly contactId: ContactId;
  readonly channel: Channel;
  readonly address: string;
}

/**
 * Records of the export found to be one person, or held contacts joined (for the dry run's explanation:
 * "Ngozi Okafor: one contact for Ada Okafor and Ben Okafor (same name and email)"). Held in memory only.
 */
export interface IdentityNote {
  readonly contactId: ContactId;
  readonly name: PersonName;
  /** The members whose links name this person. */
  readonly memberIds: ReadonlyArray<MemberId>;
  /** How many records of the export are this person. */
  readonly records: number;
  /** Held contacts joined into this one by this import. */
  readonly joined: ReadonlyArray<ContactId>;
  readonly because: IdentityMatch;
  /** The contact is new with this import. */
  readonly isNew: boolean;
}

/** A year group (or other MIS group of kind year) and how many of its members the import would mark leavers. */
export interface AffectedGroup {
  readonly groupId: GroupId;
  readonly name: string;
  readonly leavers: number;
}

/**
 * The mass-change guard's figures: an import that would mark more than `thresholdPercent` of the members
 * on roll leavers (and more than 5), unlink more than that share of the linked contacts (and more than 5),
 * or bring a pupil count that far below what is held, is refused unless a named person allows it.
 * A partial export and a targeted refresh remove no one, so they never exceed it.
 */
export interface MassChangeCheck {
  readonly thresholdPercent: number;
  /** Members on roll held from this MIS (students and staff). */
  readonly onRoll: number;
  /** Members the import would mark leavers. */
  readonly leavers: number;
  /** Contacts linked from the MIS to members held. */
  readonly linkedContacts: number;
  /** Contacts that would lose a link from the MIS. */
  readonly unlinkedContacts: number;
  /** Students on roll held, and students on roll in the export. */
  readonly heldPupils: number;
  readonly exportPupils: number;
  /** The year groups with the most leavers, most first (at most 3). */
  readonly yearGroups: ReadonlyArray<AffectedGroup>;
  readonly exceeded: boolean;
}

/** The smallest number of leavers, unlinked contacts or missing pupils the guard ever refuses. */
export const MASS_CHANGE_FLOOR = 5;

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
  /** The export holds only some people: it marks no leaver, unlinks nothing, removes no group member. */
  readonly partial: boolean;
  /** One command list per contact stream (joins, records found to be the person, details), then the contacts joined away. */
  readonly contacts: ReadonlyArray<PlannedCommand<ReadonlyArray<ContactCommand>>>;
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
  /** Records found to be one person, and held contacts joined (R-LNK-1: one person, one contact). */
  readonly identities: ReadonlyArray<IdentityNote>;
  /** The mass-change guard's figures (R-IMP-7). */
  readonly massChange: MassChangeCheck;
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
const contactSequence = sequenceDecider(contactDecider);
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

/**
 * The mass-change guard (R-IMP-7): what share of the members on roll the plan would mark leavers, of
 * the linked contacts it would unlink, and how the export's pupils compare with those held.
 */
const checkMassChange = (
  settings: ImportSettings,
  held: HeldState,
  system: string,
  members: ReadonlyArray<PlannedCommand<ReadonlyArray<MemberCommand>>>,
  unlinked: ReadonlySet<ContactId>,
  exportPupils: number | null,
): MassChangeCheck => {
  const t = settings.massChangeThreshold;
  let onRoll = 0;
  let heldPupils = 0;
  const linked = new Set<ContactId>();
  for (const { state } of held.members.values()) {
    if (state.status !== 'active' || state.source.kind !== 'mis' || state.source.system !== system || isExcluded(state)) continue;
    if (state.enrolment.status === 'on-roll') {
      onRoll += 1;
      if (state.kind === 'student') heldPupils += 1;
    }
    if (isLeaver(state)) continue;
    for (const [c, link] of Object.entries(state.links)) if (link.source === 'mis') linked.add(c);
  }
  const leaverIds = members.filter((m) => m.change === 'leaver').map((m) => m.id);
  const leavers = leaverIds.length;
  const inGroups = new Map<GroupId, AffectedGroup>();
  if (leavers > 0) {
    const leaving = new Set(leaverIds);
    for (const [id, { state: g }] of held.groups) {
      if (g.status !== 'active' || g.source.kind !== 'mis' || !/year/i.test(g.groupKind)) continue;
      const n = Object.values(g.members).filter((r) => r.kind === 'member' && leaving.has(r.id)).length;
      if (n > 0) inGroups.set(id, { groupId: id, name: g.name, leavers: n });
    }
  }
  const over = (n: number, of: number): boolean => n > MASS_CHANGE_FLOOR && n * 100 > t * of;
  const missing = exportPupils === null ? 0 : heldPupils - exportPupils;
  return {
    thresholdPercent: t,
    onRoll,
    leavers,
    linkedContacts: linked.size,
    unlinkedContacts: unlinked.size,
    heldPupils,
    exportPupils: exportPupils ?? heldPupils,
    yearGroups: [...inGroups.values()].sort((a, b) => b.leavers - a.leavers || (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)).slice(0, 3),
    exceeded: over(leavers, onRoll) || over(unlinked.size, linked.size) || over(missing, heldPupils),
  };
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
  // A partial export (one pupil's correction) says nothing about who is not in it: it removes no one.
  const partial = snapshot.partial === true;
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

  // 1. Who comes across, who becomes a leaver (R-IMP-5..7), who is left out by the settings (R-IMP-2):
  //    a member the settings no longer bring across (pre-admissions off, an exception) is excluded, never a leaver.
  interface Admitted { readonly m: MisMember; readonly id: MemberId; readonly enrolment: Extract<ReturnType<typeof admissionOf>, { kind: 'import' }>['enrolment']; readonly stale: boolean }
  const admitted: Admitted[] = [];
  const toLeave: MemberId[] = [];
  const toExclude = new Map<MemberId, ExclusionCause>();
  const seen = new Set<MemberId>();
  let notMarkedInPartial = 0;
  for (const m of snapshot.members) {
    if (!reads(m.kind === 'student' ? 'members' : 'staff')) continue;
    const id = memberIdOf(m.externalId);
    if (seen.has(id)) continue;
    seen.add(id);
    const h = held.members.get(id)?.state;
    if (excluded.has(m.externalId) || m.parentsRefusedSharing) {
      skipped.excluded += 1;
      if (heldActive(h)) toExclude.set(id, excluded.has(m.externalId) ? 'exception' : 'parents-refused-sharing');
      continue;
    }
    const a = admissionOf(m, h, settings, today);
    if (a.kind === 'import') {
      if (partial && a.enrolment.status === 'leaver') notMarkedInPartial += 1;
      else admitted.push({ m, id, enrolment: a.enrolment, stale: a.stale });
    } else if (a.kind === 'skip') {
      skipped[a.reason] += 1;
      if (h === undefined || h.status !== 'active' || isLeaver(h)) continue;
      if (a.reason === 'pre-admissions-off') toExclude.set(id, 'pre-admissions-off');
      else if (partial) notMarkedInPartial += 1;
      else if (!isExcluded(h)) toLeave.push(id);
    }
  }
  if (!partial) {
    for (const [id, { state }] of held.members) {
      if (seen.has(id) || state.status !== 'active' || state.source.kind !== 'mis' || state.source.system !== system) continue;
      if (state.kind === 'external' || isLeaver(state) || isExcluded(state) || !reads(state.kind === 'staff' ? 'staff' : 'members')) continue;
      // Not in the export, but the settings would leave them out anyway: the settings changed, they did not leave.
      if (excluded.has(state.source.externalId)) toExclude.set(id, 'exception');
      else if (!settings.preAdmissions && state.enrolment.status === 'pre-admission') toExclude.set(id, 'pre-admissions-off');
      else toLeave.push(id);
    }
  }

  // 2. The links that come across (R-IMP-2), and the contact records they need.
  const current = admitted.filter((a) => a.enrolment.status !== 'leaver');
  const contactsByExt = new Map<string, MisContact>(snapshot.contacts.map((c) => [c.externalId, c]));
  const linksByMember = new Map<string, MisLink[]>();
  for (const l of snapshot.links) {
    const list = linksByMember.get(l.memberExternalId);
    if (list === undefined) linksByMember.set(l.memberExternalId, [l]);
    else list.push(l);
  }
  const chosen = new Map<MemberId, Array<{ readonly link: MisLink; readonly prime: boolean }>>();
  const linkedRecords = new Set<string>();
  if (reads('contacts')) {
    for (const a of current) {
      const list: Array<{ link: MisLink; prime: boolean }> = [];
      for (const l of linksByMember.get(a.m.externalId) ?? []) {
        const sel = selectLink(l, settings);
        if (!sel.import || !contactsByExt.has(l.contactExternalId)) continue;
        list.push({ link: l, prime: sel.prime });
        linkedRecords.add(l.contactExternalId);
      }
      chosen.set(a.id, list);
    }
  }

  // 3. One person, one contact: which contact each record is (identity.ts), and held contacts to join.
  const records = new Map<string, IdentityRecord>();
  for (const ext of linkedRecords) {
    const contact = contactsByExt.get(ext)!;
    records.set(ext, { contact, positional: contact.positional === true });
  }
  const identities = resolveIdentities(schoolId, system, region, [...records.values()], held.contacts);
  const heldContact = (id: ContactId): ContactState | undefined => held.contacts.get(id)?.state;
  const liveOf = (id: ContactId): ContactId => liveContact(held.contacts, id);
  // A contact staff split for this member sends the member's link to the split-off contact (never re-joined).
  const targetOf = (memberId: MemberId, ext: string): ContactId => {
    const person = identities.contactOf.get(ext)!;
    const h = heldContact(person);
    const split = h !== undefined && h.status !== 'absent' ? h.splits[memberId] : undefined;
    return split === undefined ? person : liveOf(split);
  };

  const detailsMemo = new Map<string, { email: Detail | null; mobile: Detail | null }>();
  const detailsOf = (c: MisContact, target: ContactId): { email: Detail | null; mobile: Detail | null } => {
    const key = `${c.externalId}\u0000${target}`;
    let d = detailsMemo.get(key);
    if (d === undefined) {
      // What is held already validated (unless a local edit stands in for it) need not be validated again.
      const h = heldContact(target);
      const a = h !== undefined && h.status === 'active' ? h : null;
      d = {
        email: chooseEmail(c.emails, settings, a !== null && a.overrides.email === undefined ? a.email : null),
        mobile: chooseMobile(c.phones, settings, region, a !== null && a.overrides.mobile === undefined ? a.mobile : null),
      };
      detailsMemo.set(key, d);
    }
    return d;
  };

  // 4. Resolve each link to a contact, gathering the records that feed each contact.
  // R-LNK-4: a pre-admission's contact who is not a settled pupil's contact joins an existing parent with
  // the same email and mobile. Parents are those of members on roll (or staff) in this export, with the
  // details this import gives them: held state plays no part, so the choice is the same on every run.
  const settledTargets = new Set<ContactId>();
  const firstFeeder = new Map<ContactId, MisContact>();
  for (const a of current) {
    if (a.enrolment.status === 'pre-admission') continue;
    for (const { link } of chosen.get(a.id) ?? []) {
      const t = targetOf(a.id, link.contactExternalId);
      settledTargets.add(t);
      const had = firstFeeder.get(t);
      if (had === undefined || link.contactExternalId < had.externalId) firstFeeder.set(t, contactsByExt.get(link.contactExternalId)!);
    }
  }
  const parents = new Map<string, ContactId>();
  for (const t of settledTargets) {
    const c = firstFeeder.get(t)!;
    const d = detailsOf(c, t);
    setMin(parents, parentKey(d.email, d.mobile), t);
  }
  const addressBookByDetail = new Map<string, ContactId>();
  for (const [id, { state }] of held.contacts) {
    if (state.status !== 'active' || state.source.kind !== 'address-book') continue;
    for (const d of [state.email, state.mobile]) if (d !== null && d.valid) addressBookByDetail.set(d.value.toLowerCase(), id);
  }

  let linkedToExistingParent = 0;
  const feeders = new Map<ContactId, Set<string>>();
  // Records that reach a contact only through a staff split for one member: it takes their details, not their ids.
  const throughSplit = new Set<string>();
  const feedersOfMember = new Map<ContactId, Set<MemberId>>();
  const memberLinks = new Map<MemberId, Record<ContactId, Link>>();
  for (const a of current) {
    const links: Record<ContactId, Link> = {};
    for (const { link, prime } of chosen.get(a.id) ?? []) {
      const own = targetOf(a.id, link.contactExternalId);
      let target = own;
      if (a.enrolment.status === 'pre-admission' && !settledTargets.has(own)) {
        const d = detailsOf(contactsByExt.get(link.contactExternalId)!, own);
        const existing = parents.get(parentKey(d.email, d.mobile) ?? '');
        if (existing !== undefined && existing !== own) {
          target = existing;
          linkedToExistingParent += 1;
        }
      }
      if (target === own) {
        let f = feeders.get(own);
        if (f === undefined) feeders.set(own, (f = new Set()));
        f.add(link.contactExternalId);
        if (identities.contactOf.get(link.contactExternalId) !== own) throughSplit.add(`${own}\u0000${link.contactExternalId}`);
        let ms = feedersOfMember.get(own);
        if (ms === undefined) feedersOfMember.set(own, (ms = new Set()));
        ms.add(a.id);
      }
      links[target] = mergeLinks(links[target], {
        relationship: link.relationship,
        priority: link.priority as Link['priority'],
        parentalResponsibility: link.parentalResponsibility,
        prime,
        source: 'mis',
      });
    }
    if (partial) {
      // A partial export unlinks nothing: the links it does not mention stay as held (a join still moves them).
      const h = held.members.get(a.id)?.state;
      if (h !== undefined && h.status === 'active') {
        for (const [c, link] of Object.entries(h.links)) if (link.source === 'mis' && links[c] === undefined && !identities.merges.has(c)) links[c] = link;
      }
    }
    memberLinks.set(a.id, links);
  }

  // 5. Contacts (R-IMP-8, R-IMP-9 via the decider; R-CON-1 invalid details kept; R-CON-10 confirmations):
  //    held contacts found to be the same person are joined first (the stricter consent stands), then
  //    the records found to be this person are noted, then the details the export holds are synced.
  const contacts: Array<PlannedCommand<ReadonlyArray<ContactCommand>>> = [];
  const joins: Array<PlannedCommand<ReadonlyArray<ContactCommand>>> = [];
  const confirmations: Confirmation[] = [];
  const invalidEmails: ContactId[] = [];
  const invalidMobiles: ContactId[] = [];
  const mixed = new Set<ContactId>();
  const notify = settings.notifyNewOrChangedDetails && !firstImport;
  const absorbedBy = new Map<ContactId, ContactId[]>();
  for (const [from, into] of identities.merges) {
    const list = absorbedBy.get(into);
    if (list === undefined) absorbedBy.set(into, [from]);
    else list.push(from);
  }
  const identityNotes: IdentityNote[] = [];
  const nameOfTarget = new Map<ContactId, PersonName>();
  const planContact = (id: ContactId, commands: ReadonlyArray<ContactCommand>, h: ContactState | undefined, into: Array<PlannedCommand<ReadonlyArray<ContactCommand>>>): ReadonlyArray<ContactEvent> | null => {
    const decided = contactSequence.decide(commands, h ?? contactDecider.initialState);
    if (E.isLeft(decided)) {
      skipped.refused += 1;
      return null;
    }
    if (decided.right.length > 0) into.push({ streamId: contactStream(id), id, command: commands, change: h === undefined ? 'add' : 'change', events: decided.right.length });
    return decided.right;
  };
  for (const id of [...feeders.keys()].sort()) {
    const h = heldContact(id);
    if (h !== undefined && h.status === 'active' && h.source.kind === 'address-book') continue;
    const exts = [...feeders.get(id)!].sort();
    const fed = exts.map((ext) => records.get(ext)!);
    const primary = fed[0]!;
    // Several records of one person: the first well-formed detail of them in id order (the same on every run).
    const details = exts.map((ext) => detailsOf(contactsByExt.get(ext)!, id));
    const email = details.find((d) => d.email !== null && d.email.valid)?.email ?? details.find((d) => d.email !== null)?.email ?? null;
    const mobile = details.find((d) => d.mobile !== null && d.mobile.valid)?.mobile ?? details.find((d) => d.mobile !== null)?.mobile ?? null;
    const because = identities.because.get(id) ?? 'same-id';
    const commands: ContactCommand[] = [
      ...(absorbedBy.get(id) ?? []).sort().flatMap((from): ContactCommand[] => {
        const b = heldContact(from);
        return b === undefined || b.status !== 'active' ? [] : [{ type: 'AbsorbContact', contactId: id, from: absorbedFrom(b), because }];
      }),
      {
        type: 'ImportContact',
        contactId: id,
        source: { kind: 'mis', system, externalId: primary.contact.externalId },
        name: primary.contact.name,
        email,
        mobile,
        ...(primary.positional ? { positional: true } : {}),
      },
      { type: 'AddSources', contactId: id, sources: fed.filter((r) => !throughSplit.has(`${id}\u0000${r.contact.externalId}`)).map((r) => sourceRefOf(system, r)), because },
    ];
    nameOfTarget.set(id, primary.contact.name);
    const events = planContact(id, commands, h, contacts);
    if (events === null) continue;
    if (email !== null && !email.valid) invalidEmails.push(id);
    if (mobile !== null && !mobile.valid) invalidMobiles.push(id);
    for (const d of [email, mobile]) {
      const ab = d !== null && d.valid ? addressBookByDetail.get(d.value.toLowerCase()) : undefined;
      if (ab !== undefined) mixed.add(ab);
    }
    const joined = (absorbedBy.get(id) ?? []).filter((from) => heldContact(from)?.status === 'active').sort();
    const members = [...(feedersOfMember.get(id) ?? [])];
    if (joined.length > 0 || members.length > 1 || exts.length > 1) {
      identityNotes.push({ contactId: id, name: primary.contact.name, memberIds: members.sort(), records: exts.length, joined, because, isNew: h === undefined });
    }
    if (events.length === 0) continue;
    const optedOut = h !== undefined && h.status === 'active' && h.optedOut !== null;
    if (notify && !optedOut) {
      const heldEmail = h !== undefined && h.status === 'active' ? h.email : null;
      const heldMobile = h !== undefined && h.status === 'active' ? h.mobile : null;
      if (email !== null && email.valid && !sameValue(heldEmail, email)) confirmations.push({ contactId: id, channel: 'email', address: email.value });
      if (mobile !== null && mobile.valid && !sameValue(heldMobile, mobile)) confirmations.push({ contactId: id, channel: 'sms', address: mobile.value });
    }
  }
  // The joined contacts step aside only after the one that stays holds their consent (a crash in between leaves both strict).
  for (const [from, into] of [...identities.merges].sort(([a], [b]) => (a < b ? -1 : 1))) {
    const b = heldContact(from);
    planContact(from, [{ type: 'MergeInto', contactId: from, into, because: identities.because.get(into) ?? 'same-id' }], b, joins);
  }
  // A join that a crash left half done (joined away, not yet taken in) is finished.
  for (const [id, { state }] of held.contacts) {
    if (state.status !== 'merged' || state.mergedInto === null || state.schoolId !== schoolId) continue;
    const into = liveOf(id);
    const survivor = heldContact(into);
    if (survivor === undefined || survivor.status !== 'active' || survivor.absorbed.has(id) || identities.merges.has(id)) continue;
    if (contacts.some((c) => c.id === into)) continue;
    planContact(into, [{ type: 'AbsorbContact', contactId: into, from: absorbedFrom(state), because: 'same-id' }], survivor, contacts);
  }
  contacts.push(...joins);

  // Possible duplicates: contacts of this export with the same name that are not one person (a data issue naming both).
  const flags = new Map<ContactId, Map<ContactId, boolean>>();
  // A partial export sees too few people to say who is a possible duplicate of whom (nor to clear a flag).
  if (options.only === undefined && !partial) {
    const byName = new Map<string, ContactId[]>();
    for (const [id, name] of nameOfTarget) {
      const key = normalisedName(name);
      if (key === '') continue;
      const list = byName.get(key);
      if (list === undefined) byName.set(key, [id]);
      else list.push(id);
    }
    const addressesOf = (id: ContactId): Set<string> =>
      new Set([...(feeders.get(id) ?? [])].flatMap((ext) => {
        const d = detailsOf(contactsByExt.get(ext)!, id);
        return [d.email, d.mobile].flatMap((x) => (x !== null && x.valid ? [x.value.toLowerCase()] : []));
      }));
    for (const ids of byName.values()) {
      if (ids.length < 2) continue;
      ids.sort();
      // Each one against the first of its name: a name a hundred parents share gives ninety-nine issues, not thousands.
      const first = ids[0]!;
      const firstAddresses = addressesOf(first);
      for (const other of ids.slice(1)) {
        const h = heldContact(other);
        if (h !== undefined && h.status !== 'absent' && h.apart.has(first)) continue;
        const shares = [...addressesOf(other)].some((a) => firstAddresses.has(a));
        let m = flags.get(other);
        if (m === undefined) flags.set(other, (m = new Map()));
        m.set(first, shares);
      }
    }
    const flagCommands = (id: ContactId): ContactCommand[] => {
      const h = heldContact(id);
      const want = flags.get(id) ?? new Map<ContactId, boolean>();
      const held0 = h !== undefined && h.status !== 'absent' ? h.possibleDuplicates : {};
      return [
        ...Object.keys(held0).filter((o) => !want.has(o)).sort().map((o): ContactCommand => ({ type: 'ClearPossibleDuplicate', contactId: id, otherContactId: o })),
        ...[...want].sort(([a], [b]) => (a < b ? -1 : 1)).map(([o, sharesDetail]): ContactCommand => ({ type: 'FlagPossibleDuplicate', contactId: id, otherContactId: o, sharesDetail })),
      ];
    };
    const planned = new Map(contacts.map((c, i) => [c.id, i]));
    const withFlags = new Set<ContactId>([...flags.keys()]);
    for (const [id, { state }] of held.contacts) if (state.status === 'active' && Object.keys(state.possibleDuplicates).length > 0 && state.schoolId === schoolId) withFlags.add(id);
    for (const id of [...withFlags].sort()) {
      const h = heldContact(id);
      const at = planned.get(id);
      if (at === undefined && (h === undefined || h.status !== 'active')) continue;
      const extra = flagCommands(id);
      if (extra.length === 0) continue;
      if (at !== undefined) {
        const p0 = contacts[at]!;
        const commands = [...p0.command, ...extra];
        const decided = contactSequence.decide(commands, h ?? contactDecider.initialState);
        if (E.isRight(decided)) contacts[at] = { ...p0, command: commands, events: decided.right.length };
      } else {
        const before = contacts.length;
        planContact(id, extra, h, contacts);
        if (contacts.length > before) planned.set(id, before);
      }
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
    const change = h === undefined ? 'add' : decided.right.some((e) => e.type === 'MarkedLeaver') ? 'leaver' : decided.right.some((e) => e.type === 'MemberExcluded') ? 'excluded' : 'change';
    members.push({ streamId: memberStream(id), id, command: commands, change, events: decided.right.length });
  };
  // Links to contacts joined into another move with them (a hand-made link as well as one from the MIS).
  const relinks = (id: MemberId, h: MemberState | undefined): MemberCommand[] =>
    h === undefined || h.status !== 'active'
      ? []
      : Object.keys(h.links)
          .filter((c) => identities.merges.has(c))
          .sort()
          .map((c): MemberCommand => ({ type: 'RelinkContact', memberId: id, from: c, to: identities.merges.get(c)! }));
  const planned = new Set<MemberId>();
  const unlinkedContacts = new Set<ContactId>();
  for (const a of admitted) {
    const h = held.members.get(a.id)?.state;
    if (h !== undefined && h.status !== 'active') continue; // deleted or queued: a deletion is deliberate
    planned.add(a.id);
    if (a.stale) stalePreAdmissions.push(a.id);
    const commands: MemberCommand[] = [
      { type: 'ImportMember', memberId: a.id, source: { kind: 'mis', system, externalId: a.m.externalId }, kind: a.m.kind, name: a.m.name, misReference: a.m.misReference, enrolment: a.enrolment, stale: a.stale },
    ];
    if (a.enrolment.status !== 'leaver' && reads('contacts')) {
      const links = memberLinks.get(a.id) ?? {};
      commands.push({ type: 'SyncLinks', memberId: a.id, links });
      if (h !== undefined) for (const [c, link] of Object.entries(h.links)) if (link.source === 'mis' && links[c] === undefined && !identities.merges.has(c)) unlinkedContacts.add(c);
    }
    commands.push(...relinks(a.id, h));
    planMember(a.id, commands, h);
  }
  for (const id of toLeave) {
    planned.add(id);
    const h = held.members.get(id)?.state;
    planMember(id, [{ type: 'MarkLeaver', memberId: id, leftOn: null }, ...relinks(id, h)], h);
  }
  for (const [id, because] of [...toExclude].sort(([a], [b]) => (a < b ? -1 : 1))) {
    planned.add(id);
    const h = held.members.get(id)?.state;
    planMember(id, [{ type: 'ExcludeMember', memberId: id, because }, ...relinks(id, h)], h);
  }
  if (identities.merges.size > 0) {
    for (const [id, { state }] of held.members) {
      if (planned.has(id) || state.status !== 'active') continue;
      const r = relinks(id, state);
      if (r.length > 0) planMember(id, r, state);
    }
  }

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
      const heldRefs = h !== undefined && h.status === 'active' ? Object.values(h.members).filter((r) => r.kind === 'member') : [];
      const command: GroupCommand = {
        type: 'ImportGroup',
        groupId: id,
        source: { kind: 'mis', system, externalId: g.externalId },
        name: g.name,
        groupKind: g.kind,
        active: g.active,
        members: [
          ...g.memberExternalIds.filter((ext) => present.has(ext)).map((ext) => ({ kind: 'member' as const, id: memberIdOf(ext) })),
          // A partial export removes no group member (but one the settings now exclude is withdrawn at once).
          ...(partial ? heldRefs.filter((r) => !toExclude.has(r.id)) : unread.size > 0 ? heldRefs.filter((r) => unread.has(r.id)) : []),
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
  if (notMarkedInPartial > 0) {
    warnings.push({
      code: 'partial-removes-no-one',
      message: `${notMarkedInPartial} member(s) this partial export lists as leaving were not marked leavers: a partial export adds and changes, and removes no one; a full export will mark them.`,
    });
  }
  const permissionFailures = [...failed].sort().map((area) => ({ area, permissionGroup: permissionGroupFor(area) }));

  const exportPupils = reads('members') && !partial ? snapshot.members.filter((m) => m.kind === 'student' && m.roll.status === 'on-roll').length : null;
  const massChange = checkMassChange(settings, held, system, members, unlinkedContacts, exportPupils);
  const plan: ImportPlan = {
    schoolId,
    system,
    today,
    firstImport,
    partial,
    contacts,
    members,
    groups,
    permissionFailures,
    warnings,
    issues: { stalePreAdmissions, invalidEmails, invalidMobiles },
    confirmations,
    skipped,
    linkedToExistingParent,
    identities: identityNotes,
    massChange: options.only !== undefined || partial ? { ...massChange, exceeded: false } : massChange,
  };
  return options.only === undefined ? plan : restrict(plan, options.only, memberLinks, memberIdOf, (ext) => identities.contactOf.get(ext) ?? null);
};

// R-IMP-12: the full plan cut down to one member (with the contacts it links) or one contact.
const restrict = (
  plan: ImportPlan,
  only: RefreshTarget,
  memberLinks: ReadonlyMap<MemberId, Record<ContactId, Link>>,
  memberIdOf: (ext: string) => MemberId,
  contactOf: (ext: string) => ContactId | null,
): ImportPlan => {
  const memberIds = new Set<string>();
  const contactIds = new Set<string>();
  if ('member' in only) {
    const id = memberIdOf(only.member);
    memberIds.add(id);
    for (const c of Object.keys(memberLinks.get(id) ?? {})) contactIds.add(c);
  } else {
    const id = contactOf(only.contact);
    if (id !== null) contactIds.add(id);
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
    identities: plan.identities.filter((n) => contactIds.has(n.contactId)),
  };
};
