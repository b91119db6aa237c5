/**
 * The audit trail (R-AUD-1, R-DEL-4): every event of a member's or contact's stream in
 * order, with time, actor, reason, type and what changed. It is read from the store on
 * demand and never cached, so once a person is erased their values read `XXXX` here too.
 */
import {
  describeActor,
  type Actor,
  type ContactEvent,
  type GroupEvent,
  type ImportRunEvent,
  type Instant,
  type MemberEvent,
  type MemberRecord,
  type MessageEvent,
  type SchoolEvent,
  type StaffEvent,
  type StoredEvent,
 type IdentityMatch, } from '@contactable/core';
import { evolveContactView, type ContactView } from './contactView.js';
import { describeDetail, describeEnrolment, describeLink, describeVia, diffLink, fullName } from './describe.js';
import { isContactEvent, isMemberEvent } from './eventKinds.js';
import { evolveMemberView } from './memberView.js';
import { instantMs } from './time.js';

/** One line of an audit trail. */
export interface AuditEntry {
  readonly position: number;
  readonly streamId: string;
  readonly version: number;
  readonly at: Instant;
  /** Who, in words (the core's describeActor). */
  readonly actor: string;
  readonly actorKind: Actor['kind'];
  /** The free-text reason (personal data: `XXXX` once the person it concerns is erased). */
  readonly reason: string | null;
  /** The short non-personal reason code (`phoned-to-stop`, `bounce`, `MIS import`); null on events recorded before codes existed. */
  readonly reasonCode: string | null;
  readonly type: string;
  /** What changed, in words. */
  readonly summary: string;
  readonly correlationId: string;
  /** Why the event's time is a simulated clock's (a demo, a test, a run for a future day), or null for the wall clock. */
  readonly simulatedClock: string | null;
}

const memberSummary = (before: MemberRecord | undefined, e: MemberEvent): string => {
  switch (e.type) {
    case 'MemberImported': {
      const d = e.data;
      const from = d.source.kind === 'mis' ? `from ${d.source.system}` : 'into the address book';
      return `imported ${from} as ${d.kind} ${fullName(d.name)}, ${describeEnrolment(d.enrolment)}${d.misReference === null ? '' : `, MIS reference ${d.misReference}`}`;
    }
    case 'MemberAdded':
      return `added to the address book as ${e.data.kind} ${fullName(e.data.name)}`;
    case 'MemberDetailsChanged': {
      const d = e.data;
      const parts: string[] = [];
      if (d.name !== undefined) parts.push(`name ${before === undefined ? '?' : fullName(before.name)} → ${fullName(d.name)}`);
      if (d.misReference !== undefined) parts.push(`MIS reference ${before?.misReference ?? 'none'} → ${d.misReference ?? 'none'}`);
      if (d.kind !== undefined) parts.push(`kind ${before?.kind ?? '?'} → ${d.kind}`);
      return parts.join('; ') || 'no change';
    }
    case 'EnrolmentChanged':
      return `roll status ${before === undefined ? '?' : describeEnrolment(before.enrolment)} → ${describeEnrolment(e.data.enrolment)}`;
    case 'MarkedLeaver':
      return `marked a leaver${e.data.leftOn === null ? '' : ` (left on ${e.data.leftOn})`}`;
    case 'ContactLinked':
      return `contact ${e.data.contactId} linked: ${describeLink(e.data.link)}`;
    case 'LinkChanged':
      return `link to contact ${e.data.contactId} changed: ${diffLink(before?.links[e.data.contactId], e.data.link)}`;
    case 'ContactUnlinked':
      return `contact ${e.data.contactId} unlinked`;
    case 'StalePreAdmissionFlagged':
      return `flagged as a stale pre-admission: the intake of ${e.data.admissionDate} is still open in the MIS`;
    case 'StalePreAdmissionCleared':
      return 'stale pre-admission flag cleared';
    case 'MemberExcluded':
      return `not imported: excluded by settings (${e.data.because === 'pre-admissions-off' ? 'pre-admissions are no longer imported' : e.data.because === 'exception' ? 'added to the exceptions' : 'the parents refused any sharing'}); withdrawn from every audience`;
    case 'ExclusionLifted':
      return 'imported again: the settings no longer exclude them';
    case 'DeletionQueued':
      return 'deletion queued';
    case 'MemberDeleted':
      return 'deleted, with their links';
    case 'MemberAnonymised':
      return 'personal data anonymised';
  }
};

