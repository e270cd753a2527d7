import { type DataSource } from 'typeorm';

/**
 * Runs `SELECT 1` and resolves when it answers within `timeoutMs`; rejects with the reason otherwise
 * (closed data source, failed query, no answer in time). Readiness and the event consumers use it
 * to tell "the database is unreachable" from "this work failed".
 */
export async function pingDatabase(dataSource: DataSource, timeoutMs: number): Promise<void> {
  if (!dataSource.isInitialized) throw new Error('database connection is closed');
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error(`no answer to SELECT 1 within ${timeoutMs} ms`)),
      timeoutMs,
    );
  });
  try {
    // A late answer or failure after the timeout settles a promise nobody awaits any more; race
    // has already subscribed to it, so it is not an unhandled rejection.
    await Promise.race([dataSource.query('SELECT 1'), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
