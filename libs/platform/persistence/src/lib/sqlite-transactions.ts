import { AsyncLocalStorage } from 'node:async_hooks';
import { type DataSource, type EntityManager } from 'typeorm';

/**
 * Makes the transactions of a better-sqlite3 data source take turns.
 *
 * TypeORM's better-sqlite3 driver has one connection and hands the same query runner to every
 * transaction. Two transactions started at once by concurrent requests or event handlers would nest
 * as savepoints of each other (one's rollback undoing the other's work, "cannot start a transaction
 * within a transaction"), so here each `dataSource.transaction(…)` waits for the previous one.
 * A transaction started from inside another (same async context) runs at once, nested as before,
 * instead of waiting for itself. Postgres needs none of this: each transaction has its own
 * connection from the pool.
 */
export function serializeSqliteTransactions(dataSource: DataSource): void {
  const manager = dataSource.manager;
  const run = manager.transaction.bind(manager) as (...args: unknown[]) => Promise<unknown>;
  const inside = new AsyncLocalStorage<true>();
  let tail: Promise<void> = Promise.resolve();

  const serialized = async (...args: unknown[]): Promise<unknown> => {
    if (inside.getStore()) return run(...args);
    const previous = tail;
    let release!: () => void;
    tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    try {
      return await inside.run(true, () => run(...args));
    } finally {
      release();
    }
  };
  manager.transaction = serialized as EntityManager['transaction'];
}
