/** `@contactable/adapters-eventstoredb`: the EventStoreDB (KurrentDB) store, loaded by `openStore('esdb://…')` when installed. */
export { openEventStoreDbStore, clientConnectionString, DEFAULT_KEYS_FOLDER, type EventStoreDbOptions } from './eventstoredb.js';
