/** The members list: kind, roll status and MIS reference, for the office and the CLI. */
import type { MemberId, MemberKind, MemberRecord, PersonName, Source } from '@contactable/core';
import { byString } from './json.js';
import { rollStatusOf, type RollStatus } from './memberView.js';
import type { Projection } from './state.js';

/** One member as a list shows it. */
export interface MemberSummary {
  readonly memberId: MemberId;
  readonly kind: MemberKind;
  readonly name: PersonName;
  readonly source: Source['kind'];
  /** The MIS reference (e.g. a UPN), `XXXX` once anonymised. */
  readonly misReference: string | null;
  readonly roll: RollStatus;
  readonly linkedContacts: number;
}

/** The summary of one member record. */
export const memberSummary = (m: MemberRecord): MemberSummary => ({
  memberId: m.memberId,
  kind: m.kind,
  name: m.name,
  source: m.source.kind,
  misReference: m.misReference,
  roll: rollStatusOf(m),
  linkedContacts: Object.keys(m.links).length,
});

/** Which members to list. */
export interface MemberQuery {
  readonly kind?: MemberKind;
  readonly roll?: RollStatus['status'];
}

/** Members matching a query, sorted by id. */
export const listMembers = (p: Projection, query: MemberQuery = {}): ReadonlyArray<MemberSummary> => {
  const out: MemberSummary[] = [];
  for (const { record: m } of p.members.values()) {
    if (query.kind !== undefined && m.kind !== query.kind) continue;
    const s = memberSummary(m);
    if (query.roll !== undefined && s.roll.status !== query.roll) continue;
    out.push(s);
  }
  return out.sort((a, b) => byString(a.memberId, b.memberId));
};

/** One member's summary, or null when not held. */
export const getMember = (p: Projection, memberId: MemberId): MemberSummary | null => {
  const m = p.members.get(memberId)?.record;
  return m === undefined ? null : memberSummary(m);
};
