/** The linked-people view of a member (R-LNK-1) with each contact's capabilities (R-LNK-2, R-LNK-3). */
import {
  capabilities,
  usableMethods,
  type BlockCause,
  type Capabilities,
  type Channel,
  type ContactId,
  type Detail,
  type Link,
  type MemberId,
  type PersonName,
} from '@contactable/core';
import { asContactState } from './contactView.js';
import { byString } from './json.js';
import { memberSummary, type MemberSummary } from './members.js';
import type { Projection } from './state.js';

/** One linked contact as the office sees it. */
export interface LinkedPerson {
  readonly contactId: ContactId;
  /** `absent` when the link names a contact the school does not hold (yet). */
  readonly status: 'active' | 'deleted' | 'anonymised' | 'merged' | 'absent';
  readonly name: PersonName | null;
  readonly relationship: string;
  readonly priority: number;
  readonly prime: boolean;
  readonly parentalResponsibility: boolean;
  /** Where the link comes from. */
  readonly linkSource: Link['source'];
  /** The email as held, valid or not. */
  readonly email: Detail | null;
  /** The mobile as held: E.164 when valid. */
  readonly mobile: Detail | null;
  readonly usableMethods: ReadonlyArray<Channel>;
  readonly optedOut: boolean;
  /** The block on each channel, by cause, or null. */
  readonly blocked: { readonly email: BlockCause | null; readonly sms: BlockCause | null };
  readonly capabilities: Capabilities;
}

/** A member with their linked people, prime first then by priority and id. */
export interface LinkedPeopleView {
  readonly member: MemberSummary;
  readonly linkedPeople: ReadonlyArray<LinkedPerson>;
}

const order = (a: readonly [string, Link], b: readonly [string, Link]): number =>
  Number(b[1].prime) - Number(a[1].prime) || a[1].priority - b[1].priority || byString(a[0], b[0]);

/** The linked people of a member, or null when the member is not held. */
export const linkedPeople = (p: Projection, memberId: MemberId): LinkedPeopleView | null => {
  const m = p.members.get(memberId)?.record;
  if (m === undefined) return null;
  const contacts = Object.entries(m.links)
    .sort(order)
    .map(([contactId, link]): LinkedPerson => {
      const c = p.contacts.get(contactId)?.view;
      return {
        contactId,
        status: c === undefined ? 'absent' : c.status,
        name: c === undefined ? null : c.name,
        relationship: link.relationship,
        priority: link.priority,
        prime: link.prime,
        parentalResponsibility: link.parentalResponsibility,
        linkSource: link.source,
        email: c?.email ?? null,
        mobile: c?.mobile ?? null,
        // The core's own policy: the dashboard's fast counters are tested against exactly this.
        usableMethods: usableMethods(asContactState(c)),
        optedOut: c !== undefined && c.optedOut !== null,
        blocked: { email: c?.blocks.email?.cause ?? null, sms: c?.blocks.sms?.cause ?? null },
        capabilities: capabilities(m, link),
      };
    });
  return { member: memberSummary(m), linkedPeople: contacts };
};
