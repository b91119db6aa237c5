/**
 * Explain (R-AUD-3): for a contact, a channel and an instant, whether the channel was
 * usable and the chain of events that made it so: the detail held, opt-outs, blocks
 * (with the failures that caused them), re-enables, lapses and deletion. The verdict is
 * the core's own `contactability` over the core's own `evolveContact`, so an explanation
 * can never disagree with what a send decided.
 */
import { describeMatch } from './audit.js';
import {
  contactability,
  describeActor,
  sameDetail,
  type Channel,
  type ContactEvent,
  type ContactId,
  type ContactRecord,
  type ContactState,
  type Detail,
  type Instant,
  type Recorded,
  type TimeZone,
  DEFAULT_TIME_ZONE,
  evolveContact,
  initialContactState,
} from '@contactable/core';
import { byActor, describeVia, detailNoun, withReason } from './describe.js';
import { formatDay, formatDays, instantMs } from './time.js';

/** One link of the chain. */
export interface ExplainStep {
  /** When the event happened; null for the absence of any event (a contact never held). */
  readonly at: Instant | null;
  /** The event's position in the log, when known. */
  readonly position: number | null;
  /** The event type. */
  readonly event: string | null;
  /** Who caused it (describeActor). */
  readonly actor: string | null;
  /** The free-text reason (`XXXX` once the contact is erased). */
  readonly reason: string | null;
  /** The non-personal reason code, kept after erasure. */
  readonly reasonCode: string | null;
  /** The sentence for the office, with no personal values. */
  readonly because: string;
  /** True when the step still held at the instant asked about; false for history (a block since lifted). */
  readonly standing: boolean;
}

/** The answer to "could this contact be messaged on this channel at that instant, and why?". */
export interface Explanation {
  readonly contactId: ContactId;
  readonly channel: Channel;
  readonly at: Instant;
  readonly usable: boolean;
  /** The chain in log order: history first where it came first, standing steps marked. */
  readonly reasons: ReadonlyArray<ExplainStep>;
  /** One line: the verdict and the standing reasons. */
  readonly summary: string;
}

type Ev = Recorded<ContactEvent> & { readonly position?: number };

const NO_FEEDBACK: ReadonlySet<string> = new Set();

const step = (e: Ev, order: number, because: string): ExplainStep & { order: number } => ({
  at: e.metadata.occurredAt,
  position: e.position ?? null,
  event: e.type,
  actor: describeActor(e.metadata.actor),
  reason: e.metadata.reason,
  reasonCode: e.metadata.reasonCode ?? null,
  because,
  standing: true,
  order,
});

const how = (e: Ev, zone: TimeZone): string => {
  const actor = e.metadata.actor;
  const on = formatDay(e.metadata.occurredAt, zone);
  if (actor.kind === 'import') return `import on ${on}`;
  if (e.type === 'LocalOverrideSet') return `a local edit ${byActor(actor)} on ${on}`;
  if (e.type === 'ContactAdded') return `it was added ${byActor(actor)} on ${on}`;
  return `an edit ${byActor(actor)} on ${on}`;
};

const detailBecause = (channel: Channel, d: Detail | null, e: Ev, zone: TimeZone): string => {
  const noun = detailNoun(channel);
  if (d === null) return `no ${noun} held since ${how(e, zone)}`;
  if (!d.valid) return `${channel === 'email' ? 'email' : 'mobile'} invalid (badly formed ${noun}) since ${how(e, zone)}`;
  return `${noun} held since ${how(e, zone)}`;
};

const detailOf = (s: ContactState, channel: Channel): Detail | null | undefined =>
  s.status === 'absent' ? undefined : channel === 'email' ? s.email : s.mobile;

type Step = ExplainStep & { order: number };

/**
 * Explains a channel of one contact at an instant from that contact's events (its stream,
 * in order). Events after `at` are ignored (R-AUD-2). Days and times are the school's (`zone`).
 */
