/** The conformance suite against the core's in-memory store: the reference the durable stores must match. */
import { memoryStore } from '../../packages/core/src/index.js';
import { describeStoreConformance } from './conformance.js';

describeStoreConformance(
  'memory',
  async () => {
    const store = memoryStore();
    return { store, dispose: () => store.close() };
  },
  { noGapCase: 'one writer in one process, no concurrent transactions' },
);
