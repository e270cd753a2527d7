import {
  type DataSource,
  type EntityManager,
  type EntityTarget,
  type ObjectLiteral,
  type QueryRunner,
} from 'typeorm';

/**
 * Plain parameterised SQL for the messaging tables' hot paths (outbox insert, relay claim, inbox
 * insert). TypeORM's query builder costs more JavaScript per statement than the statement itself
 * costs Postgres; these statements are fixed, so they are written once here, for both dialects.
 */

/**
 * The `n`th parameter (1-based, in order of appearance): `$n` for Postgres, `?` for SQLite
 * (better-sqlite3 binds an array only to anonymous parameters, so no value is used twice).
 */
function placeholder(dataSource: DataSource, n: number): string {
  return isPostgres(dataSource) ? `$${n}` : '?';
}

export function isPostgres(dataSource: DataSource): boolean {
  return dataSource.options.type === 'postgres';
}

/**
 * The `VALUES` list of a multi-row insert, `(…), (…)`, one tuple of placeholders per row, and the
 * rows' values flattened into its parameters in the same order.
 */
export function multiRowValues(
  dataSource: DataSource,
  rows: readonly (readonly unknown[])[],
): { values: string; parameters: unknown[] } {
  const tuples: string[] = [];
  const parameters: unknown[] = [];
  for (const row of rows) {
    const first = parameters.length + 1;
    tuples.push(`(${row.map((_, i) => placeholder(dataSource, first + i)).join(', ')})`);
    parameters.push(...row);
  }
  return { values: tuples.join(', '), parameters };
}

/** Runs `sql` with `manager`'s query runner (its transaction, if any) and returns the rows. */
export async function queryRows<T>(
  manager: EntityManager,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const runner = manager.queryRunner;
  if (runner) return rowsOf<T>(runner, sql, parameters);
  const own = manager.connection.createQueryRunner();
  try {
    return await rowsOf<T>(own, sql, parameters);
  } finally {
    await own.release();
  }
}

export async function rowsOf<T>(
  runner: QueryRunner,
  sql: string,
  parameters: unknown[],
): Promise<T[]> {
  const result = await runner.query(sql, parameters, true);
  return ((result as { records?: T[] }).records ?? []) as T[];
}

const timestampWriters = new WeakMap<DataSource, Map<string, (date: Date) => unknown>>();

/**
 * How `entity.property` (a timestamp column) is written by this data source's driver: a `Date` for
 * Postgres, TypeORM's UTC datetime string for SQLite — exactly what `manager.insert` would bind,
 * so rows written here read back through the entities unchanged.
 */
export function timestampWriter(
  dataSource: DataSource,
  entity: EntityTarget<ObjectLiteral>,
  property: string,
): (date: Date) => unknown {
  let writers = timestampWriters.get(dataSource);
  if (!writers) {
    writers = new Map();
    timestampWriters.set(dataSource, writers);
  }
  const metadata = dataSource.getMetadata(entity);
  const key = `${metadata.tableName}.${property}`;
  let writer = writers.get(key);
  if (!writer) {
    const column = metadata.findColumnWithPropertyName(property);
    if (!column) throw new Error(`${metadata.tableName} has no column ${property}`);
    const { driver } = dataSource;
    writer = (date: Date) => driver.preparePersistentValue(date, column);
    writers.set(key, writer);
  }
  return writer;
}
