/**
 * The fold step: one stored event into every read model. Events at or before the
 * projection's position are ignored, so a replayed subscription (every event twice,
 * or a resume from an older position) leaves the views as they were.
 */
import * as E from 'fp-ts/lib/Either.js';
import { evolveGroup, evolveSchool, type ContactEvent, type StaffEvent, type GroupEvent, type ImportRunEvent, type Link, type MemberEvent, type RawEventLike, type SchoolEvent, type StoredEvent } from '@contactable/core';
import { evolveContactView } from './contactView.js';
import { decodeForProjection, type DecodeFailure } from './decode.js';
import { streamKindOf } from './eventKinds.js';
import { reindexAddresses, reindexLinks } from './indexes.js';
import { trackContactRetention, trackMemberRetention } from './leavers.js';
import { evolveMemberView } from './memberView.js';
import { countMessageSent } from './messages.js';
import { applyImportRunEvent } from './permissionIssues.js';
import { refreshContact, refreshMember } from './refresh.js';
import { createProjection, type Projection } from './state.js';

const NO_LINKS: Readonly<Record<string, Link>> = Object.freeze({});

/** At most this many decode failures are kept (the first ones); a log that bad needs a person, not a longer list. */
export const MAX_FAILURES_KEPT = 10_000;

const applyMemberEvent = (p: Projection, e: StoredEvent<MemberEvent>): void => {
  const id = e.data.memberId;
  let entry = p.members.get(id);
  const before = entry?.record;
  const after = evolveMemberView(before, e);
  if (after === undefined) return;
  if (entry === undefined) {
    entry = { record: after, flags: 0, issueBits: 0, staleRaisedAt: null, primeRaisedAt: null };
    p.members.set(id, entry);
  } else entry.record = after;
  if (before === undefined || before.links !== after.links) reindexLinks(p, id, before?.links ?? NO_LINKS, after.links, e);
  const fresh = before === undefined && after.status === 'active' && after.enrolment.status !== 'leaver';
  if (!fresh && (before === undefined || before.status !== after.status || before.enrolment !== after.enrolment || before.excluded !== after.excluded)) trackMemberRetention(p, id);
  refreshMember(p, entry, e.metadata.occurredAt);
};

const applyContactEvent = (p: Projection, e: StoredEvent<ContactEvent>): void => {
  const id = e.data.contactId;
  if (e.type === 'MessageSent') countMessageSent(p, e.metadata.occurredAt, e.data.channel);
  let entry = p.contacts.get(id);
  const before = entry?.view;
  const after = evolveContactView(before, e);
  if (after === undefined || after === before) return;
  if (entry === undefined) {
    entry = { view: after, members: undefined };
    p.contacts.set(id, entry);
  } else entry.view = after;
  if (before === undefined || before.email !== after.email || before.mobile !== after.mobile || before.status !== after.status) reindexAddresses(p, before, after);
  if (before === undefined || before.status !== after.status) trackContactRetention(p, after);
  refreshContact(p, entry, before, e.metadata.occurredAt);
};

// The list of who may sign in: details without the password hash, which sign-in reads from the account's stream.
const applyStaffEvent = (p: Projection, e: StoredEvent<StaffEvent>): void => {
  const id = e.data.staffId;
  switch (e.type) {
    case 'StaffAdded':
      p.staff.set(id, { staffId: id, email: e.data.email, name: e.data.name, role: e.data.role, addedAt: e.metadata.occurredAt });
      break;
    case 'StaffRoleChanged': {
      const a = p.staff.get(id);
      if (a !== undefined) p.staff.set(id, { ...a, role: e.data.role });
      break;
    }
    case 'StaffPasswordChanged':
      break;
    case 'StaffRemoved':
      p.staff.delete(id);
      break;
  }
};

/** Applies one decoded event; false when it was at or before the projection's position (already taken in). */
export const applyEvent = (p: Projection, e: StoredEvent): boolean => {
  if (e.position <= p.position) return false;
  p.position = e.position;
  if (p.schoolId !== null && e.metadata.schoolId !== p.schoolId) return true;
  switch (streamKindOf(e)) {
    case 'member':
      applyMemberEvent(p, e as StoredEvent<MemberEvent>);
      break;
    case 'contact':
      applyContactEvent(p, e as StoredEvent<ContactEvent>);
      break;
    case 'import':
      applyImportRunEvent(p, e as StoredEvent<ImportRunEvent>);
      break;
    case 'school':
      p.school = evolveSchool(p.school, e as StoredEvent<SchoolEvent>);
      break;
    case 'group': {
      const g = e as StoredEvent<GroupEvent>;
      const next = evolveGroup(p.groups.get(g.data.groupId) ?? { status: 'absent' }, g);
      if (next.status !== 'absent') p.groups.set(g.data.groupId, next);
      break;
    }
    case 'staff':
      applyStaffEvent(p, e as StoredEvent<StaffEvent>);
      break;
    default:
      // Message streams feed no read model here.
      break;
  }
  return true;
};

/** Records an event that does not decode and moves past it. */
export const recordFailure = (p: Projection, failure: DecodeFailure): void => {
  if (failure.position <= p.position) return;
  p.position = failure.position;
  if (p.failures.length < MAX_FAILURES_KEPT) p.failures.push(failure);
};

/** Decodes and applies one raw event from a store; a decode failure is recorded (stream + position), never thrown. */
export const applyRawEvent = (p: Projection, raw: RawEventLike): DecodeFailure | null => {
  if (raw.position <= p.position) return null;
  const decoded = decodeForProjection(raw);
  if (E.isLeft(decoded)) {
    recordFailure(p, decoded.left);
    return decoded.left;
  }
  applyEvent(p, decoded.right);
  return null;
};

/** Folds decoded events (in position order) into a new projection: the pure rebuild. */
export const project = (events: Iterable<StoredEvent>, options: { readonly schoolId?: string | null } = {}): Projection => {
  const p = createProjection(options);
  for (const e of events) applyEvent(p, e);
  return p;
};
