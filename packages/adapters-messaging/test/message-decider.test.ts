/** The message stream's decider: the outbox's rules, given/when/then. */
import * as E from 'fp-ts/lib/Either.js';
import { describe, expect, it } from 'vitest';
import { messageDecider, type MessageCommand, type MessageEvent } from '@contactable/core';
import { given } from '@contactable/core/testing';

const request: Extract<MessageCommand, { type: 'RequestMessage' }> = {
  type: 'RequestMessage',
  messageId: 'm-1',
  channel: 'email',
  subject: 'Trip',
  body: 'Friday',
  audience: { kind: 'contacts', contactIds: ['c-1', 'c-2', 'c-1'] },
  purpose: 'message',
  recipients: ['c-1', 'c-2', 'c-1'],
  skipped: [{ contactId: 'c-3', memberId: null, reasons: ['opted out on 2026-09-01'] }],
};
const requested: MessageEvent[] = [
  { type: 'MessageRequested', data: { messageId: 'm-1', channel: 'email', subject: 'Trip', body: 'Friday', audience: request.audience, purpose: 'message' } },
  { type: 'RecipientsResolved', data: { messageId: 'm-1', recipients: ['c-1', 'c-2'], skipped: request.skipped.map((s) => ({ ...s, reasons: [...s.reasons] })) } },
];

