import { type EntityManager, type EntityTarget, type ObjectLiteral } from 'typeorm';

/**
 * Inserts a row unless one with the same key exists, and says whether it did. Unlike catching a
 * unique violation this keeps a Postgres transaction usable, and unlike select-then-insert it
 * cannot be fooled by a concurrent transaction: the insert waits for the other one's row.
 */
export async function insertIfAbsent<T extends ObjectLiteral>(
  manager: EntityManager,
  entity: EntityTarget<T>,
  values: Partial<T>,
): Promise<boolean> {
  const [sql, parameters] = manager
    .createQueryBuilder()
    .insert()
    .into(entity)
    .values(values)
    .orIgnore()
    .getQueryAndParameters();
  const runner = manager.queryRunner ?? manager.connection.createQueryRunner();
  try {
    const result = await runner.query(sql, parameters, true);
    return (result.affected ?? 0) > 0;
  } finally {
    if (runner !== manager.queryRunner) await runner.release();
  }
}
