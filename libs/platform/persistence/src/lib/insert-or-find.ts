import {
  type EntityManager,
  type EntityTarget,
  type FindOptionsWhere,
  type ObjectLiteral,
  type QueryDeepPartialEntity,
} from 'typeorm';
import { isUniqueViolation } from './unique-violation';

/** The row that holds the key, and whether this call wrote it. */
export interface InsertOrFindResult<T> {
  row: T;
  /** False when the key was taken already: by a concurrent transaction, or earlier in this one. */
  created: boolean;
}

export interface InsertOrFindOptions {
  /**
   * Writes the row instead of a plain insert, together with whatever must be undone with it when
   * the key turns out to be taken (it all runs in the same savepoint).
   */
  insert?: (savepoint: EntityManager) => Promise<unknown>;
}

/**
 * The one way to insert a row whose unique key someone else may take first — a concurrent request
 * with the same idempotency key, a redelivered event, two people opening the same chat at once —
 * and carry on with the row that holds the key, whoever wrote it.
 *
 * A plain row is written with `INSERT … ON CONFLICT DO NOTHING` ({@link insertIfAbsent}): no error,
 * so the caller's transaction stays usable (a caught violation would have aborted a Postgres
 * transaction, see `AbortedTransactionGuard`) and nothing is logged by the server. Unlike
 * select-then-insert, a concurrent transaction cannot fool it: on Postgres the insert waits for the
 * other's uncommitted row; SQLite runs transactions one after the other. A custom `insert` (several
 * statements that stand or fall with the row) runs in a nested transaction instead — a savepoint
 * inside the caller's transaction, a transaction of its own outside one — rolled back alone on a
 * unique violation; that costs a savepoint and, on Postgres, an ERROR line in the server log.
 *
 * @throws Error (not a unique violation) when the row could not be written yet no row holds this
 *   key (another unique key was taken, or the row that held this one is gone by the time it is
 *   read): an escaping unique violation would make an event handler's delivery look like a
 *   duplicate and be acked (see `FailurePolicy`).
 */
export async function insertOrFind<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  row: T,
  key: FindOptionsWhere<T>,
  options: InsertOrFindOptions = {},
): Promise<InsertOrFindResult<T>> {
  let violation: unknown;
  if (options.insert === undefined) {
    if (await insertIfAbsent(manager, entity, row)) return { row, created: true };
  } else {
    violation = await insertInSavepoint(manager, options.insert);
    if (violation === undefined) return { row, created: true };
  }
  const existing = await manager.findOneBy(entity, key);
  if (existing) return { row: existing, created: false };
  const table = manager.connection.getMetadata(entity).tableName;
  throw new Error(
    `Inserting into ${table} conflicted with a unique key, but no row matches ${JSON.stringify(key)}`,
    violation === undefined ? undefined : { cause: violation },
  );
}

/**
 * Inserts a row unless one with the same key exists (`ON CONFLICT DO NOTHING` on Postgres, `INSERT
 * OR IGNORE` on SQLite), and says whether it did. See {@link insertOrFind}.
 */
export async function insertIfAbsent<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  values: QueryDeepPartialEntity<T>,
): Promise<boolean> {
  const [sql, parameters] = manager
    .createQueryBuilder()
    .insert()
    .into(entity)
    .values(values)
    .orIgnore()
    .getQueryAndParameters();
  // The raw result carries the affected row count on both drivers; `insert()` would not say.
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = (await runner.query(sql, parameters, true)) as { affected?: number };
    return (result.affected ?? 0) > 0;
  } finally {
    if (runner !== manager.queryRunner) await runner.release();
  }
}

/** The unique violation `insert` failed with, rolled back; undefined when it succeeded. */
async function insertInSavepoint(
  manager: EntityManager,
  insert: (savepoint: EntityManager) => Promise<unknown>,
): Promise<unknown> {
  try {
    await manager.transaction(insert);
    return undefined;
  } catch (error) {
    if (!isUniqueViolation(error)) throw error;
    return error;
  }
}