export const explainContactability = (events: ReadonlyArray<Ev>, channel: Channel, at: Instant, contactId?: ContactId, zone: TimeZone = DEFAULT_TIME_ZONE): Explanation => {
  const atMs = instantMs(at);
  let state: ContactState = initialContactState;
  let detail: Step | null = null;
  let optOut: Step | null = null;
  let block: Step | null = null;
  let deleted: Step | null = null;
  let mergedAway: Step | null = null;
  let lastSpam: { readonly actor: string; readonly observedAt: Instant } | null = null;
  const history: Step[] = [];
  events.forEach((e, order) => {
    if (instantMs(e.metadata.occurredAt) > atMs) return;
    const before = state;
    state = evolveContact(state, e);
    // The callback ids only serve `decide`; dropping them keeps a long history linear.
    if (state.status !== 'absent' && state.feedbackSeen.size > 0) state = { ...state, feedbackSeen: NO_FEEDBACK };
    const when = formatDay(e.metadata.occurredAt, zone);
    switch (e.type) {
      case 'ContactImported':
      case 'ContactAdded':
      case 'ContactSplitOff':
        detail = step(e, order, detailBecause(channel, detailOf(state, channel) ?? null, e, zone));
        optOut = block = deleted = null;
        return;
      case 'ContactDetailsChanged':
      case 'LocalOverrideSet': {
        const was = detailOf(before, channel);
        const now = detailOf(state, channel);
        if (was !== undefined && now !== undefined && !sameDetail(was, now)) detail = step(e, order, detailBecause(channel, now, e, zone));
        return;
      }
      case 'OptedOut':
        optOut = step(e, order, `opted out on ${when}, ${describeVia(e.data.via)}, ${byActor(e.metadata.actor)}${withReason(e.metadata.reason, e.metadata.reasonCode)}`);
        return;
      case 'OptedIn':
        if (optOut !== null) history.push({ ...optOut, standing: false });
        history.push({ ...step(e, order, `opted back in on ${when}, ${describeVia(e.data.via)}, ${byActor(e.metadata.actor)}${withReason(e.metadata.reason, e.metadata.reasonCode)}`), standing: false });
        optOut = null;
        return;
      case 'SpamComplaintReceived':
        lastSpam = { actor: describeActor(e.metadata.actor), observedAt: e.data.observedAt };
        return;
      case 'Blocked': {
        if (e.data.channel !== channel) return;
        const name = channel === 'email' ? 'email' : 'texts';
        if (e.data.cause === 'spam') {
          const spam = lastSpam as { readonly actor: string; readonly observedAt: Instant } | null;
          const from = spam === null ? '' : ` (${spam.actor}, ${formatDay(spam.observedAt, zone)})`;
          block = step(e, order, `email blocked on ${when} after the recipient marked an email as spam${from}`);
        } else {
          const failures = state.status === 'absent' ? [] : (state as ContactRecord).streaks[channel].failuresAt;
          const what = channel === 'email' ? 'permanent failures' : 'failed texts';
          block = step(e, order, `${name} blocked on ${when} after ${what}${failures.length === 0 ? '' : ` on ${formatDays(failures, zone)}`}`);
        }
        return;
      }
      case 'ReEnabled':
      case 'BlockLapsed': {
        if (e.data.channel !== channel) return;
        if (block !== null) history.push({ ...block, standing: false });
        const because =
          e.type === 'ReEnabled'
            ? `${channel} re-enabled on ${when} ${byActor(e.metadata.actor)} after checking with the contact${withReason(e.metadata.reason, e.metadata.reasonCode)}`
            : `${channel} block lapsed on ${when}: the MIS brought a new ${detailNoun(channel)}`;
        history.push({ ...step(e, order, because), standing: false });
        block = null;
        return;
      }
      case 'ContactDeleted':
        deleted = step(e, order, `contact deleted on ${when} ${byActor(e.metadata.actor)}${withReason(e.metadata.reason, e.metadata.reasonCode)}`);
        return;
      case 'ContactMerged':
        history.push({ ...step(e, order, `contact ${e.data.from} joined into this one on ${when} (${describeMatch(e.data.because)}), ${byActor(e.metadata.actor)}; the stricter consent of the two stands`), standing: false });
        return;
      case 'ContactMergedInto':
        mergedAway = step(e, order, `joined into contact ${e.data.into} on ${when} (${describeMatch(e.data.because)}), ${byActor(e.metadata.actor)}: this person is messaged there`);
        return;
      case 'ContactSplit':
        history.push({ ...step(e, order, `split on ${when} ${byActor(e.metadata.actor)}: for member ${e.data.memberId} this is another person, contact ${e.data.newContactId}`), standing: false });
        return;
      case 'ContactAnonymised':
        if (deleted !== null) deleted = { ...deleted, because: `${deleted.because}; personal data anonymised on ${when}` };
        return;
      default:
        return;
    }
  });
  const verdict = contactability(state, channel);
  const standing: Step[] = [];
  for (const r of verdict.reasons) {
    if (r.reason === 'not-held') {
      standing.push({ at: null, position: null, event: null, actor: null, reason: null, reasonCode: null, because: `the contact was not held by this school on ${formatDay(at, zone)}`, standing: true, order: -1 });
    } else if (r.reason === 'deleted' && deleted !== null) standing.push(deleted);
    else if (r.reason === 'merged' && mergedAway !== null) standing.push(mergedAway);
    else if ((r.reason === 'missing' || r.reason === 'invalid') && detail !== null) standing.push(detail);
    else if (r.reason === 'opted-out' && optOut !== null) standing.push(optOut);
    else if (r.reason === 'blocked' && block !== null) standing.push(block);
  }
  // The detail held is context for any verdict on a held contact.
  const d = detail as Step | null;
  if (d !== null && !standing.includes(d) && state.status === 'active') standing.push(d);
  const byOrder = (a: Step, b: Step): number => a.order - b.order;
  const strip = ({ order: _order, ...s }: Step): ExplainStep => s;
  const detailIsAReason = verdict.reasons.some((r) => r.reason === 'missing' || r.reason === 'invalid');
  const against = standing
    .filter((s) => s !== d || detailIsAReason)
    .sort(byOrder)
    .map((s) => s.because);
  return {
    contactId: contactId ?? (state.status === 'absent' ? '' : state.contactId),
    channel,
    at,
    usable: verdict.usable,
    reasons: [...history, ...standing].sort(byOrder).map(strip),
    summary: verdict.usable ? `${channel} usable: ${d === null ? 'held' : d.because}` : `${channel} not usable: ${against.join('; ')}`,
  };
};
