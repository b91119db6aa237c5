/** Contactability: for a contact and a channel, usable or not, and why (R-CON-6, R-CON-9, R-LNK-1). */
import type { Instant } from '../clock.js';
import type { ContactState } from '../deciders/contact.js';
import { CHANNELS, type BlockCause, type Channel, type ConsentVia } from '../events/common.js';
import { DEFAULT_TIME_ZONE, localDayOf, type TimeZone } from '../zone.js';

/** Why a channel cannot be used. */
export type Unusable =
  | { readonly reason: 'not-held' }
  | { readonly reason: 'deleted' }
  | { readonly reason: 'merged'; readonly into: string }
  | { readonly reason: 'missing' }
  | { readonly reason: 'invalid' }
  | { readonly reason: 'opted-out'; readonly since: Instant; readonly via: ConsentVia }
  | { readonly reason: 'blocked'; readonly cause: BlockCause; readonly since: Instant };

/** The verdict for one contact and channel. */
export interface Contactability {
  readonly channel: Channel;
  readonly usable: boolean;
  /** Every reason that stands in the way (empty when usable). */
  readonly reasons: ReadonlyArray<Unusable>;
}

/** Whether a contact can be messaged on a channel, with every reason it cannot. */
export const contactability = (contact: ContactState, channel: Channel): Contactability => {
  if (contact.status === 'absent') return { channel, usable: false, reasons: [{ reason: 'not-held' }] };
  if (contact.status === 'merged') return { channel, usable: false, reasons: [{ reason: 'merged', into: contact.mergedInto ?? '' }] };
  if (contact.status !== 'active') return { channel, usable: false, reasons: [{ reason: 'deleted' }] };
  const reasons: Unusable[] = [];
  const detail = channel === 'email' ? contact.email : contact.mobile;
  if (detail === null) reasons.push({ reason: 'missing' });
  else if (!detail.valid) reasons.push({ reason: 'invalid' });
  if (contact.optedOut !== null) reasons.push({ reason: 'opted-out', since: contact.optedOut.at, via: contact.optedOut.via });
  const block = contact.blocks[channel];
  if (block !== null) reasons.push({ reason: 'blocked', cause: block.cause, since: block.at });
  return { channel, usable: reasons.length === 0, reasons };
};

/** The channels a contact can be messaged on now (a blocked channel is never among them). */
export const usableMethods = (contact: ContactState): ReadonlyArray<Channel> =>
  CHANNELS.filter((c) => contactability(contact, c).usable);

/** A short sentence for a reason, with no personal data; dates are the school's days. */
export const describeUnusable = (u: Unusable, channel: Channel, zone: TimeZone = DEFAULT_TIME_ZONE): string => {
  switch (u.reason) {
    case 'not-held':
      return 'the contact is not held by this school';
    case 'deleted':
      return 'the contact was deleted';
    case 'merged':
      return 'this record was joined into another contact of the same person, who is messaged there';
    case 'missing':
      return channel === 'email' ? 'no email address is held' : 'no mobile number is held';
    case 'invalid':
      return channel === 'email' ? 'the email address is badly formed' : 'the mobile number is badly formed';
    case 'opted-out':
      return `opted out on ${localDayOf(u.since, zone)}${u.via === 'sms-reply' ? ' by text reply' : u.via === 'provider-unsubscribe' ? ' by unsubscribing' : ''}`;
    case 'blocked':
      return `${channel} blocked on ${localDayOf(u.since, zone)} (${u.cause})`;
  }
};
