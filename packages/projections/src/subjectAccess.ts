/**
 * A subject access report (GDPR Art. 15): everything the school holds on one member or contact,
 * gathered from the read models and the log: current details, links, consent history, deliveries,
 * messages sent to them (with their content, while it is kept), data issues, records in other
 * streams that name them (groups, message recipients, send failures, earlier reports), and their
 * audit trail. Values erased read `XXXX`, as everywhere. Rendering (JSON, HTML) is the caller's.
 */
import * as E from 'fp-ts/lib/Either.js';
import {
  contactStream,
  describeActor,
  memberStream,
  messageStream,
  readAllEvents,
  type ContactEvent,
  type ContactId,
  type EventStore,
  type Instant,
  type MemberId,
  type MessageEvent,
  type StoredEvent,
} from '@contactable/core';
import { auditTrail, type AuditEntry } from './audit.js';
import type { ContactView } from './contactView.js';
import { dataIssues } from './dataIssues.js';
import { decodeForProjection } from './decode.js';
import { describeDetail, fullName } from './describe.js';
import { membersOfContact } from './indexes.js';
import { rollStatusOf } from './memberView.js';
import type { Projection } from './state.js';
import { readDecodedStream } from './storeQueries.js';

/** Whose report. */
export type SubjectAccessSubject = { readonly kind: 'member'; readonly id: MemberId } | { readonly kind: 'contact'; readonly id: ContactId };

/** One event in a section of the report. */
export interface SubjectAccessEntry {
  readonly at: Instant;
  readonly event: string;
  /** Who or what recorded it (a person, an import run, a provider callback). */
  readonly actor: string;
  readonly reasonCode: string | null;
  readonly reason: string | null;
  /** The event's facts, in words. */
  readonly summary: string;
  readonly streamId: string;
  readonly position: number;
}

/** A message sent (or meant) for the person. */
export interface SubjectAccessMessage {
  readonly messageId: string;
  readonly requestedAt: Instant | null;
  readonly channel: string | null;
  readonly purpose: string | null;
  readonly subject: string | null;
  readonly body: string | null;
  /** The content's key was destroyed by the message retention rule: subject and body read XXXX. */
  readonly contentErased: boolean;
  /** What happened for this person: sent (with when, to which address, by whom), failed, skipped or pending. */
  readonly outcome: string;
}

/** Everything held on one person. */
export interface SubjectAccessReport {
  readonly subject: SubjectAccessSubject;
  /** Held (`active`), deleted, anonymised (personal data erased), or not held. */
  readonly status: 'active' | 'deletion-queued' | 'deleted' | 'anonymised' | 'merged' | 'not-held';
  /** Contacts joined into this one: the same person's earlier records, whose events are included here. */
  readonly mergedRecords: ReadonlyArray<ContactId>;
  /** Current details, as the office sees them: field, value and, where it has one, since when. */
  readonly details: ReadonlyArray<{ readonly field: string; readonly value: string | null; readonly since: Instant | null }>;
  /** The people linked to them (a member's contacts, a contact's members). */
  readonly links: ReadonlyArray<{
    readonly kind: 'member' | 'contact';
    readonly id: string;
    readonly name: string | null;
    readonly relationship: string;
    readonly priority: number;
    readonly prime: boolean;
    readonly parentalResponsibility: boolean;
  }>;
  readonly consent: ReadonlyArray<SubjectAccessEntry>;
  readonly deliveries: ReadonlyArray<SubjectAccessEntry>;
  readonly messages: ReadonlyArray<SubjectAccessMessage>;
  readonly dataIssues: ReadonlyArray<{ readonly type: string; readonly memberId: string | null; readonly contactId: string | null; readonly detail: string; readonly raisedAt: Instant }>;
  /** Events of other streams that name them: groups, message recipients, send failures, earlier reports. */
  readonly otherRecords: ReadonlyArray<SubjectAccessEntry>;
  readonly auditTrail: ReadonlyArray<AuditEntry>;
}

const CONSENT = new Set(['OptedOut', 'OptedIn', 'Blocked', 'ReEnabled', 'BlockLapsed', 'SpamComplaintReceived']);
const DELIVERY = new Set(['DeliverySucceeded', 'DeliveryFailed', 'MessageSent']);

const entryOf = (a: AuditEntry): SubjectAccessEntry => ({
  at: a.at,
  event: a.type,
  actor: a.actor,
  reasonCode: a.reasonCode,
  reason: a.reason,
  summary: a.summary,
  streamId: a.streamId,
  position: a.position,
});

