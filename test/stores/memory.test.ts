/** The conformance suite against the core's in-memory store: the reference the durable stores must match. */
import { memoryStore, readAllEvents, type EventStore, type InlineReadModels, type NewEvent } from '../../packages/core/src/index.js';
import { contactableReadModels } from '../../packages/projections/src/index.js';
import { describeStoreConformance, type StoreUnderTest } from './conformance.js';

describeStoreConformance(
  'memory',
  async (options = {}): Promise<StoreUnderTest> => {
    let store: EventStore = memoryStore({ readModels: options.readModels === undefined ? contactableReadModels : options.readModels });
    return {
      get store() {
        return store;
      },
      // The in-memory log outlives no process: "reopening" is a new store given the same events, in order.
      reopen: async (readModels) => {
        const events: NewEvent[][] = [];
        const streams: string[] = [];
        for await (const e of readAllEvents(store)) {
          const n = e as unknown as NewEvent;
          if (streams[streams.length - 1] === e.streamId) events[events.length - 1]!.push(n);
          else {
            streams.push(e.streamId);
            events.push([n]);
          }
        }
        await store.close();
        store = memoryStore({ readModels: readModels as InlineReadModels | null });
        for (const [i, batch] of events.entries()) await store.append(streams[i]!, batch, { kind: 'any' });
      },
      dispose: () => store.close(),
    };
  },
  { noGapCase: 'one writer in one process, no concurrent transactions' },
);
