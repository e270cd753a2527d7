import { Logger } from '@nestjs/common';
import { DataSource, type DataSourceOptions } from 'typeorm';
import { pendingMigrations, runMigrations } from './migrations.runner';
import { serializeSqliteTransactions } from './sqlite-transactions';

const logger = new Logger('Persistence');

/** Opening data sources one at a time: see {@link openDataSource}. */
let opening: Promise<unknown> = Promise.resolve();

/**
 * Opens a data source, then migrates it (`migrate`) or refuses a schema with pending migrations.
 * Errors name the database by `urlKey` (`DATABASE_URL`, `DATABASE_URL_CHAT`).
 *
 * Data sources of one process open one after the other, from building their options to the end
 * of `initialize()`: building rewrites TypeORM's global column metadata for the database kind
 * (`adaptTimestampColumns`), and `initialize()` reads it after connecting, so a monolith opening a
 * sqlite and a Postgres domain at once could otherwise give one the other's column types.
 */
export function openDataSource(
  buildOptions: () => DataSourceOptions,
  migrate: boolean,
  urlKey = 'DATABASE_URL',
): Promise<DataSource> {
  const opened = opening.then(() => initializeDataSource(buildOptions(), urlKey));
  opening = opened.catch(() => undefined);
  return opened.then((dataSource) => prepareSchema(dataSource, migrate, urlKey));
}

async function initializeDataSource(
  options: DataSourceOptions,
  urlKey: string,
): Promise<DataSource> {
  const kind = options.type === 'postgres' ? 'Postgres' : 'sqlite';
  const dataSource = new DataSource(options);
  try {
    await dataSource.initialize();
  } catch (error) {
    throw new Error(`Could not open the ${kind} database (${urlKey}): ${messageOf(error)}`, {
      cause: error,
    });
  }
  if (options.type === 'better-sqlite3') serializeSqliteTransactions(dataSource);
  return dataSource;
}

async function prepareSchema(
  dataSource: DataSource,
  migrate: boolean,
  urlKey: string,
): Promise<DataSource> {
  try {
    if (migrate) await migrateSchema(dataSource);
    else await assertSchemaCurrent(dataSource, urlKey);
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

/**
 * Without this, a service on a schema it does not know answers every request with a 500. The
 * error names the database by its key: a process hosting several domains has one each.
 */
async function assertSchemaCurrent(dataSource: DataSource, urlKey: string): Promise<void> {
  let pending: string[];
  try {
    pending = await pendingMigrations(dataSource);
  } catch (error) {
    throw new Error(`Could not read the applied migrations: ${messageOf(error)}`, { cause: error });
  }
  if (pending.length > 0) {
    throw new Error(
      `The database schema is behind (${urlKey}): ${pending.length} pending migration(s) (${pending.join(', ')}). ` +
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
