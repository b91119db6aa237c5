/** Shared set-up for callback tests: a school with known addresses, and deps with a clock at a chosen instant. */
import { memoryStore, sequentialIds, steppingClock, type EventStore } from '@contactable/core';
import { memoryCallbackMemory, storeDirectory, type CallbackDeps, type CallbackMemory, type WebhookConfigs } from '@contactable/adapters-messaging';
import { SCHOOL, importContact, makeDeps } from './world.js';

/** Addresses the callback tests use. */
export const PARENT = 'parent@example.org';
/** Shared by two contacts (c-mum, c-dad). */
export const FAMILY = 'family@example.org';
/** c-text's mobile, in E.164. */
export const MOBILE = '+447911123456';

/** A store holding c-parent, c-mum and c-dad (sharing FAMILY) and c-text (MOBILE). */
export const callbackSchool = async (): Promise<EventStore> => {
  const store = memoryStore();
  const deps = makeDeps(store, '2026-08-01T08:00:00.000Z');
  await importContact(deps, { id: 'c-parent', email: PARENT });
  await importContact(deps, { id: 'c-mum', email: FAMILY });
  await importContact(deps, { id: 'c-dad', email: FAMILY });
  await importContact(deps, { id: 'c-text', email: 'texter@example.org', mobile: '07911 123456' });
  return store;
};

/** Callback deps whose clock starts at `now`. */
export const callbackDeps = (store: EventStore, now: string, webhooks: WebhookConfigs, memory: CallbackMemory = memoryCallbackMemory()): CallbackDeps => ({
  store,
  clock: steppingClock(now, 1),
  ids: sequentialIds('cb'),
  schoolId: SCHOOL,
  directory: storeDirectory(store),
  webhooks,
  memory,
});
