/**
 * A message's stream (`message-<id>`): the outbox of one send (R-CON-9, R-CON-10).
 * The intent and its resolved audience are recorded before anything is sent; each
 * batch is marked before the provider is called, so a re-run after a crash never
 * sends twice to a recipient whose send may already have happened.
 * Whether a recipient was sent to lives on the contact's stream (`MessageSent`).
 */
import { deepEqual } from '../equal.js';
import * as E from 'fp-ts/lib/Either.js';
import type { Decider } from '../decider.js';
import { domainError, type DomainError } from '../errors.js';
import type { Recorded } from '../events/catalogue.js';
import type { Audience, Channel } from '../events/common.js';
import type { MessageEvent, SkippedRecipient } from '../events/message.js';
import type { ContactId, MessageId } from '../ids.js';

/** Why the message is sent: an ordinary message, or a confirmation of new or changed details (R-CON-10). */
export type MessagePurpose = 'message' | 'confirmation';

/** The counts a completed message ends with. */
export interface MessageOutcome {
  readonly sent: number;
  readonly failed: number;
  readonly skipped: number;
}

/** A message that was requested. */
export interface MessageRecord {
  readonly status: 'requested' | 'completed';
  readonly messageId: MessageId;
  readonly channel: Channel;
  readonly subject: string | null;
  readonly body: string;
  readonly audience: Audience;
  readonly purpose: MessagePurpose;
  /** Contacts to send to, deduplicated, in the order they were resolved. */
  readonly recipients: ReadonlyArray<ContactId>;
  readonly recipientSet: ReadonlySet<ContactId>;
  /** Left out when the audience was resolved, with reasons (R-CON-9). */
  readonly skipped: ReadonlyArray<SkippedRecipient>;
  /** Handed (or about to be handed) to the provider: the attempt markers. */
  readonly attempted: ReadonlySet<ContactId>;
  /** Refused by the provider, with the error (logs written before in-doubt had its own event also hold in-doubt recipients here). */
  readonly failed: ReadonlyMap<ContactId, string>;
  /** Handed to the provider (or about to be) with no known outcome: not sent again unless staff decide. */
  readonly inDoubt: ReadonlyMap<ContactId, string>;
  /** No longer contactable when their turn came, with reasons. */
  readonly skippedLate: ReadonlyMap<ContactId, ReadonlyArray<string>>;
  readonly batches: number;
  readonly outcome: MessageOutcome | null;
  /** When it was requested (its retention counts from then). */
  readonly requestedAt: string;
  /** Days its content is kept, when the request said; otherwise the school's message retention applies. */
  readonly retentionDays: number | null;
  /** Its content's key was destroyed: subject, body and provider texts read XXXX. */
  readonly contentErased: boolean;
}

/** A message's state: absent until requested. */
export type MessageState = { readonly status: 'absent' } | MessageRecord;

/** The message commands. */
export type MessageCommand =
  | {
      readonly type: 'RequestMessage';
      readonly messageId: MessageId;
      readonly channel: Channel;
      readonly subject: string | null;
      readonly body: string;
      readonly audience: Audience;
      readonly purpose: MessagePurpose;
      readonly recipients: ReadonlyArray<ContactId>;
      readonly skipped: ReadonlyArray<SkippedRecipient>;
      /** Days to keep its content (default: the school's message retention). */
      readonly retentionDays?: number;
    }
  | { readonly type: 'StartSendBatch'; readonly messageId: MessageId; readonly contactIds: ReadonlyArray<ContactId> }
  | { readonly type: 'ReleaseSendAttempts'; readonly messageId: MessageId; readonly contactIds: ReadonlyArray<ContactId>; readonly reason: string }
  | { readonly type: 'RecordRecipientSkipped'; readonly messageId: MessageId; readonly contactId: ContactId; readonly reasons: ReadonlyArray<string> }
  | { readonly type: 'RecordSendFailure'; readonly messageId: MessageId; readonly contactId: ContactId; readonly error: string }
  | { readonly type: 'RecordInDoubt'; readonly messageId: MessageId; readonly contactId: ContactId; readonly detail: string }
  /** Send once more to recipients in doubt (all of them when `contactIds` is omitted); the command's actor is who decided. */
  | { readonly type: 'DecideResendInDoubt'; readonly messageId: MessageId; readonly contactIds?: ReadonlyArray<ContactId> }
  | { readonly type: 'CompleteMessage'; readonly messageId: MessageId; readonly outcome: MessageOutcome }
  /** Records that the content's key was destroyed (the store forgets `message-<id>` first). */
  | { readonly type: 'RecordMessageContentErased'; readonly messageId: MessageId };

/** The state before any event. */
export const initialMessageState: MessageState = { status: 'absent' };

/** True when a recipient already has an outcome on the message stream (failed, skipped late, or in doubt). */
export const hasMessageOutcome = (m: MessageRecord, contactId: ContactId): boolean =>
  m.failed.has(contactId) || m.skippedLate.has(contactId) || m.inDoubt.has(contactId);

