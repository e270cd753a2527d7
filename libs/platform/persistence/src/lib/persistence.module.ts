import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { DataSource, type DataSourceOptions, type LoggerOptions } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options.builder';
import { DatabaseHealth } from './database.health';
import { pendingMigrations, runMigrations } from './migrations.runner';
import { type MigrationClass, type PersistenceEntity } from './persistence.types';
import { serializeSqliteTransactions } from './sqlite-transactions';

/** Options of {@link PersistenceModule.forRoot}. */
export interface PersistenceModuleOptions {
  /** `DATABASE_URL`: `postgres://…`, `postgresql://…` or `sqlite:<path>`. */
  url: string;
  /** Every entity of the service (the domains then use `TypeOrmModule.forFeature`). */
  entities: readonly PersistenceEntity[];
  /** Every migration of the service. */
  migrations: readonly MigrationClass[];
  /**
   * `DB_MIGRATE`: apply pending migrations before the application continues booting. When off, a
   * database with pending migrations fails boot (they are applied by a migrations job first).
   */
  migrate: boolean;
  /** TypeORM query logging; off by default. */
  logging?: LoggerOptions;
}

/**
 * The service's database, once per application (global).
 *
 * Built on `TypeOrmModule.forRootAsync`, so domain modules use `TypeOrmModule.forFeature([...])` and
 * `@InjectRepository(...)`, and `DataSource` is injectable anywhere. Boot opens the data source and,
 * when `migrate` is set, runs `runMigrations` before any provider depending on it is created; when
 * it is not, boot refuses a database with pending migrations, naming them. A
 * database that cannot be opened or migrated fails boot at once, with the cause in the message,
 * instead of retrying (TypeORM's module would retry nine times, three seconds apart). The data
 * source is closed in `onApplicationShutdown`, i.e. after the HTTP server has closed.
 *
 * Also provides {@link DatabaseHealth} for the readiness endpoint.
 */
@Module({})
export class PersistenceModule {
  static forRoot(options: PersistenceModuleOptions): DynamicModule {
    return {
      module: PersistenceModule,
      global: true,
      imports: [
        TerminusModule,
        TypeOrmModule.forRootAsync({
          // Options are built when the provider is resolved, not here, because building them rewrites
          // global entity metadata for sqlite and should happen right before the data source exists.
          useFactory: (): TypeOrmModuleOptions => ({
            ...buildDataSourceOptions(options),
            retryAttempts: 0,
            toRetry: () => false,
          }),
          dataSourceFactory: async (dataSourceOptions) =>
            openDataSource(dataSourceOptions, options.migrate),
        }),
      ],
      providers: [DatabaseHealth],
      exports: [DatabaseHealth],
    };
  }
}

const logger = new Logger('PersistenceModule');

async function openDataSource(
  options: DataSourceOptions | undefined,
  migrate: boolean,
): Promise<DataSource> {
  if (options === undefined) {
    throw new Error('PersistenceModule: TypeORM module passed no data source options');
  }
  const kind = options.type === 'postgres' ? 'Postgres' : 'sqlite';
  const dataSource = new DataSource(options);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new Error(`Could not open the ${kind} database (DATABASE_URL): ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (options.type === 'better-sqlite3') serializeSqliteTransactions(dataSource);
  try {
    if (migrate) await migrateSchema(dataSource);
    else await assertSchemaCurrent(dataSource);
  } catch (error) {
    // Boot stops here, so nobody else would close the pool that keeps the process alive.
    await dataSource.destroy().catch(() => undefined);
    throw error;
  }
  return dataSource;
}

async function migrateSchema(dataSource: DataSource): Promise<void> {
  let applied: string[];
  try {
    applied = await runMigrations(dataSource);
  } catch (error) {
    throw new Error(`Database migrations failed: ${messageOf(error)}`, { cause: error });
  }
  logger.log(
    applied.length > 0 ? `Applied migrations: ${applied.join(', ')}` : 'No pending migrations',
  );
}

/** Without this, a service on a schema it does not know answers every request with a 500. */
async function assertSchemaCurrent(dataSource: DataSource): Promise<void> {
  let pending: string[];
  try {
    pending = await pendingMigrations(dataSource);
  } catch (error) {
    throw new Error(`Could not read the applied migrations: ${messageOf(error)}`, { cause: error });
  }
  if (pending.length > 0) {
    throw new Error(
      `The database schema is behind: ${pending.length} pending migration(s) (${pending.join(', ')}). ` +
        'Apply them with `node main.js --migrate`, or start with DB_MIGRATE=true.',
    );
  }
}

function messageOf(error: unknown): string {
  if (error instanceof AggregateError && error.errors.length > 0) {
    // pg reports a refused connection to a dual-stack host as an AggregateError with no message.
    return error.errors.map(messageOf).join('; ');
  }
  return error instanceof Error && error.message.length > 0 ? error.message : String(error);
}