const otherSummary = (e: StoredEvent, id: string): string => {
  const d = e.data as Record<string, unknown>;
  switch (e.type) {
    case 'RecipientsResolved':
      return `a recipient of message ${String(d['messageId'])}`;
    case 'RecipientSkipped':
      return `left out of message ${String(d['messageId'])}: ${((d['reasons'] as string[] | undefined) ?? []).join('; ')}`;
    case 'MessageSendFailed':
      return `message ${String(d['messageId'])} could not be sent: ${String(d['error'])}`;
    case 'RecipientInDoubt':
      return `in doubt for message ${String(d['messageId'])} (the provider may have taken it): ${String(d['detail'])}`;
    case 'InDoubtResendDecided':
      return `chosen to be sent message ${String(d['messageId'])} once more after being in doubt`;
    case 'SendBatchStarted':
      return `handed to the provider for message ${String(d['messageId'])}`;
    case 'SendAttemptsReleased':
      return `send attempt for message ${String(d['messageId'])} released: ${String(d['reason'])}`;
    case 'GroupMembersChanged': {
      const inRefs = (refs: unknown): boolean => Array.isArray(refs) && refs.some((r) => (r as { id?: unknown }).id === id);
      return `${inRefs(d['added']) ? 'added to' : 'removed from'} group ${String(d['groupId'])}`;
    }
    case 'SubjectAccessReported':
      return 'given a subject access report';
    default:
      return e.type;
  }
};

