export { type DatabaseTarget, parseDatabaseUrl } from './lib/database-url.parser';
export {
  buildDataSourceOptions,
  type DataSourceInput,
  POSTGRES_POOL_SIZE,
  SQLITE_BUSY_TIMEOUT_MS,
} from './lib/data-source-options.builder';
export { DatabaseHealth } from './lib/database.health';
export {
  DomainDatabaseModule,
  type DomainDatabaseOptions,
  domainDataSourceToken,
} from './lib/domain-database.module';
export { pingDatabase } from './lib/database-ping';
export { AbortedTransactionError } from './lib/aborted-transaction.guard';
export { MIGRATION_LOCK_KEY, runMigrations } from './lib/migrations.runner';
export { openDataSource } from './lib/open-data-source';
export { PersistenceModule, type PersistenceModuleOptions } from './lib/persistence.module';
export {
  type EntityClass,
  type MigrationClass,
  type PersistenceEntity,
} from './lib/persistence.types';
export { timestampColumnType, timestampDefaultNow } from './lib/timestamp-columns.portability';
export { uuidv7 } from './lib/uuid-v7';
export {
  insertIfAbsent,
  insertOrFind,
  type InsertOrFindOptions,
  type InsertOrFindResult,
} from './lib/insert-or-find';
export { isUniqueViolation } from './lib/unique-violation';
