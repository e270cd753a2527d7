import type BetterSqlite3 from 'better-sqlite3';
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { type DataSourceOptions, type LoggerOptions } from 'typeorm';
import { AbortedTransactionGuard } from './aborted-transaction.guard';
import { parseDatabaseUrl } from './database-url.parser';
import { type MigrationClass, type PersistenceEntity } from './persistence.types';
import { adaptTimestampColumns } from './timestamp-columns.portability';

/** Input of {@link buildDataSourceOptions}. */
export interface DataSourceInput {
  /** `DATABASE_URL`: `postgres://…`, `postgresql://…` or `sqlite:<path>` (see `parseDatabaseUrl`). */
  url: string;
  /** Every entity the service persists. */
  entities: readonly PersistenceEntity[];
  /** Every migration of the service, in any order (TypeORM sorts them by timestamp). */
  migrations: readonly MigrationClass[];
  /** TypeORM query logging; off unless asked for, since it bypasses the service's JSON logger. */
  logging?: LoggerOptions;
}

/** Connections per service instance; replicas × this must stay under Postgres' `max_connections`. */
export const POSTGRES_POOL_SIZE = 10;
/** A database that does not answer within this fails boot instead of hanging it. */
const POSTGRES_CONNECT_TIMEOUT_MS = 5_000;
/** How long a sqlite write waits for another connection's lock before failing with SQLITE_BUSY. */
export const SQLITE_BUSY_TIMEOUT_MS = 5_000;

/**
 * Builds the TypeORM options of a service's data source from its `DATABASE_URL`.
 *
 * Both kinds keep migrations in a `migrations` table and run each migration in its own transaction,
 * so a failure leaves the earlier ones applied and recorded. Schema synchronization is never enabled:
 * the schema changes only through migrations (see `runMigrations`).
 *
 * - Postgres: the URL as given, a pool of {@link POSTGRES_POOL_SIZE} connections, a connect timeout.
 * - sqlite (better-sqlite3): creates the file's parent folder, WAL journal (readers do not block the
 *   writer), `foreign_keys` on, a {@link SQLITE_BUSY_TIMEOUT_MS} busy timeout.
 *
 * **Timestamp portability.** Entities declare instants as `@Column({ type: 'timestamptz' })` or
 * `@CreateDateColumn({ type: 'timestamptz' })`. TypeORM's sqlite driver rejects `timestamptz`, so for
 * sqlite this function rewrites, for the given entities only, the column metadata args typed
 * `timestamptz` to `datetime` (in TypeORM's global `getMetadataArgsStorage().columns`, and in the
 * columns of `EntitySchema` entities); for Postgres it puts back any such rewrite. This is a side
 * effect on global state: call it right before creating and initializing the `DataSource`. Migrations
 * get the matching type from `timestampColumnType`.
 *
 * @throws Error when `url` is not an accepted `DATABASE_URL` (see `parseDatabaseUrl`).
 */
export function buildDataSourceOptions(input: DataSourceInput): DataSourceOptions {
  const target = parseDatabaseUrl(input.url);
  adaptTimestampColumns(target.kind, input.entities);

  const common = {
    entities: [...input.entities],
    migrations: [...input.migrations],
    migrationsTableName: 'migrations',
    migrationsTransactionMode: 'each' as const,
    migrationsRun: false,
    synchronize: false,
    logging: input.logging ?? false,
  };

  if (target.kind === 'postgres') {
    return {
      ...common,
      type: 'postgres',
      url: target.url,
      poolSize: POSTGRES_POOL_SIZE,
      connectTimeoutMS: POSTGRES_CONNECT_TIMEOUT_MS,
      subscribers: [AbortedTransactionGuard],
    };
  }

  const inMemory = target.path === ':memory:';
  const database = inMemory ? target.path : resolve(target.path);
  if (!inMemory) {
    mkdirSync(dirname(database), { recursive: true });
  }
  return {
    ...common,
    type: 'better-sqlite3',
    database,
    timeout: SQLITE_BUSY_TIMEOUT_MS,
    // An in-memory database has no journal file to switch to WAL.
    enableWAL: !inMemory,
    prepareDatabase: (db: BetterSqlite3.Database) => {
      // The driver turns this on today as well; stating it here keeps referential integrity from
      // depending on a driver detail.
      db.pragma('foreign_keys = ON');
      // Every commit synced, as Postgres commits with synchronous_commit=on: better-sqlite3 is
      // built to give a file that opens already in WAL mode (any restart) NORMAL, which syncs at
      // checkpoints only, so a power loss could take the last commits — state and outbox rows.
      db.pragma('synchronous = FULL');
    },
  };
}
