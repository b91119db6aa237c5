import fc from 'fast-check';
import { describe, it } from 'vitest';
import { contactDecider, memberDecider } from '../src/index.js';
import { arbContactCommands, arbMemberCommands, laws } from '../src/testing/index.js';

// Each law runs 1,000 times; fast-check prints the seed and the shrunk counterexample on failure.
// LAW_RUNS lowers the count for mutation testing (pnpm mutation), where every surviving-mutant check reruns the laws.
const runs = { numRuns: Number(process.env['LAW_RUNS'] ?? 1000) };

describe('laws of the core', () => {
  it('folding the same contact events always gives the same state (determinism)', () => {
    fc.assert(laws.foldIsDeterministic(contactDecider, arbContactCommands()), runs);
  });

  it('folding the same member events always gives the same state (determinism)', () => {
    fc.assert(laws.foldIsDeterministic(memberDecider, arbMemberCommands()), runs);
  });

  it('every contact event a decider emits round-trips through its codec', () => {
    fc.assert(laws.eventsRoundTrip(contactDecider, arbContactCommands()), runs);
  });

  it('every member event a decider emits round-trips through its codec', () => {
    fc.assert(laws.eventsRoundTrip(memberDecider, arbMemberCommands()), runs);
  });

  it('R-CON-2 an opted-out contact stays opted out through any imports and callbacks; only opt-in reverses it', () => {
    fc.assert(laws.optOutSticks(), runs);
  });

  it('R-CON-6 a blocked channel is never among the usable methods', () => {
    fc.assert(laws.blockedNeverUsable(), runs);
  });

  it('R-CON-3 R-CON-4 R-CON-5 three permanent failures block, a success restarts the count, spam blocks at once, three failed texts block', () => {
    fc.assert(laws.blockThresholds(), runs);
  });

  it('R-CON-7 re-enable without confirmation is refused and changes nothing', () => {
    fc.assert(laws.reEnableNeedsConfirmation(), runs);
  });

  it('replaying any callback sequence twice gives the same state as once', () => {
    fc.assert(laws.callbacksIdempotent(), runs);
  });
});
