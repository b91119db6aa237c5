/** runImport tells an embedder where its writes end in the log, so a view can be read once it has caught up. */
import { describe, expect, it } from 'vitest';
import { memoryStore, type EventStore } from '@contactable/core';
import { allEvents, contact, harness, link, pupil, snapshot } from './fixtures.js';

const school = (n: number, suffix = '') =>
  snapshot({
    members: Array.from({ length: n }, (_, i) => pupil(`p${i}`)),
    contacts: Array.from({ length: n }, (_, i) => contact(`c${i}`, [{ value: `c${i}${suffix}@example.org`, location: 'Home' }])),
    links: Array.from({ length: n }, (_, i) => link(`p${i}`, `c${i}`)),
  });

const perStream = (store: EventStore): EventStore => {
  const { appendMany: _, ...rest } = store;
  return rest;
};

describe('runImport lastPosition', () => {
  for (const [name, wrap] of [['batched', (s: EventStore) => s], ['per-stream', perStream]] as const) {
    it(`R-IMP-1 is the highest position the run wrote, its ImportRunFinished (${name})`, async () => {
      const h = harness(wrap(memoryStore()));
      const first = await h.run(school(3));
      const log = await allEvents(h.store);
      expect(first.lastPosition).toBe(Math.max(...log.map((e) => e.position)));
      expect(log.find((e) => e.position === first.lastPosition)!.type).toBe('ImportRunFinished');
      const second = await h.run(school(3, 'x'));
      const after = await allEvents(h.store);
      expect(second.lastPosition).toBe(Math.max(...after.map((e) => e.position)));
      expect(second.lastPosition!).toBeGreaterThan(first.lastPosition!);
    });
  }

  it('R-IMP-1 is null when the run wrote nothing (dry run, unchanged data)', async () => {
    const h = harness();
    expect((await h.run(school(2), undefined, undefined, { dryRun: true })).lastPosition).toBeNull();
    await h.run(school(2));
    expect((await h.run(school(2))).lastPosition).toBeNull();
  });
});
