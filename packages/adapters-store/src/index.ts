/** `@contactable/adapters-store`: EventStore implementations (PGlite, PostgreSQL; EventStoreDB through `@contactable/adapters-eventstoredb`) and the runtime ports. */
export { openStore, storeKind, EVENTSTORE_PACKAGE, type OpenStoreOptions } from './open.js';
export { loadOptional } from './optional.js';
export { openPgliteStore, openPgliteDatabase, pgliteDriver, DEFAULT_FOLDER, type PgliteConnection, type PgliteTransaction, type PgliteStoreOptions, type OpenDatabase } from './pglite.js';
export { openPostgresStore, openPostgresDatabase, poolDriver, type PgConnection, type PgPool, type PgQuery, type PostgresStoreOptions, type OpenPostgres } from './postgres.js';
export { lockFolder, lockStatus, readLockFile, lockSocketName, defaultLockStrategy, type LockStrategy, type LockStatus, type LockHolder, type FolderLockOptions } from './folderLock.js';
export { StoreError, isStoreError, maskUrl, storeError } from './errors.js';
export { makeShredder, sealingSubject, UNDECRYPTABLE, type Shredder, type ShredderOptions, type SealedData, type SealedBatch, type SealedRow, type SealItem } from './shredder.js';
export { openSqlKeyStore, subjectKeyAad, type KeyStore, type SqlKeyStore, type KeyEntry, type KeyStatus, type RewrapOutcome, type RestoreOutcome } from './keys.js';
export { envKekSource, fileKekSource, kekFromBytes, kekSourceFrom, defaultKekFile, isRotatable, KekError, type Kek, type KekSet, type KekSource } from './kek.js';
export { sealKeyExport, openKeyExport, DEFAULT_EXPORT_COST, MIN_PASSPHRASE, type OpenedKeyExport } from './keyBackup.js';
export {
  storeAdmin,
  registerAdmin,
  shredderOf,
  keyStatusOf,
  exportKeys,
  importKeys,
  checkErasureSettings,
  BACKUP_ADVICE,
  type StoreAdmin,
  type CompactionReport,
  type ErasureCheck,
  type ErasureFinding,
} from './admin.js';
export { newSubjectKey, sealStrings, openStrings, keyIdOf, type SubjectKey } from './crypto.js';
export { workerOpener, type BlobOpener, type OpenItem } from './openWorker.js';
export { DEFAULT_SCHEMA, channelOf, quoteSchema, schemaScript, statements, type SqlDriver } from './sql.js';
export { ensureSchema, rotateWal, scrubStatistics, sqlStore, type SqlStoreConfig } from './sqlStore.js';
export { followLog, type FollowSource } from './subscription.js';
export { ChangeSignal } from './changes.js';
export { systemClock, uuidV7Ids } from './runtime.js';
export { folderHolder, folderTurns, type Holder, type TurnOptions, type Turns } from './turns.js';
export { inspectionOf, registerInspection, sqlInspection, type StoreInspection, type SealedWithoutKey, type KeyWithoutData } from './inspection.js';