describe('message decider', () => {
  it('R-CON-9: a request records the intent and the resolved audience, deduplicated, before anything is sent', () => {
    expect(given(messageDecider, []).when(request)).toEqual(E.right(requested));
  });

  it('R-CON-9: the same request again records nothing; different content under the same id is refused', () => {
    expect(given(messageDecider, requested).when(request)).toEqual(E.right([]));
    const r = given(messageDecider, requested).when({ ...request, body: 'Saturday' });
    expect(E.isLeft(r) && r.left.code).toBe('already-exists');
  });

  it('R-CON-9: an attempt marker names recipients only; a recipient marked before is refused', () => {
    const batch: MessageEvent = { type: 'SendBatchStarted', data: { messageId: 'm-1', batch: 1, contactIds: ['c-1'] } };
    expect(given(messageDecider, requested).when({ type: 'StartSendBatch', messageId: 'm-1', contactIds: ['c-1'] })).toEqual(E.right([batch]));
    expect(E.isLeft(given(messageDecider, requested).when({ type: 'StartSendBatch', messageId: 'm-1', contactIds: ['c-9'] }))).toBe(true);
    const again = given(messageDecider, [...requested, batch]).when({ type: 'StartSendBatch', messageId: 'm-1', contactIds: ['c-1'] });
    expect(E.isLeft(again) && again.left.code).toBe('already-exists');
    // Released markers (our account's fault) may be marked again.
    const released: MessageEvent = { type: 'SendAttemptsReleased', data: { messageId: 'm-1', contactIds: ['c-1'], reason: 'sendgrid refused (401)' } };
    expect(E.isRight(given(messageDecider, [...requested, batch, released]).when({ type: 'StartSendBatch', messageId: 'm-1', contactIds: ['c-1'] }))).toBe(true);
  });

  it('R-CON-9 R-AUD-1: a recipient in doubt is never marked again until staff decide; the decision reopens only those in doubt', () => {
    const batch: MessageEvent = { type: 'SendBatchStarted', data: { messageId: 'm-1', batch: 1, contactIds: ['c-1', 'c-2'] } };
    const doubt: MessageEvent = { type: 'RecipientInDoubt', data: { messageId: 'm-1', contactId: 'c-1', detail: 'no answer within 15000 ms' } };
    expect(given(messageDecider, [...requested, batch]).when({ type: 'RecordInDoubt', messageId: 'm-1', contactId: 'c-1', detail: 'no answer within 15000 ms' })).toEqual(E.right([doubt]));
    expect(given(messageDecider, [...requested, batch, doubt]).when({ type: 'RecordInDoubt', messageId: 'm-1', contactId: 'c-1', detail: 'again' })).toEqual(E.right([]));
    expect(E.isLeft(given(messageDecider, [...requested, batch, doubt]).when({ type: 'StartSendBatch', messageId: 'm-1', contactIds: ['c-1'] }))).toBe(true);
    // Only recipients in doubt can be resent; all of them when none are named.
    const notInDoubt = given(messageDecider, [...requested, batch, doubt]).when({ type: 'DecideResendInDoubt', messageId: 'm-1', contactIds: ['c-2'] });
    expect(E.isLeft(notInDoubt) && notInDoubt.left.message).toMatch(/c-2 is not in doubt/);
    const decided: MessageEvent = { type: 'InDoubtResendDecided', data: { messageId: 'm-1', contactIds: ['c-1'] } };
    expect(given(messageDecider, [...requested, batch, doubt]).when({ type: 'DecideResendInDoubt', messageId: 'm-1' })).toEqual(E.right([decided]));
    expect(given(messageDecider, [...requested, batch]).when({ type: 'DecideResendInDoubt', messageId: 'm-1' })).toEqual(E.right([]));
    expect(given(messageDecider, [...requested, batch, doubt, decided]).when({ type: 'StartSendBatch', messageId: 'm-1', contactIds: ['c-1'] })).toEqual(
      E.right([{ type: 'SendBatchStarted', data: { messageId: 'm-1', batch: 2, contactIds: ['c-1'] } }]),
    );
    // c-2 was marked and never decided on: still refused.
    expect(E.isLeft(given(messageDecider, [...requested, batch, doubt, decided]).when({ type: 'StartSendBatch', messageId: 'm-1', contactIds: ['c-2'] }))).toBe(true);
  });

  it('R-CON-9: a message with anyone in doubt does not complete', () => {
    const doubt: MessageEvent = { type: 'RecipientInDoubt', data: { messageId: 'm-1', contactId: 'c-1', detail: 'x' } };
    const r = given(messageDecider, [...requested, doubt]).when({ type: 'CompleteMessage', messageId: 'm-1', outcome: { sent: 1, failed: 0, skipped: 1 } });
    expect(E.isLeft(r) && r.left.message).toMatch(/1 recipient\(s\) in doubt/);
  });

  it('R-CON-9: a failure or a late skip is recorded once, and ends that recipient', () => {
    const failed: MessageEvent = { type: 'MessageSendFailed', data: { messageId: 'm-1', contactId: 'c-2', error: 'refused' } };
    expect(given(messageDecider, requested).when({ type: 'RecordSendFailure', messageId: 'm-1', contactId: 'c-2', error: 'refused' })).toEqual(E.right([failed]));
    expect(given(messageDecider, [...requested, failed]).when({ type: 'RecordSendFailure', messageId: 'm-1', contactId: 'c-2', error: 'again' })).toEqual(E.right([]));
    expect(given(messageDecider, [...requested, failed]).when({ type: 'RecordRecipientSkipped', messageId: 'm-1', contactId: 'c-2', reasons: ['x'] })).toEqual(E.right([]));
    expect(E.isLeft(given(messageDecider, [...requested, failed]).when({ type: 'StartSendBatch', messageId: 'm-1', contactIds: ['c-2'] }))).toBe(true);
  });

  it('R-CON-9: completion is recorded once; a completed message takes no new batches', () => {
    const done: MessageEvent = { type: 'MessageCompleted', data: { messageId: 'm-1', sent: 2, failed: 0, skipped: 1 } };
    expect(given(messageDecider, requested).when({ type: 'CompleteMessage', messageId: 'm-1', outcome: { sent: 2, failed: 0, skipped: 1 } })).toEqual(E.right([done]));
    expect(given(messageDecider, [...requested, done]).when({ type: 'CompleteMessage', messageId: 'm-1', outcome: { sent: 2, failed: 0, skipped: 1 } })).toEqual(E.right([]));
    expect(E.isLeft(given(messageDecider, [...requested, done]).when({ type: 'StartSendBatch', messageId: 'm-1', contactIds: ['c-1'] }))).toBe(true);
    expect(E.isLeft(given(messageDecider, []).when({ type: 'CompleteMessage', messageId: 'm-1', outcome: { sent: 0, failed: 0, skipped: 0 } }))).toBe(true);
  });
});
