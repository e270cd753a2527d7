import { type DynamicModule, Module } from '@nestjs/common';
import { TerminusModule } from '@nestjs/terminus';
import { TypeOrmModule, type TypeOrmModuleOptions } from '@nestjs/typeorm';
import { type LoggerOptions } from 'typeorm';
import { buildDataSourceOptions } from './data-source-options.builder';
import { DatabaseHealth } from './database.health';
import { openDataSource } from './open-data-source';
import { type MigrationClass, type PersistenceEntity } from './persistence.types';

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
          dataSourceFactory: async (dataSourceOptions) => {
            if (dataSourceOptions === undefined) {
              throw new Error('PersistenceModule: TypeORM module passed no data source options');
            }
            return openDataSource(() => dataSourceOptions, options.migrate);
          },
        }),
      ],
      providers: [DatabaseHealth],
      exports: [DatabaseHealth],
    };
  }
}
