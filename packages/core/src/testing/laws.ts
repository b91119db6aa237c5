/**
 * The core's laws as reusable fast-check properties. Run them with
 * `fc.assert(law, { numRuns })`; fast-check prints the seed and the shrunk
 * counterexample when one fails.
 */
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { contactDecider, FAILURES_TO_BLOCK, type ContactCommand, type ContactRecord, type ContactState } from '../deciders/contact.js';
import type { Decider } from '../decider.js';
import { decodeEvent, schemaVersionOf, validateEvent, type Recorded } from '../events/catalogue.js';
import { CHANNELS } from '../events/common.js';
import { usableMethods } from '../policies/contactability.js';
import { arbContactCommands, arbFeedback, arbImportContact, arbNonOptInCommands, CONTACT, EMAILS, MOBILES } from './arbitraries.js';
import { runCommands } from './run.js';
import { mobileDetail } from '../details.js';

const stable = (s: unknown): string =>
  JSON.stringify(s, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<unknown>)].sort() : v));

/** Folding the same events twice gives the same state. */
export const foldIsDeterministic = <C, Ev extends { type: string; data: unknown }, S>(
  decider: Decider<C, Ev, S>,
  commands: fc.Arbitrary<C[]>,
) =>
  fc.property(commands, (cmds) => {
    const { events } = runCommands(decider, cmds);
    const a = events.reduce((s, e) => decider.evolve(s, e as Recorded<Ev>), decider.initialState);
    const b = events.reduce((s, e) => decider.evolve(s, e as Recorded<Ev>), decider.initialState);
    return stable(a) === stable(b);
  });

/** Every event a decider emits passes its codec and survives a JSON round trip through the store's decoder. */
export const eventsRoundTrip = <C, Ev extends { type: string; data: unknown }, S>(
  decider: Decider<C, Ev, S>,
  commands: fc.Arbitrary<C[]>,
) =>
  fc.property(commands, (cmds) => {
    const { events } = runCommands(decider, cmds);
    return events.every((e, i) => {
      if (E.isLeft(validateEvent(e))) return false;
      const raw = JSON.parse(
        JSON.stringify({ id: `e${i}`, streamId: 's-1', version: i, position: i + 1, type: e.type, schemaVersion: schemaVersionOf(e.type), data: e.data, metadata: e.metadata }),
      );
      const decoded = decodeEvent(raw);
      return E.isRight(decoded) && stable(decoded.right.data) === stable(e.data) && stable(decoded.right.metadata) === stable(e.metadata);
    });
  });

/** An opted-out contact stays opted out through any imports, edits, callbacks and re-enables (R-CON-2). */
export const optOutSticks = (maxLength = 40) =>
  fc.property(arbImportContact(), arbNonOptInCommands(maxLength), (first, rest) => {
    const cmds: ContactCommand[] = [first, { type: 'OptOut', contactId: CONTACT, via: 'staff' }, ...rest];
    const { state } = runCommands(contactDecider, cmds);
    return state.status === 'active' && state.optedOut !== null;
  });

/** A blocked channel is never among a contact's usable methods (R-CON-6). */
export const blockedNeverUsable = (maxLength = 40) =>
  fc.property(arbContactCommands(maxLength), (cmds) => {
    const { events } = runCommands(contactDecider, cmds);
    let state: ContactState = contactDecider.initialState;
    for (const e of events) {
      state = contactDecider.evolve(state, e);
      if (state.status !== 'active') continue;
      const usable = usableMethods(state);
      for (const ch of CHANNELS) if (state.blocks[ch] !== null && usable.includes(ch)) return false;
    }
    return true;
  });

const fresh = (email = true, mobile = true): ContactCommand => ({
  type: 'ImportContact',
  contactId: CONTACT,
  source: { kind: 'mis', system: 'sims', externalId: CONTACT },
  name: { given: 'Ann', family: 'Smith' },
  email: email ? { value: EMAILS[0], valid: true, location: 'Home' } : null,
  mobile: mobile ? mobileDetail(MOBILES[0], 'Mobile') : null,
});

/**
 * Block thresholds (R-CON-3..5): with callbacks in time order, a channel is blocked by failures exactly when
 * three permanent failures to the held detail come with no success between; a spam complaint blocks email at once.
 */
export const blockThresholds = (maxLength = 30) =>
  fc.property(
    fc.array(fc.tuple(fc.constantFrom('email' as const, 'sms' as const), fc.constantFrom('ok', 'perm', 'temp', 'spam')), { maxLength }),
    (steps) => {
      const held = { email: EMAILS[0] as string, sms: mobileDetail(MOBILES[0], 'Mobile').value };
      const cmds: ContactCommand[] = [fresh()];
      steps.forEach(([channel, kind], i) => {
        const base = { contactId: CONTACT, provider: 'test', feedbackId: `fb-${i}`, providerMessageId: null, observedAt: new Date(Date.parse('2026-09-01T00:00:00Z') + i * 60_000).toISOString() };
        if (kind === 'spam') cmds.push({ type: 'RecordSpamComplaint', ...base, address: held.email });
        else if (kind === 'ok') cmds.push({ type: 'RecordDeliverySuccess', ...base, channel, address: held[channel] });
        else cmds.push({ type: 'RecordDeliveryFailure', ...base, channel, address: held[channel], permanent: kind === 'perm', detail: null });
      });
      const { state } = runCommands(contactDecider, cmds);
      const c = state as ContactRecord;
      // The model: scan the steps per channel.
      for (const channel of CHANNELS) {
        let run = 0;
        let blockedBy: string | null = null;
        for (const [ch, kind] of steps) {
          if (kind === 'spam' && channel === 'email') blockedBy = 'spam';
          if (ch !== channel || blockedBy !== null) continue;
          if (kind === 'ok') run = 0;
          if (kind === 'perm') run += 1;
          if (run >= FAILURES_TO_BLOCK) blockedBy = channel === 'email' ? 'permanent-bounce' : 'text-delivery-failure';
        }
        // A spam complaint after a bounce block still makes it a spam block.
        if (channel === 'email' && steps.some(([, k]) => k === 'spam')) blockedBy = 'spam';
        if ((c.blocks[channel]?.cause ?? null) !== blockedBy) return false;
      }
      return true;
    },
  );

/** Re-enable without confirmation is refused and changes nothing (R-CON-7). */
export const reEnableNeedsConfirmation = (maxLength = 40) =>
  fc.property(arbContactCommands(maxLength), fc.constantFrom('email' as const, 'sms' as const), (cmds, channel) => {
    const { state } = runCommands(contactDecider, cmds);
    const refused = contactDecider.decide({ type: 'ReEnable', contactId: CONTACT, channel, confirmedWithContact: false }, state);
    return E.isLeft(refused) && (refused.left.code === 'confirmation-required' || refused.left.code === 'deleted' || refused.left.code === 'not-found');
  });

/** Replaying any sequence of callbacks twice gives the same state as once. */
export const callbacksIdempotent = (maxLength = 30) =>
  fc.property(arbImportContact(), fc.array(arbFeedback(), { maxLength }), (first, callbacks) => {
    const once = runCommands(contactDecider, [first, ...callbacks]).state;
    const twice = runCommands(contactDecider, [first, ...callbacks, ...callbacks]).state;
    return stable(once) === stable(twice);
  });