const contactSummary = (before: ContactView | undefined, e: ContactEvent): string => {
  switch (e.type) {
    case 'ContactImported':
    case 'ContactAdded': {
      const d = e.data;
      const from = e.type === 'ContactImported' && e.data.source.kind === 'mis' ? `imported from ${e.data.source.system}` : 'added to the address book';
      return `${from}: ${fullName(d.name)}; email ${describeDetail(d.email)}; mobile ${describeDetail(d.mobile)}`;
    }
    case 'ContactDetailsChanged': {
      const d = e.data;
      const parts: string[] = [];
      if (d.name !== undefined) parts.push(`name ${before === undefined ? '?' : fullName(before.name)} → ${fullName(d.name)}`);
      if (d.email !== undefined) parts.push(`email ${describeDetail(before?.email ?? null)} → ${describeDetail(d.email)}`);
      if (d.mobile !== undefined) parts.push(`mobile ${describeDetail(before?.mobile ?? null)} → ${describeDetail(d.mobile)}`);
      return parts.join('; ') || 'no change';
    }
    case 'LocalOverrideSet': {
      const was = e.data.field === 'email' ? before?.email : before?.mobile;
      return `${e.data.field} set locally ${describeDetail(was ?? null)} → ${describeDetail(e.data.value)} (an override until the next sync)`;
    }
    case 'LocalOverrideOverwritten':
      return `the sync overwrote the local ${e.data.field} ${describeDetail(e.data.localValue)}: update it at source`;
    case 'LocalOverrideCaughtUp':
      return `the MIS now holds the local ${e.data.field}: the override is settled`;
    case 'OptedOut':
      return `opted out, ${describeVia(e.data.via)}`;
    case 'OptedIn':
      return `opted in, ${describeVia(e.data.via)}`;
    case 'DeliverySucceeded':
      return `${e.data.channel} delivered to ${e.data.address} (${e.data.provider}, observed ${e.data.observedAt})`;
    case 'DeliveryFailed':
      // The provider's own diagnostic text is left out: it often quotes the address, and the codec does not mark it personal.
      return `${e.data.permanent ? 'permanent' : 'temporary'} ${e.data.channel} delivery failure to ${e.data.address} (${e.data.provider}, observed ${e.data.observedAt})`;
    case 'SpamComplaintReceived':
      return `spam complaint about email to ${e.data.address} (${e.data.provider}, observed ${e.data.observedAt})`;
    case 'Blocked':
      return `${e.data.channel} blocked (${e.data.cause}) for ${e.data.address}`;
    case 'ReEnabled':
      return `${e.data.channel} re-enabled (was ${e.data.cause}) after checking with the contact`;
    case 'BlockLapsed':
      return `${e.data.channel} block (${e.data.cause}) lapsed: the MIS brought a new ${e.data.channel === 'email' ? 'address' : 'number'}`;
    case 'MessageSent':
      return `${e.data.purpose} ${e.data.messageId} sent by ${e.data.channel} to ${e.data.address} via ${e.data.provider}`;
    case 'ContactDeleted':
      return 'deleted';
    case 'ContactAnonymised':
      return 'personal data anonymised';
    case 'ContactSourcesAdded':
      return `${e.data.sources.length} more export record(s) found to be this person (${describeMatch(e.data.because)})`;
    case 'ContactMerged':
      return `contact ${e.data.from} joined into this one (${describeMatch(e.data.because)}); the stricter consent of the two stands`;
    case 'ContactMergedInto':
      return `joined into contact ${e.data.into} (${describeMatch(e.data.because)}); that contact holds this person now`;
    case 'ContactSplit':
      return `split: for member ${e.data.memberId} this is another person, now contact ${e.data.newContactId}; a sync never joins them again`;
    case 'ContactSplitOff': {
      const d = e.data;
      return `made by splitting contact ${d.from} for member ${d.memberId}: ${fullName(d.name)}; email ${describeDetail(d.email)}; mobile ${describeDetail(d.mobile)}`;
    }
    case 'PossibleDuplicateFlagged':
      return `may be the same person as contact ${e.data.otherContactId} (same name${e.data.sharesDetail ? ' and a shared address or number, yet two records in the MIS' : ', no shared address or number'})`;
    case 'PossibleDuplicateCleared':
      return `no longer a possible duplicate of contact ${e.data.otherContactId}`;
  }
};

/** Why records were taken to be one person, in words. */
export const describeMatch = (because: IdentityMatch): string => {
  switch (because) {
    case 'same-id':
      return 'the same id in the export';
    case 'same-name-and-email':
      return 'same name and email';
    case 'same-name-and-mobile':
      return 'same name and mobile';
    case 'same-name-email-and-mobile':
      return 'same name, email and mobile';
    case 'staff-decision':
      return 'a decision by staff';
  }
};

