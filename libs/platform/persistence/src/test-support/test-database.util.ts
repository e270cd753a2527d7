import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** A throwaway Postgres database of one test. */
export interface TestDatabase {
  /** Connection URL of the new database. */
  url: string;
  /** Drops it, closing any connection still open on it. */
  drop(): Promise<void>;
}

// Stop-gap until the shared harness of platform-testing provides databases per suite.
const adminUrl = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres';

async function asAdmin(sql: string): Promise<void> {
  const client = new Client({ connectionString: adminUrl });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

/** Creates `sb_persist_<random>` next to the admin database of `TEST_DATABASE_URL`. */
export async function createTestDatabase(): Promise<TestDatabase> {
  const name = `sb_persist_${randomBytes(6).toString('hex')}`;
  await asAdmin(`CREATE DATABASE "${name}"`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  return {
    url: url.toString(),
    drop: () => asAdmin(`DROP DATABASE IF EXISTS "${name}" WITH (FORCE)`),
  };
}

/** The URL of a database that does not exist on the test server. */
export function missingDatabaseUrl(): string {
  const url = new URL(adminUrl);
  url.pathname = `/sb_persist_missing_${randomBytes(6).toString('hex')}`;
  return url.toString();
}
