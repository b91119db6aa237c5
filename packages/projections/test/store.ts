/** A memory store holding a test history, as a real log would. */
import { anyVersion, memoryStore, schemaVersionOf, type EventStore, type StoredEvent } from '@contactable/core';

/** Appends events (in order) to a store, one batch each, so their positions match the history's. */
export const appendAll = async (store: EventStore, events: ReadonlyArray<StoredEvent>): Promise<void> => {
  for (const e of events) {
    const r = await store.append(e.streamId, [{ id: e.id, type: e.type, schemaVersion: schemaVersionOf(e.type), data: e.data, metadata: e.metadata }], anyVersion);
    if (r._tag === 'Left') throw new Error(`append failed on ${e.streamId}`);
  }
};

/** A memory store with the events in it. */
export const storeWith = async (events: ReadonlyArray<StoredEvent>): Promise<EventStore> => {
  const store = memoryStore();
  await appendAll(store, events);
  return store;
};
