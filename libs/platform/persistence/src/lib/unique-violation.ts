import { QueryFailedError } from 'typeorm';

/**
 * True when a write failed because a unique constraint already holds the value — the signal that
 * another transaction (or an earlier delivery) got there first. Postgres reports SQLSTATE 23505,
 * better-sqlite3 `SQLITE_CONSTRAINT_UNIQUE` / `SQLITE_CONSTRAINT_PRIMARYKEY`.
 */
export function isUniqueViolation(error: unknown): boolean {
  if (!(error instanceof QueryFailedError)) return false;
  const driverError = error.driverError as { code?: unknown } | undefined;
  const code = driverError?.code;
  return (
    code === '23505' ||
    code === 'SQLITE_CONSTRAINT_UNIQUE' ||
    code === 'SQLITE_CONSTRAINT_PRIMARYKEY'
  );
}
