/** The import's laws, checked with fast-check over tiny generated snapshots. */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import {
  contactDecider,
  contactStream,
  emptyHeld,
  groupDecider,
  handleCommand,
  memberDecider,
  plannedCommandCount,
  planImport,
  sequenceDecider,
  withEvents,
  type Decider,
  type HeldState,
  type ImportPlan,
  type StoredEvent,
} from '@contactable/core';
import { arbSettings, arbSnapshot, arbToday } from './arbitraries.js';
import { applyPure, eventCount, harness, heldOf, SCHOOL } from './fixtures.js';


describe('import laws', () => {
  it('R-IMP-1 planning the same snapshot against what one import made plans nothing (pure)', () => {
    fc.assert(
      fc.property(arbSnapshot, arbSettings, arbToday, (snap, settings, today) => {
        const first = planImport(snap, emptyHeld(SCHOOL), settings, today);
        const after = applyPure(emptyHeld(SCHOOL), first);
        const second = planImport(snap, after, settings, today);
        return plannedCommandCount(second) === 0;
      }),
      { numRuns: Number(process.env.LAW_RUNS ?? 1000) },
    );
  });

  it('R-IMP-1 the plan changes nothing twice: applying a second snapshot twice plans nothing the second time (pure)', () => {
    fc.assert(
      fc.property(arbSnapshot, arbSnapshot, arbSettings, arbToday, (a, b, settings, today) => {
        const held = applyPure(emptyHeld(SCHOOL), planImport(a, emptyHeld(SCHOOL), settings, today));
        const after = applyPure(held, planImport(b, held, settings, today));
        return plannedCommandCount(planImport(b, after, settings, today)) === 0;
      }),
      { numRuns: Number(process.env.LAW_RUNS ?? 1000) },
    );
  });

  it('R-IMP-1 importing the same snapshot twice appends nothing the second time (store)', async () => {
    await fc.assert(
      fc.asyncProperty(arbSnapshot, arbSettings, arbToday, async (snap, settings, today) => {
        const h = harness();
        await h.run(snap, settings, today);
        const n = await eventCount(h.store);
        const again = await h.run(snap, settings, today);
        expect(again.recorded).toBe(false);
        expect(await eventCount(h.store)).toBe(n);
      }),
      { numRuns: 150 },
    );
  });

  it('R-CON-2 no import opts an opted-out contact back in', async () => {
    await fc.assert(
      fc.asyncProperty(arbSnapshot, arbSnapshot, arbSettings, arbToday, async (a, b, settings, today) => {
        const h = harness();
        await h.run(a, settings, today);
        const held = await heldOf(h.store);
        for (const id of held.contacts.keys()) {
          await handleCommand(h.deps, contactDecider, contactStream(id), { type: 'OptOut', contactId: id, via: 'staff' }, { schoolId: SCHOOL, actor: { kind: 'person', name: 'Office' } });
        }
        await h.run(b, settings, today);
        await h.run(a, settings, today);
        for (const { state } of (await heldOf(h.store)).contacts.values()) {
          if (state.status === 'active' && held.contacts.has(state.contactId)) expect(state.optedOut).not.toBeNull();
        }
      }),
      { numRuns: 100 },
    );
  });

  it('R-IMP-8 no import touches address-book records', async () => {
    await fc.assert(
      fc.asyncProperty(arbSnapshot, arbSnapshot, arbSettings, async (a, b, settings) => {
        const h = harness();
        const ctx = { schoolId: SCHOOL, actor: { kind: 'person' as const, name: 'Office' } };
        await handleCommand(h.deps, contactDecider, contactStream('ab-1'), { type: 'AddContact', contactId: 'ab-1', name: { given: 'Gov', family: 'Ernor' }, email: { value: 'a@example.org', valid: true, location: 'Home' }, mobile: null }, ctx);
        await handleCommand(h.deps, memberDecider, 'member-ab-m', { type: 'AddMember', memberId: 'ab-m', kind: 'external', name: { given: 'Gov', family: 'Ernor' } }, ctx);
        await h.run(a, settings, '2026-09-01');
        await h.run(b, settings, '2026-09-02');
        expect(await h.store.readStream(contactStream('ab-1'))).toHaveLength(1);
        expect(await h.store.readStream('member-ab-m')).toHaveLength(1);
      }),
      { numRuns: 100 },
    );
  });
});