/** Folds one event into a message's state. */
export const evolveMessage = (state: MessageState, event: Recorded<MessageEvent>): MessageState => {
  if (event.type === 'MessageRequested') {
    const d = event.data;
    return {
      status: 'requested',
      messageId: d.messageId,
      channel: d.channel,
      subject: d.subject,
      body: d.body,
      audience: d.audience,
      purpose: d.purpose,
      recipients: [],
      recipientSet: new Set(),
      skipped: [],
      attempted: new Set(),
      failed: new Map(),
      inDoubt: new Map(),
      skippedLate: new Map(),
      batches: 0,
      outcome: null,
      requestedAt: event.metadata.occurredAt,
      retentionDays: d.retentionDays ?? null,
      contentErased: false,
    };
  }
  if (state.status === 'absent') return state;
  const m = state;
  switch (event.type) {
    case 'RecipientsResolved':
      return { ...m, recipients: event.data.recipients, recipientSet: new Set(event.data.recipients), skipped: event.data.skipped };
    case 'SendBatchStarted':
      return { ...m, batches: Math.max(m.batches, event.data.batch), attempted: new Set([...m.attempted, ...event.data.contactIds]) };
    case 'SendAttemptsReleased': {
      const attempted = new Set(m.attempted);
      for (const id of event.data.contactIds) attempted.delete(id);
      return { ...m, attempted };
    }
    case 'RecipientSkipped':
      return { ...m, skippedLate: new Map([...m.skippedLate, [event.data.contactId, event.data.reasons]]) };
    case 'MessageSendFailed':
      return { ...m, failed: new Map([...m.failed, [event.data.contactId, event.data.error]]) };
    case 'RecipientInDoubt':
      return { ...m, inDoubt: new Map([...m.inDoubt, [event.data.contactId, event.data.detail]]) };
    case 'InDoubtResendDecided': {
      // Back to waiting: unmarked, so the next batch may hand them over once more.
      const inDoubt = new Map(m.inDoubt);
      const attempted = new Set(m.attempted);
      for (const id of event.data.contactIds) {
        inDoubt.delete(id);
        attempted.delete(id);
      }
      return { ...m, inDoubt, attempted };
    }
    case 'MessageCompleted':
      return { ...m, status: 'completed', outcome: { sent: event.data.sent, failed: event.data.failed, skipped: event.data.skipped } };
    case 'MessageContentErased':
      return { ...m, contentErased: true };
  }
};

const ok = (events: ReadonlyArray<MessageEvent>): E.Either<DomainError, ReadonlyArray<MessageEvent>> => E.right(events);

const notFound = (id: MessageId): DomainError =>
  domainError('not-found', `Message ${id} was never requested; request it before sending.`);

const requireOpen = (state: MessageState, id: MessageId): E.Either<DomainError, MessageRecord> => {
  if (state.status === 'absent') return E.left(notFound(id));
  if (state.status === 'completed') return E.left(domainError('invalid-command', `Message ${id} is complete; send a new message instead.`));
  return E.right(state);
};

const sameAudience = (a: Audience, b: Audience): boolean => deepEqual(a, b);

const requireRecipient = (m: MessageRecord, contactId: ContactId): E.Either<DomainError, MessageRecord> =>
  m.recipientSet.has(contactId)
    ? E.right(m)
    : E.left(domainError('invalid-command', `Contact ${contactId} is not a recipient of message ${m.messageId}.`));