/** Gathers the report; `p` is the read models caught up with the log (the CLI's projection). */
export const subjectAccessReport = async (store: EventStore, p: Projection, subject: SubjectAccessSubject): Promise<SubjectAccessReport> => {
  const own = subject.kind === 'member' ? memberStream(subject.id) : contactStream(subject.id);
  // A contact's earlier records joined into it are the same person: their events are theirs too.
  const merged: ContactId[] = [];
  if (subject.kind === 'contact') {
    const reaches = (id: ContactId): boolean => {
      let at: ContactId | null = id;
      for (let hops = 0; hops < 64 && at !== null; hops++) {
        const v: ContactView | undefined = p.contacts.get(at)?.view;
        if (v?.status !== 'merged') return false;
        if (v.mergedInto === subject.id) return true;
        at = v.mergedInto;
      }
      return false;
    };
    for (const id of p.contacts.keys()) if (id !== subject.id && reaches(id)) merged.push(id);
    merged.sort();
  }
  const streams = new Set([own, ...merged.map(contactStream)]);
  const events: StoredEvent[] = [];
  for (const stream of streams) events.push(...(await readDecodedStream(store, stream)).events);
  events.sort((a, b) => a.position - b.position);
  const trail = auditTrail(events);
  const byPosition = new Map(events.map((e) => [e.position, e]));

  // Everything else that names them: one pass over the log (a rare request, so no index is kept for it).
  const others: StoredEvent[] = [];
  const recipientOf = new Set<string>();
  for await (const raw of readAllEvents(store)) {
    if (streams.has(raw.streamId) || !JSON.stringify(raw.data).includes(subject.id)) continue;
    const d = decodeForProjection(raw);
    if (E.isLeft(d)) continue;
    const e = d.right;
    const data = e.data as Record<string, unknown>;
    const names =
      data['contactId'] === subject.id ||
      data['memberId'] === subject.id ||
      data['id'] === subject.id ||
      (Array.isArray(data['recipients']) && (data['recipients'] as unknown[]).includes(subject.id)) ||
      (Array.isArray(data['contactIds']) && (data['contactIds'] as unknown[]).includes(subject.id)) ||
      ['added', 'removed'].some((k) => Array.isArray(data[k]) && (data[k] as Array<{ id?: unknown }>).some((r) => r.id === subject.id));
    if (!names) continue;
    // A contact's own links live on members' streams: shown under links, not repeated here.
    if (e.streamId.startsWith('member-') && subject.kind === 'contact') continue;
    if (e.type === 'RecipientsResolved') recipientOf.add(String(data['messageId']));
    others.push(e);
  }

  const messages: SubjectAccessMessage[] = [];
  if (subject.kind === 'contact') {
    const sent = new Map<string, StoredEvent<ContactEvent>>();
    for (const e of events as ReadonlyArray<StoredEvent<ContactEvent>>) if (e.type === 'MessageSent') sent.set(e.data.messageId, e);
    for (const messageId of [...new Set([...recipientOf, ...sent.keys()])].sort()) {
      const stream = (await readDecodedStream(store, messageStream(messageId))).events as ReadonlyArray<StoredEvent<MessageEvent>>;
      const requested = stream.find((e) => e.type === 'MessageRequested') as StoredEvent<Extract<MessageEvent, { type: 'MessageRequested' }>> | undefined;
      const s = sent.get(messageId) as StoredEvent<Extract<ContactEvent, { type: 'MessageSent' }>> | undefined;
      const failed = stream.find((e) => e.type === 'MessageSendFailed' && e.data.contactId === subject.id) as StoredEvent<Extract<MessageEvent, { type: 'MessageSendFailed' }>> | undefined;
      const skipped = stream.find((e) => e.type === 'RecipientSkipped' && e.data.contactId === subject.id) as StoredEvent<Extract<MessageEvent, { type: 'RecipientSkipped' }>> | undefined;
      // The latest in-doubt record, unless staff decided to send again after it.
      let lastDoubt = -1;
      stream.forEach((e, i) => {
        if (e.type === 'RecipientInDoubt' && e.data.contactId === subject.id) lastDoubt = i;
      });
      const doubt = lastDoubt < 0 || stream.slice(lastDoubt).some((e) => e.type === 'InDoubtResendDecided' && e.data.contactIds.includes(subject.id))
        ? undefined
        : (stream[lastDoubt] as StoredEvent<Extract<MessageEvent, { type: 'RecipientInDoubt' }>>);
      const outcome =
        s !== undefined
          ? `sent by ${s.data.channel} to ${s.data.address} via ${s.data.provider} (${s.metadata.occurredAt})`
          : failed !== undefined
            ? `not sent: ${failed.data.error}`
            : skipped !== undefined
              ? `left out: ${skipped.data.reasons.join('; ')}`
              : doubt !== undefined
                ? `in doubt: ${doubt.data.detail}`
                : 'not sent (yet)';
      messages.push({
        messageId,
        requestedAt: requested?.metadata.occurredAt ?? null,
        channel: requested?.data.channel ?? s?.data.channel ?? null,
        purpose: requested?.data.purpose ?? s?.data.purpose ?? null,
        subject: requested?.data.subject ?? null,
        body: requested?.data.body ?? null,
        contentErased: stream.some((e) => e.type === 'MessageContentErased'),
        outcome,
      });
    }
  }

  let status: SubjectAccessReport['status'] = 'not-held';
  const details: Array<{ field: string; value: string | null; since: Instant | null }> = [];
  const detail = (field: string, value: string | null, since: Instant | null = null) => details.push({ field, value, since });
  const links: Array<SubjectAccessReport['links'][number]> = [];
  if (subject.kind === 'contact') {
    const v = p.contacts.get(subject.id)?.view;
    if (v !== undefined) {
      status = v.status;
      detail('name', fullName(v.name));
      detail('email', v.email === null ? null : describeDetail(v.email), v.emailSince);
      detail('mobile', v.mobile === null ? null : describeDetail(v.mobile), v.mobileSince);
      detail('source', v.source === 'mis' ? 'MIS' : 'address book');
      detail('opted out', v.optedOut === null ? 'no' : `yes, ${v.optedOut.via}`, v.optedOut?.at ?? null);
      detail('email blocked', v.blocks.email === null ? 'no' : `yes, ${v.blocks.email.cause}`, v.blocks.email?.at ?? null);
      detail('texts blocked', v.blocks.sms === null ? 'no' : `yes, ${v.blocks.sms.cause}`, v.blocks.sms?.at ?? null);
      if (v.deletedAt !== null) detail('deleted', 'yes', v.deletedAt);
      for (const memberId of membersOfContact(p, subject.id)) {
        const m = p.members.get(memberId)?.record;
        const link = m?.links[subject.id];
        if (m === undefined || link === undefined) continue;
        links.push({ kind: 'member', id: memberId, name: fullName(m.name), relationship: link.relationship, priority: link.priority, prime: link.prime, parentalResponsibility: link.parentalResponsibility });
      }
    }
  } else {
    const m = p.members.get(subject.id)?.record;
    if (m !== undefined) {
      status = m.status;
      const roll = rollStatusOf(m);
      detail('name', fullName(m.name));
      detail('MIS reference', m.misReference);
      detail('kind', m.kind);
      detail('roll status', roll.status === 'leaver' && roll.leftOn !== null ? `leaver (left ${roll.leftOn})` : roll.status);
      detail('source', m.source.kind === 'mis' ? `MIS (${m.source.system})` : 'address book');
      if (m.deletedAt !== null) detail('deleted', 'yes', m.deletedAt);
      for (const [contactId, link] of Object.entries(m.links)) {
        const c = p.contacts.get(contactId)?.view;
        links.push({ kind: 'contact', id: contactId, name: c === undefined ? null : fullName(c.name), relationship: link.relationship, priority: link.priority, prime: link.prime, parentalResponsibility: link.parentalResponsibility });
      }
    }
  }
  links.sort((a, b) => a.priority - b.priority || (a.id < b.id ? -1 : 1));

  const issues = dataIssues(p, subject.kind === 'member' ? { memberId: subject.id } : { contactId: subject.id })
    .filter((i) => (subject.kind === 'member' ? i.memberId === subject.id : i.contactId === subject.id))
    .map((i) => ({ type: i.type, memberId: i.memberId, contactId: i.contactId, detail: i.detail, raisedAt: i.raisedAt }));

  return {
    subject,
    status,
    mergedRecords: merged,
    details,
    links,
    consent: trail.filter((a) => CONSENT.has(a.type)).map(entryOf),
    deliveries: trail.filter((a) => DELIVERY.has(a.type) && byPosition.has(a.position)).map(entryOf),
    messages,
    dataIssues: issues,
    otherRecords: others.map((e) => ({
      at: e.metadata.occurredAt,
      event: e.type,
      actor: describeActor(e.metadata.actor),
      reasonCode: e.metadata.reasonCode ?? null,
      reason: e.metadata.reason,
      summary: otherSummary(e, subject.id),
      streamId: e.streamId,
      position: e.position,
    })),
    auditTrail: trail,
  };
};
