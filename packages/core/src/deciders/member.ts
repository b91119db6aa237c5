/** A member's stream: who they are, their roll status, their links, and their deletion (R-IMP-7..8, R-DEL-1..2, R-GRP-1). */
import * as E from 'fp-ts/lib/Either.js';
import type { Instant, LocalDate } from '../clock.js';
import type { Decider } from '../decider.js';
import { domainError, type DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';
import type { Enrolment, Link, MemberKind, PersonName, Source } from '../events/common.js';
import type { ExclusionCause, MemberEvent } from '../events/member.js';
import type { ContactId, MemberId } from '../ids.js';
import { ANONYMISE_AFTER_DAYS, dueForAnonymisation } from '../policies/retention.js';
import type { TimeZone } from '../zone.js';

/** A member that exists (or existed) in the school. */
export interface MemberRecord {
  readonly status: 'active' | 'deletion-queued' | 'deleted' | 'anonymised';
  readonly memberId: MemberId;
  readonly source: Source;
  readonly kind: MemberKind;
  readonly name: PersonName;
  readonly misReference: string | null;
  readonly enrolment: Enrolment;
  readonly links: Readonly<Record<ContactId, Link>>;
  /** The admission date of a pre-admission flagged stale (R-IMP-6), or null. */
  readonly staleSince: LocalDate | null;
  /** Not imported any more because of the settings (never a leaver for that), since when and why; null otherwise. */
  readonly excluded: { readonly because: ExclusionCause; readonly since: Instant } | null;
  readonly deletedAt: Instant | null;
}

/** A member's state: absent until imported or added. */
export type MemberState = { readonly status: 'absent' } | MemberRecord;

/** The member commands. */
export type MemberCommand =
  | {
      readonly type: 'ImportMember';
      readonly memberId: MemberId;
      readonly source: Source & { kind: 'mis' };
      readonly kind: MemberKind;
      readonly name: PersonName;
      readonly misReference: string | null;
      readonly enrolment: Enrolment;
      /** A pre-admission of an earlier intake still open in the MIS (R-IMP-6). */
      readonly stale: boolean;
    }
  | { readonly type: 'SyncLinks'; readonly memberId: MemberId; readonly links: Readonly<Record<ContactId, Link>> }
  | { readonly type: 'AddMember'; readonly memberId: MemberId; readonly kind: MemberKind; readonly name: PersonName }
  | { readonly type: 'EditMember'; readonly memberId: MemberId; readonly name?: PersonName; readonly kind?: MemberKind }
  | { readonly type: 'LinkContact'; readonly memberId: MemberId; readonly contactId: ContactId; readonly link: Link }
  | { readonly type: 'UnlinkContact'; readonly memberId: MemberId; readonly contactId: ContactId }
  /** One person's records became one contact (a merge) or one record became two (a split): the link moves, as it was. */
  | { readonly type: 'RelinkContact'; readonly memberId: MemberId; readonly from: ContactId; readonly to: ContactId }
  | { readonly type: 'MarkLeaver'; readonly memberId: MemberId; readonly leftOn: LocalDate | null }
  /** The settings no longer bring this member across (not a departure). */
  | { readonly type: 'ExcludeMember'; readonly memberId: MemberId; readonly because: ExclusionCause }
  | { readonly type: 'QueueDeletion'; readonly memberId: MemberId }
  | { readonly type: 'CompleteDeletion'; readonly memberId: MemberId }
  | { readonly type: 'AnonymiseMember'; readonly memberId: MemberId; readonly today: LocalDate; readonly timeZone?: TimeZone };

/** The state before any event. */
export const initialMemberState: MemberState = { status: 'absent' };

/** True when the member is a leaver. */
export const isLeaver = (m: MemberRecord): boolean => m.enrolment.status === 'leaver';

/** True when the settings no longer bring the member across ("not imported: excluded by settings"). */
export const isExcluded = (m: MemberRecord): boolean => m.excluded != null;

/** Folds one event into a member's state. */
export const evolveMember = (state: MemberState, event: Recorded<MemberEvent>): MemberState => {
  const at = event.metadata.occurredAt;
  switch (event.type) {
    case 'MemberImported': {
      const d = event.data;
      return { status: 'active', memberId: d.memberId, source: d.source, kind: d.kind, name: d.name, misReference: d.misReference, enrolment: d.enrolment, links: {}, staleSince: null, excluded: null, deletedAt: null };
    }
    case 'MemberAdded': {
      const d = event.data;
      return { status: 'active', memberId: d.memberId, source: { kind: 'address-book' }, kind: d.kind, name: d.name, misReference: null, enrolment: { status: 'on-roll' }, links: {}, staleSince: null, excluded: null, deletedAt: null };
    }
  }
  if (state.status === 'absent') return state;
  const m = state;
  switch (event.type) {
    case 'MemberDetailsChanged': {
      const d = event.data;
      return { ...m, ...(d.name !== undefined ? { name: d.name } : {}), ...(d.misReference !== undefined ? { misReference: d.misReference } : {}), ...(d.kind !== undefined ? { kind: d.kind } : {}) };
    }
    case 'EnrolmentChanged':
      return { ...m, enrolment: event.data.enrolment };
    case 'MarkedLeaver':
      return { ...m, enrolment: { status: 'leaver', leftOn: event.data.leftOn } };
    case 'ContactLinked':
    case 'LinkChanged':
      return { ...m, links: { ...m.links, [event.data.contactId]: event.data.link } };
    case 'ContactUnlinked': {
      const links = { ...m.links };
      delete links[event.data.contactId];
      return { ...m, links };
    }
    case 'StalePreAdmissionFlagged':
      return { ...m, staleSince: event.data.admissionDate };
    case 'StalePreAdmissionCleared':
      return { ...m, staleSince: null };
    case 'MemberExcluded':
      return { ...m, excluded: { because: event.data.because, since: at } };
    case 'ExclusionLifted':
      return { ...m, excluded: null };
    case 'DeletionQueued':
      return { ...m, status: 'deletion-queued' };
    case 'MemberDeleted':
      return { ...m, status: 'deleted', deletedAt: at, links: {} };
    case 'MemberAnonymised':
      return { ...m, status: 'anonymised' };
  }
};

const ok = (events: ReadonlyArray<MemberEvent>): E.Either<DomainError, ReadonlyArray<MemberEvent>> => E.right(events);
const notFound = (id: MemberId): DomainError => domainError('not-found', `Member ${id} is not held by this school.`);

const requireActive = (state: MemberState, id: MemberId): E.Either<DomainError, MemberRecord> => {
  if (state.status === 'absent') return E.left(notFound(id));
  if (state.status !== 'active') return E.left(domainError('deleted', `Member ${id} is deleted or queued for deletion.`));
  return E.right(state);
};

// Field by field: a store may hand data back with its keys in another order (PostgreSQL jsonb does).
const sameEnrolment = (a: Enrolment, b: Enrolment): boolean => {
  switch (a.status) {
    case 'on-roll':
      return b.status === 'on-roll';
    case 'pre-admission':
      return b.status === 'pre-admission' && a.applicationStatus === b.applicationStatus && a.admissionDate === b.admissionDate;
    case 'leaver':
      return b.status === 'leaver' && a.leftOn === b.leftOn;
  }
};
const sameLink = (a: Link, b: Link): boolean =>
  a.relationship === b.relationship && a.priority === b.priority && a.parentalResponsibility === b.parentalResponsibility && a.prime === b.prime && a.source === b.source;

/** Two links of one member to one person (two records joined into one contact): the closer of the two, and any flag either has. */
export const mergeLinks = (held: Link | undefined, next: Link): Link =>
  held === undefined
    ? next
    : {
        relationship: held.priority <= next.priority ? held.relationship : next.relationship,
        priority: Math.min(held.priority, next.priority) as Link['priority'],
        parentalResponsibility: held.parentalResponsibility || next.parentalResponsibility,
        prime: held.prime || next.prime,
        source: held.source === 'mis' || next.source === 'mis' ? 'mis' : 'address-book',
      };

const decideImport = (m: MemberRecord, cmd: Extract<MemberCommand, { type: 'ImportMember' }>): MemberEvent[] => {
  // The settings bring an excluded member across again.
  const events: MemberEvent[] = isExcluded(m) ? [{ type: 'ExclusionLifted', data: { memberId: m.memberId } }] : [];
  const nameChanged = m.name.given !== cmd.name.given || m.name.family !== cmd.name.family;
  const refChanged = m.misReference !== cmd.misReference;
  const kindChanged = m.kind !== cmd.kind;
  if (nameChanged || refChanged || kindChanged) {
    events.push({
      type: 'MemberDetailsChanged',
      data: { memberId: m.memberId, ...(nameChanged ? { name: cmd.name } : {}), ...(refChanged ? { misReference: cmd.misReference } : {}), ...(kindChanged ? { kind: cmd.kind } : {}) },
    });
  }
  if (!sameEnrolment(m.enrolment, cmd.enrolment)) {
    events.push(
      cmd.enrolment.status === 'leaver'
        ? { type: 'MarkedLeaver', data: { memberId: m.memberId, leftOn: cmd.enrolment.leftOn } }
        : { type: 'EnrolmentChanged', data: { memberId: m.memberId, enrolment: cmd.enrolment } },
    );
  }
  events.push(...staleEvents(m.memberId, m.staleSince, cmd));
  return events;
};

const staleEvents = (memberId: MemberId, staleSince: LocalDate | null, cmd: Extract<MemberCommand, { type: 'ImportMember' }>): MemberEvent[] => {
  const stale = cmd.stale && cmd.enrolment.status === 'pre-admission';
  if (stale && cmd.enrolment.status === 'pre-admission' && staleSince !== cmd.enrolment.admissionDate) {
    return [{ type: 'StalePreAdmissionFlagged', data: { memberId, admissionDate: cmd.enrolment.admissionDate } }];
  }
  if (!stale && staleSince !== null) return [{ type: 'StalePreAdmissionCleared', data: { memberId } }];
  return [];
};

/** Decides what a member command records. */
export const decideMember = (cmd: MemberCommand, state: MemberState): E.Either<DomainError, ReadonlyArray<MemberEvent>> => {
  switch (cmd.type) {
    case 'ImportMember':
      if (state.status === 'absent') {
        return ok([
          { type: 'MemberImported', data: { memberId: cmd.memberId, source: cmd.source, kind: cmd.kind, name: cmd.name, misReference: cmd.misReference, enrolment: cmd.enrolment } },
          ...staleEvents(cmd.memberId, null, cmd),
        ]);
      }
      // A deletion is deliberate: the MIS still listing a deleted leaver does not bring them back.
      if (state.status !== 'active') return ok([]);
      if (state.source.kind !== 'mis') return E.left(domainError('invalid-command', `Member ${cmd.memberId} is in the address book; an import never touches it.`));
      return ok(decideImport(state, cmd));
    case 'SyncLinks':
      return E.map((m: MemberRecord): ReadonlyArray<MemberEvent> => {
        const events: MemberEvent[] = [];
        for (const [contactId, link] of Object.entries(m.links)) {
          if (link.source === 'mis' && cmd.links[contactId] === undefined) events.push({ type: 'ContactUnlinked', data: { memberId: m.memberId, contactId } });
        }
        for (const [contactId, link] of Object.entries(cmd.links).sort(([a], [b]) => (a < b ? -1 : 1))) {
          const held = m.links[contactId];
          if (held === undefined) events.push({ type: 'ContactLinked', data: { memberId: m.memberId, contactId, link } });
          else if (!sameLink(held, link)) events.push({ type: 'LinkChanged', data: { memberId: m.memberId, contactId, link } });
        }
        return events;
      })(requireActive(state, cmd.memberId));
    case 'AddMember':
      if (state.status !== 'absent') return E.left(domainError('already-exists', `Member ${cmd.memberId} already exists.`));
      return ok([{ type: 'MemberAdded', data: { memberId: cmd.memberId, kind: cmd.kind, name: cmd.name } }]);
    case 'EditMember':
      return E.chain((m: MemberRecord): E.Either<DomainError, ReadonlyArray<MemberEvent>> => {
        if (m.source.kind === 'mis') return E.left(domainError('edit-at-source', `Member ${m.memberId} comes from the MIS: change them there and run the import.`));
        const nameChanged = cmd.name !== undefined && (cmd.name.given !== m.name.given || cmd.name.family !== m.name.family);
        const kindChanged = cmd.kind !== undefined && cmd.kind !== m.kind;
        return ok(
          nameChanged || kindChanged
            ? [{ type: 'MemberDetailsChanged', data: { memberId: m.memberId, ...(nameChanged ? { name: cmd.name } : {}), ...(kindChanged ? { kind: cmd.kind } : {}) } }]
            : [],
        );
      })(requireActive(state, cmd.memberId));
    case 'LinkContact':
      return E.map((m: MemberRecord): ReadonlyArray<MemberEvent> => {
        const held = m.links[cmd.contactId];
        if (held === undefined) return [{ type: 'ContactLinked', data: { memberId: m.memberId, contactId: cmd.contactId, link: cmd.link } }];
        return sameLink(held, cmd.link) ? [] : [{ type: 'LinkChanged', data: { memberId: m.memberId, contactId: cmd.contactId, link: cmd.link } }];
      })(requireActive(state, cmd.memberId));
    case 'UnlinkContact':
      return E.chain((m: MemberRecord): E.Either<DomainError, ReadonlyArray<MemberEvent>> => {
        const held = m.links[cmd.contactId];
        if (held === undefined) return ok([]);
        if (held.source === 'mis') return E.left(domainError('edit-at-source', `This link comes from the MIS: remove it there and run the import.`));
        return ok([{ type: 'ContactUnlinked', data: { memberId: m.memberId, contactId: cmd.contactId } }]);
      })(requireActive(state, cmd.memberId));
    case 'RelinkContact':
      if (cmd.from === cmd.to) return E.left(domainError('invalid-command', 'A link cannot be moved to the contact it is on.'));
      return E.map((m: MemberRecord): ReadonlyArray<MemberEvent> => {
        const moving = m.links[cmd.from];
        if (moving === undefined) return [];
        const there = m.links[cmd.to];
        const link = mergeLinks(there, moving);
        return [
          { type: 'ContactUnlinked', data: { memberId: m.memberId, contactId: cmd.from } },
          ...(there === undefined
            ? [{ type: 'ContactLinked' as const, data: { memberId: m.memberId, contactId: cmd.to, link } }]
            : sameLink(there, link)
              ? []
              : [{ type: 'LinkChanged' as const, data: { memberId: m.memberId, contactId: cmd.to, link } }]),
        ];
      })(requireActive(state, cmd.memberId));
    case 'MarkLeaver':
      return E.map((m: MemberRecord): ReadonlyArray<MemberEvent> =>
        isLeaver(m) ? [] : [{ type: 'MarkedLeaver', data: { memberId: m.memberId, leftOn: cmd.leftOn } }],
      )(requireActive(state, cmd.memberId));
    case 'ExcludeMember':
      return E.map((m: MemberRecord): ReadonlyArray<MemberEvent> =>
        m.excluded?.because === cmd.because ? [] : [{ type: 'MemberExcluded', data: { memberId: m.memberId, because: cmd.because } }],
      )(requireActive(state, cmd.memberId));
    case 'QueueDeletion':
      if (state.status === 'deletion-queued' || state.status === 'deleted' || state.status === 'anonymised') return ok([]);
      return E.chain((m: MemberRecord): E.Either<DomainError, ReadonlyArray<MemberEvent>> =>
        isLeaver(m) || isExcluded(m) || m.source.kind === 'address-book'
          ? ok([{ type: 'DeletionQueued', data: { memberId: m.memberId } }])
          : E.left(domainError('not-a-leaver', `Member ${m.memberId} is not a leaver; only leavers, members excluded by the settings (or address-book members) can be deleted.`)),
      )(requireActive(state, cmd.memberId));
    case 'CompleteDeletion':
      if (state.status === 'absent') return E.left(notFound(cmd.memberId));
      if (state.status === 'deleted' || state.status === 'anonymised') return ok([]);
      if (state.status !== 'deletion-queued') return E.left(domainError('not-queued', `Member ${cmd.memberId} is not queued for deletion.`));
      return ok([
        ...Object.keys(state.links)
          .sort()
          .map((contactId): MemberEvent => ({ type: 'ContactUnlinked', data: { memberId: state.memberId, contactId } })),
        { type: 'MemberDeleted', data: { memberId: state.memberId } },
      ]);
    case 'AnonymiseMember': {
      if (state.status === 'absent') return E.left(notFound(cmd.memberId));
      if (state.status === 'anonymised') return ok([]);
      if (state.status !== 'deleted' || state.deletedAt === null) return E.left(domainError('not-queued', `Member ${cmd.memberId} has not been deleted; only deleted people are anonymised.`));
      return dueForAnonymisation(state.deletedAt, cmd.today, cmd.timeZone)
        ? ok([{ type: 'MemberAnonymised', data: { memberId: cmd.memberId } }])
        : E.left(domainError('too-early', `Member ${cmd.memberId} is anonymised ${ANONYMISE_AFTER_DAYS} days after deletion, not before.`));
    }
  }
};

/** The member decider. */
export const memberDecider: Decider<MemberCommand, MemberEvent, MemberState> = {
  decide: decideMember,
  evolve: evolveMember,
  initialState: initialMemberState,
};