/** Decides what a message command records. */
export const decideMessage = (cmd: MessageCommand, state: MessageState): E.Either<DomainError, ReadonlyArray<MessageEvent>> => {
  switch (cmd.type) {
    case 'RequestMessage': {
      if (state.status !== 'absent') {
        // A re-run of the same request (after a crash) records nothing; a different one under the same id is refused.
        const same =
          state.channel === cmd.channel && state.subject === cmd.subject && state.body === cmd.body && state.purpose === cmd.purpose && sameAudience(state.audience, cmd.audience);
        return same
          ? ok([])
          : E.left(domainError('already-exists', `Message ${cmd.messageId} was already requested with different content; use a new message id.`));
      }
      const recipients = [...new Set(cmd.recipients)];
      if (cmd.retentionDays !== undefined && (!Number.isInteger(cmd.retentionDays) || cmd.retentionDays < 1)) {
        return E.left(domainError('invalid-command', 'A message is kept for a whole number of days, at least 1.'));
      }
      return ok([
        {
          type: 'MessageRequested',
          data: {
            messageId: cmd.messageId,
            channel: cmd.channel,
            subject: cmd.subject,
            body: cmd.body,
            audience: cmd.audience,
            purpose: cmd.purpose,
            ...(cmd.retentionDays === undefined ? {} : { retentionDays: cmd.retentionDays }),
          },
        },
        {
          type: 'RecipientsResolved',
          data: { messageId: cmd.messageId, recipients, skipped: cmd.skipped.map((s) => ({ contactId: s.contactId, memberId: s.memberId, reasons: [...s.reasons] })) },
        },
      ]);
    }
    case 'StartSendBatch':
      return E.chain((m: MessageRecord): E.Either<DomainError, ReadonlyArray<MessageEvent>> => {
        const ids = [...new Set(cmd.contactIds)];
        for (const id of ids) {
          if (!m.recipientSet.has(id)) return E.left(domainError('invalid-command', `Contact ${id} is not a recipient of message ${m.messageId}.`));
          if (hasMessageOutcome(m, id)) return E.left(domainError('invalid-command', `Contact ${id} already has an outcome for message ${m.messageId}.`));
          // Another run got there first: sending again could reach the contact twice.
          if (m.attempted.has(id)) {
            return E.left(domainError('already-exists', `Contact ${id} was already handed to the provider for message ${m.messageId} (another run may be sending it).`));
          }
        }
        return ids.length === 0 ? ok([]) : ok([{ type: 'SendBatchStarted', data: { messageId: m.messageId, batch: m.batches + 1, contactIds: ids } }]);
      })(requireOpen(state, cmd.messageId));
    case 'ReleaseSendAttempts':
      return E.map((m: MessageRecord): ReadonlyArray<MessageEvent> => {
        const ids = [...new Set(cmd.contactIds)].filter((id) => m.attempted.has(id));
        return ids.length === 0 ? [] : [{ type: 'SendAttemptsReleased', data: { messageId: m.messageId, contactIds: ids, reason: cmd.reason } }];
      })(requireOpen(state, cmd.messageId));
    case 'RecordRecipientSkipped':
      return E.chain((m: MessageRecord): E.Either<DomainError, ReadonlyArray<MessageEvent>> =>
        hasMessageOutcome(m, cmd.contactId)
          ? ok([])
          : ok([{ type: 'RecipientSkipped', data: { messageId: m.messageId, contactId: cmd.contactId, reasons: [...cmd.reasons] } }]),
      )(E.chain((m: MessageRecord) => requireRecipient(m, cmd.contactId))(requireOpen(state, cmd.messageId)));
    case 'RecordSendFailure':
      return E.chain((m: MessageRecord): E.Either<DomainError, ReadonlyArray<MessageEvent>> =>
        hasMessageOutcome(m, cmd.contactId)
          ? ok([])
          : ok([{ type: 'MessageSendFailed', data: { messageId: m.messageId, contactId: cmd.contactId, error: cmd.error } }]),
      )(E.chain((m: MessageRecord) => requireRecipient(m, cmd.contactId))(requireOpen(state, cmd.messageId)));
    case 'RecordInDoubt':
      return E.chain((m: MessageRecord): E.Either<DomainError, ReadonlyArray<MessageEvent>> =>
        hasMessageOutcome(m, cmd.contactId)
          ? ok([])
          : ok([{ type: 'RecipientInDoubt', data: { messageId: m.messageId, contactId: cmd.contactId, detail: cmd.detail } }]),
      )(E.chain((m: MessageRecord) => requireRecipient(m, cmd.contactId))(requireOpen(state, cmd.messageId)));
    case 'DecideResendInDoubt':
      return E.chain((m: MessageRecord): E.Either<DomainError, ReadonlyArray<MessageEvent>> => {
        const ids = cmd.contactIds === undefined ? [...m.inDoubt.keys()] : [...new Set(cmd.contactIds)];
        for (const id of ids) {
          if (!m.inDoubt.has(id)) return E.left(domainError('invalid-command', `Contact ${id} is not in doubt for message ${m.messageId}.`));
        }
        return ids.length === 0 ? ok([]) : ok([{ type: 'InDoubtResendDecided', data: { messageId: m.messageId, contactIds: ids } }]);
      })(requireOpen(state, cmd.messageId));
    case 'CompleteMessage':
      if (state.status === 'absent') return E.left(notFound(cmd.messageId));
      if (state.status === 'completed') return ok([]);
      // In-doubt recipients wait for a decision: the message is not complete until they have an outcome.
      if (state.inDoubt.size > 0) {
        return E.left(domainError('invalid-command', `Message ${state.messageId} has ${state.inDoubt.size} recipient(s) in doubt; decide whether to send to them again before it can complete.`));
      }
      return ok([{ type: 'MessageCompleted', data: { messageId: state.messageId, ...cmd.outcome } }]);
    case 'RecordMessageContentErased':
      if (state.status === 'absent') return E.left(notFound(cmd.messageId));
      return ok(state.contentErased ? [] : [{ type: 'MessageContentErased', data: { messageId: state.messageId } }]);
  }
};

/** The message decider. */
export const messageDecider: Decider<MessageCommand, MessageEvent, MessageState> = {
  decide: decideMessage,
  evolve: evolveMessage,
  initialState: initialMessageState,
};
