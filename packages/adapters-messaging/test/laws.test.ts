/**
 * Laws over real adapters (fast-check, 200 runs each):
 * - for any contact history, no send reaches an opted-out, blocked, invalid or missing detail (R-CON-9);
 * - replaying any sequence of callbacks twice gives the same state as once, and writes nothing more.
 */
import * as E from 'fp-ts/lib/Either.js';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import {
  contactability,
  contactDecider,
  contactStream,
  loadStream,
  memoryStore,
  schemaVersionOf,
  sequentialIds,
  steppingClock,
  type Channel,
  type ContactState,
  type EventStore,
} from '@contactable/core';
import { arbContactCommands, EMAILS, MOBILES, runCommands } from '@contactable/core/testing';
import { ingestCallback, mobileE164, send, storeDirectory, type CallbackDeps } from './support/lawHelpers.js';
import { fakeEmail, fakeSms } from './support/fakes.js';
import { SCHOOL } from './support/world.js';

const CONTACTS = ['c-a', 'c-b', 'c-c'];

// Writes each contact's history straight into the store (the events a decider decided, with their metadata).
const seed = async (store: EventStore, histories: ReadonlyArray<ReadonlyArray<Parameters<typeof runCommands>[1][number]>>): Promise<void> => {
  for (const [i, id] of CONTACTS.entries()) {
    const { events } = runCommands(contactDecider, histories[i] as never, { start: '2026-08-01T08:00:00.000Z' });
    if (events.length === 0) continue;
    const r = await store.append(contactStream(id), events.map((e, n) => ({ id: `${id}-${n}`, type: e.type, schemaVersion: schemaVersionOf(e.type), data: e.data, metadata: e.metadata })), { kind: 'any' });
    if (E.isLeft(r)) throw new Error('seed failed');
  }
};

const stateOf = async (store: EventStore, id: string): Promise<ContactState> => {
  const r = await loadStream(store, contactDecider, contactStream(id));
  if (E.isLeft(r)) throw new Error(r.left.message);
  return r.right.state;
};

const stable = (s: unknown): string => JSON.stringify(s, (_k, v: unknown) => (v instanceof Set ? [...(v as Set<unknown>)].sort() : v));

