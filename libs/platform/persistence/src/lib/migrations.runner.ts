import { type DataSource, MigrationExecutor } from 'typeorm';

/**
 * Key of the Postgres advisory lock held while migrating. Advisory locks are scoped to the current
 * database and every service has a database of its own, so one constant serves all services.
 * (ASCII "SBMIGR".)
 */
export const MIGRATION_LOCK_KEY = 0x53424d494752;

/**
 * Applies the pending migrations of an initialized data source and returns the names applied, in
 * order (empty when the schema is already current).
 *
 * On Postgres, replicas that boot together would otherwise race: both see the same pending list,
 * both try to create the migrations table and run the same migration (typeorm issues #4588, #3400).
 * So the run happens while this process holds a session-level `pg_advisory_lock` on a dedicated
 * connection; a second replica waits for it, then finds nothing pending. If the process dies, the
 * connection closes and Postgres frees the lock. The lock is released (and the connection returned)
 * whether the migrations succeed or fail.
 *
 * On sqlite, migrations run as they are: the file is local to one process.
 *
 * @throws the first error met: a failing migration, or failing to take or release the lock.
 */
export async function runMigrations(dataSource: DataSource): Promise<string[]> {
  if (dataSource.options.type !== 'postgres') {
    return names(await dataSource.runMigrations());
  }

  const lockRunner = dataSource.createQueryRunner();
  try {
    await lockRunner.connect();
    await lockRunner.query('SELECT pg_advisory_lock($1::bigint)', [MIGRATION_LOCK_KEY]);

    let applied: string[] = [];
    let migrationError: { error: unknown } | undefined;
    try {
      applied = names(await dataSource.runMigrations());
    } catch (error) {
      migrationError = { error };
    }
    try {
      await lockRunner.query('SELECT pg_advisory_unlock($1::bigint)', [MIGRATION_LOCK_KEY]);
    } catch (unlockError) {
      // The migration failure is the one worth reporting; a failed unlock after it is noise.
      throw migrationError === undefined ? unlockError : migrationError.error;
    }
    if (migrationError !== undefined) throw migrationError.error;
    return applied;
  } finally {
    await lockRunner.release();
  }
}

function names(migrations: readonly { name: string }[]): string[] {
  return migrations.map((migration) => migration.name);
}

/**
 * The migrations of the service that the database has not applied, by name, in order. Reads only:
 * a database without a migrations table has every migration pending.
 */
export async function pendingMigrations(dataSource: DataSource): Promise<string[]> {
  return names(await new MigrationExecutor(dataSource).getPendingMigrations());
}