const otherSummary = (e: GroupEvent | SchoolEvent | ImportRunEvent | MessageEvent | StaffEvent): string => {
  switch (e.type) {
    case 'GroupCreated':
      return `group ${e.data.name} created (${e.data.groupKind}${e.data.active ? '' : ', inactive'})`;
    case 'GroupChanged':
      return `group changed${e.data.name === undefined ? '' : `: name ${e.data.name}`}${e.data.active === undefined ? '' : `, active ${e.data.active ? 'yes' : 'no'}`}`;
    case 'GroupMembersChanged':
      return `${e.data.added.length} joined, ${e.data.removed.length} left`;
    case 'GroupDeleted':
      return 'group deleted';
    case 'ImportSettingsChanged':
      return 'import settings changed';
    case 'TimeZoneChanged':
      return `time zone set to ${e.data.timeZone}`;
    case 'DataIssueFilterSaved':
      return `data-issues filter "${e.data.name}" saved`;
    case 'DataIssueFilterRemoved':
      return `data-issues filter "${e.data.name}" removed`;
    case 'SyncScheduleChanged':
      return e.data.schedule.at === null || e.data.schedule.exportPath === null ? 'scheduled sync turned off' : `scheduled sync set for ${e.data.schedule.at} each day`;
    case 'StaffAdded':
      return `staff account added for ${e.data.name} (${e.data.role})`;
    case 'StaffRoleChanged':
      return `role changed to ${e.data.role}`;
    case 'StaffPasswordChanged':
      return 'password set anew';
    case 'StaffRemoved':
      return 'staff account removed';
    case 'ImportRunStarted':
      return `import run ${e.data.runId} started (${e.data.format}, ${e.data.sourceName}${e.data.firstImport ? ', first import' : ''}${e.data.partial ? ', partial export' : ''}) for ${e.data.today}${e.data.massChangeAllowedBy === null ? '' : `; mass change allowed by ${e.data.massChangeAllowedBy}`}`;
    case 'ImportPermissionFailed':
      return `${e.data.area} did not import; permission group: ${e.data.permissionGroup}`;
    case 'ImportWarningRaised':
      return `warning ${e.data.code}: ${e.data.message}`;
    case 'ImportRunFinished': {
      const c = e.data.counts;
      return `import run finished: ${c.membersAdded} members added, ${c.membersChanged} changed, ${c.leavers} leavers, ${c.contactsAdded} contacts added, ${c.contactsChanged} changed, ${c.eventsAppended} events`;
    }
    case 'MessageRequested':
      return `${e.data.channel} ${e.data.purpose} ${e.data.messageId} requested for ${e.data.audience.kind}`;
    case 'RecipientsResolved':
      return `${e.data.recipients.length} recipients, ${e.data.skipped.length} skipped`;
    case 'MessageSendFailed':
      return `sending to contact ${e.data.contactId} failed`;
    case 'MessageCompleted':
      return `completed: ${e.data.sent} sent, ${e.data.failed} failed, ${e.data.skipped} skipped`;
    case 'MessageContentErased':
      return `content of message ${e.data.messageId} erased (subject, body and provider texts)`;
    case 'MessageRetentionChanged':
      return `message content kept ${e.data.days} days`;
    case 'SubjectAccessReported':
      return `subject access report given for ${e.data.subject} ${e.data.id}`;
    default:
      // An event type added to the catalogue since this was written: name it, say nothing more.
      return (e as { readonly type: string }).type;
  }
};

/**
 * The audit trail of the given events (one stream's, or several), in position order,
 * optionally only those that had happened by `asOf` (R-AUD-2).
 */
export const auditTrail = (events: ReadonlyArray<StoredEvent>, options: { readonly asOf?: Instant } = {}): ReadonlyArray<AuditEntry> => {
  const members = new Map<string, MemberRecord | undefined>();
  const contacts = new Map<string, ContactView | undefined>();
  const asOfMs = options.asOf === undefined ? Infinity : instantMs(options.asOf);
  const entries: AuditEntry[] = [];
  for (const e of [...events].sort((a, b) => a.position - b.position)) {
    if (instantMs(e.metadata.occurredAt) > asOfMs) continue;
    let summary: string;
    if (isMemberEvent(e)) {
      const before = members.get(e.streamId);
      summary = memberSummary(before, e);
      members.set(e.streamId, evolveMemberView(before, e));
    } else if (isContactEvent(e)) {
      const before = contacts.get(e.streamId);
      summary = contactSummary(before, e);
      contacts.set(e.streamId, evolveContactView(before, e));
    } else {
      summary = otherSummary(e as StoredEvent<GroupEvent | SchoolEvent | ImportRunEvent | MessageEvent | StaffEvent>);
    }
    entries.push({
      position: e.position,
      streamId: e.streamId,
      version: e.version,
      at: e.metadata.occurredAt,
      actor: describeActor(e.metadata.actor),
      actorKind: e.metadata.actor.kind,
      reason: e.metadata.reason,
      reasonCode: e.metadata.reasonCode ?? null,
      type: e.type,
      summary,
      correlationId: e.metadata.correlationId,
      simulatedClock: e.metadata.simulatedClock === undefined ? null : e.metadata.simulatedClock.note,
    });
  }
  return entries;
};