describe('laws', () => {
  it('R-CON-9 law: for any history, no send reaches an opted-out, blocked, invalid or missing detail, and every usable contact is reached', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.tuple(...CONTACTS.map((id) => arbContactCommands(12, id))),
        fc.constantFrom<Channel>('email', 'sms'),
        async (histories, channel) => {
          const store = memoryStore();
          await seed(store, histories);
          const email = fakeEmail();
          const sms = fakeSms();
          const before = await Promise.all(CONTACTS.map((id) => stateOf(store, id)));
          const r = await send(
            { store, clock: steppingClock('2026-09-01T08:00:00.000Z'), ids: sequentialIds('law'), schoolId: SCHOOL, directory: storeDirectory(store), email: email.provider, sms: sms.provider },
            { messageId: 'm-law', channel, subject: 'S', body: 'B' },
            { kind: 'contacts', contactIds: CONTACTS },
          );
          if (E.isLeft(r)) return false;
          const usable = new Set(CONTACTS.filter((_, i) => contactability(before[i]!, channel).usable));
          const sent = (channel === 'email' ? email : sms).sent;
          // Every message went to a usable contact's own detail.
          for (const m of sent) {
            if (!usable.has(m.contactId)) return false;
            const held = before[CONTACTS.indexOf(m.contactId)]!;
            if (held.status !== 'active' || (channel === 'email' ? held.email : held.mobile)?.value !== m.to) return false;
          }
          // Every usable contact is recorded as sent; every other one is skipped with a reason.
          const reached = new Set(r.right.sent.map((s) => s.contactId));
          const skipped = new Map(r.right.skipped.map((s) => [s.contactId, s.reasons]));
          return CONTACTS.every((id) => (usable.has(id) ? reached.has(id) && !skipped.has(id) : !reached.has(id) && (skipped.get(id)?.length ?? 0) > 0));
        },
      ),
      { numRuns: 200 },
    );
  });

  it('R-CON-2..5 law: replaying any sequence of callbacks twice gives the same state as once, and writes nothing more', async () => {
    const email0 = EMAILS[0];
    const mobile0 = mobileE164(MOBILES[0]);
    const arbAt = fc.integer({ min: 0, max: 3600 }).map((s) => new Date(Date.parse('2026-09-01T09:00:00Z') + s * 1000).toISOString());
    const arbId = fc.integer({ min: 1, max: 12 }).map((i) => `740e5834-3a29-46b4-9a6f-${String(i).padStart(12, '0')}`);
    const arbReceipt = fc.record({
      id: arbId,
      status: fc.constantFrom('delivered', 'permanent-failure', 'temporary-failure', 'technical-failure'),
      channel: fc.constantFrom<Channel>('email', 'sms'),
      at: arbAt,
      known: fc.boolean(),
    }).map((r) => ({ id: r.id, reference: null, to: r.channel === 'email' ? (r.known ? email0 : 'someone@else.example') : r.known ? mobile0 : '+447911000000', status: r.status, created_at: r.at, completed_at: r.at, sent_at: r.at, notification_type: r.channel }));
    const arbComplaint = fc.record({ id: arbId, at: arbAt }).map((r) => ({ notification_id: r.id, complaint_id: `cmp-${r.id}`, reference: null, to: email0, complaint_date: r.at }));
    const arbReply = fc.record({ id: arbId, at: arbAt, word: fc.constantFrom('STOP', 'START', 'stop', 'Hello') }).map((r) => ({ id: `in-${r.id}`, source_number: mobile0.slice(1), destination_number: '07797792683', message: r.word, date_received: r.at }));
    const arbCallbacks = fc.array(fc.oneof({ weight: 4, arbitrary: arbReceipt }, { weight: 1, arbitrary: arbComplaint }, { weight: 2, arbitrary: arbReply }), { maxLength: 24 });

    const world = async (): Promise<{ store: EventStore; deps: CallbackDeps }> => {
      const store = memoryStore();
      // Two contacts share the email; one of them holds the mobile.
      await seed(store, [
        [{ type: 'ImportContact', contactId: 'c-a', source: { kind: 'mis', system: 'sims', externalId: 'a' }, name: { given: 'A', family: 'A' }, email: { value: email0, valid: true, location: 'Home' }, mobile: { value: mobile0, valid: true, location: 'Mobile' } }],
        [{ type: 'ImportContact', contactId: 'c-b', source: { kind: 'mis', system: 'sims', externalId: 'b' }, name: { given: 'B', family: 'B' }, email: { value: email0, valid: true, location: 'Home' }, mobile: null }],
        [],
      ]);
      // The default memory: consent watermarks in the store's checkpoints, so they outlive the first pass.
      return { store, deps: { store, clock: steppingClock('2026-09-02T08:00:00.000Z'), ids: sequentialIds('cb'), schoolId: SCHOOL, directory: storeDirectory(store), webhooks: {} } };
    };
    const play = async (deps: CallbackDeps, callbacks: ReadonlyArray<unknown>): Promise<void> => {
      for (const c of callbacks) {
        const r = await ingestCallback(deps, 'notify', { body: JSON.stringify(c), headers: {} }, { verify: false });
        if (E.isLeft(r)) throw new Error(r.left.message);
      }
    };

    await fc.assert(
      fc.asyncProperty(arbCallbacks, async (callbacks) => {
        const once = await world();
        await play(once.deps, callbacks);
        const twice = await world();
        await play(twice.deps, callbacks);
        const written = (await twice.store.readAll()).length;
        await play(twice.deps, callbacks);
        if ((await twice.store.readAll()).length !== written) return false;
        for (const id of ['c-a', 'c-b']) if (stable(await stateOf(once.store, id)) !== stable(await stateOf(twice.store, id))) return false;
        return true;
      }),
      { numRuns: 200 },
    );
  });
});
