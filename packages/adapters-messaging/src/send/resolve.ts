/** Turns an audience into recipients and skipped people (R-CON-9), deduplicated: a contact linked to two siblings is one recipient. */
import { contactability, describeUnusable, type Audience, type Channel, type ContactState, type SkippedRecipient } from '@contactable/core';
import { normaliseAddress } from '../addresses.js';
import { isDirectoryError, type Directory, type DirectoryError } from '../directory/port.js';

/** The recipients of a message, and everyone left out with the reasons. */
export interface Resolution {
  readonly recipients: ReadonlyArray<string>;
  readonly skipped: ReadonlyArray<SkippedRecipient>;
}

/**
 * Why a contact cannot be sent to on a channel now, as sentences with no personal data; empty when it can.
 * Always the core's contactability policy (R-CON-9); a confirmation also needs the detail still to be the one confirmed.
 */
export const unusableReasons = (state: ContactState, channel: Channel, expectedAddress?: string): ReadonlyArray<string> => {
  const verdict = contactability(state, channel);
  const reasons = verdict.reasons.map((u) => describeUnusable(u, channel));
  if (reasons.length === 0 && expectedAddress !== undefined && state.status === 'active') {
    const held = channel === 'email' ? state.email : state.mobile;
    if (held === null || normaliseAddress(channel, held.value) !== normaliseAddress(channel, expectedAddress)) {
      return [channel === 'email' ? 'the email address changed again before it could be confirmed' : 'the mobile number changed again before it could be confirmed'];
    }
  }
  return reasons;
};

/** Resolves an audience through the directory and applies the contactability policy to each contact once. */
export const resolveRecipients = async (
  directory: Directory,
  audience: Audience,
  channel: Channel,
  expected: ReadonlyMap<string, string> = new Map(),
): Promise<Resolution | DirectoryError> => {
  const resolved = await directory.resolveAudience(audience);
  if (isDirectoryError(resolved)) return resolved;
  const recipients: string[] = [];
  const skipped: SkippedRecipient[] = [...resolved.unreachable];
  const seen = new Set<string>();
  for (const candidate of resolved.candidates) {
    // A contact joined into another (one person, two records) is reached as the one that holds them now.
    let contactId = candidate.contactId;
    let state = await directory.contactState(contactId);
    for (let hops = 0; state.status === 'merged' && state.mergedInto !== null && hops < 16; hops++) {
      contactId = state.mergedInto;
      state = await directory.contactState(contactId);
    }
    if (seen.has(contactId)) continue;
    seen.add(contactId);
    const reasons = unusableReasons(state, channel, expected.get(contactId));
    if (reasons.length === 0) recipients.push(contactId);
    else skipped.push({ contactId, memberId: candidate.memberId, reasons: [...reasons] });
  }
  return { recipients, skipped };
};
