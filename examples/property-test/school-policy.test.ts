/**
 * Example (c): a school verifies its own policy with the core's arbitraries and laws.
 *
 * Our (imaginary) school's policy: "a parent who replied STOP is never texted again until
 * they reply START or the office opts them back in" and "a parent whose texts keep failing
 * is never texted, whatever the MIS sends us, until the number changes or someone re-enables".
 * The library's own laws are re-run here too, so an upgrade that broke them fails our build.
 */
import { contactability, contactDecider, type ContactCommand } from '@contactable/core';
import { arbContactCommand, arbImportContact, CONTACT, laws, runCommands } from '@contactable/core/testing';
import fc from 'fast-check';
import { describe, it } from 'vitest';

describe("our school's messaging policy", () => {
  it('a STOP reply means no texts until an explicit opt-in', () => {
    fc.assert(
      fc.property(arbImportContact(), fc.array(arbContactCommand(), { maxLength: 30 }), (first, later) => {
        const stop: ContactCommand = { type: 'OptOut', contactId: CONTACT, via: 'sms-reply' };
        const { state, events } = runCommands(contactDecider, [first, stop, ...later]);
        const optedInSince = events.some((e, i) => e.type === 'OptedIn' && i > events.findIndex((x) => x.type === 'OptedOut'));
        return optedInSince || !contactability(state, 'sms').usable;
      }),
      { numRuns: 500 },
    );
  });

  it('a channel blocked by failures stays unusable through any number of unchanged MIS syncs', () => {
    fc.assert(
      fc.property(arbImportContact(), fc.integer({ min: 0, max: 5 }), (first, syncs) => {
        if (first.type !== 'ImportContact' || first.mobile === null || !first.mobile.valid) return true;
        const fail = (i: number): ContactCommand => ({
          type: 'RecordDeliveryFailure', contactId: CONTACT, channel: 'sms', address: first.mobile!.value, permanent: true,
          detail: 'undeliverable', provider: 'example', feedbackId: `f${i}`, providerMessageId: null, observedAt: `2026-10-0${i + 1}T10:00:00.000Z`,
        });
        const { state } = runCommands(contactDecider, [first, fail(0), fail(1), fail(2), ...Array.from({ length: syncs }, () => first)]);
        return !contactability(state, 'sms').usable;
      }),
      { numRuns: 500 },
    );
  });

  it("the library's own laws still hold in the version we run", () => {
    fc.assert(laws.optOutSticks(), { numRuns: 200 });
    fc.assert(laws.blockedNeverUsable(), { numRuns: 200 });
    fc.assert(laws.blockThresholds(), { numRuns: 200 });
  });
});
