import { randomBytes } from 'node:crypto';
import { Client } from 'pg';

/** Admin connection used when env `TEST_DATABASE_URL` is not set. */
export const DEFAULT_TEST_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/postgres';

const CONNECT_TIMEOUT_MS = 5_000;

/** A Postgres database created for one test suite. */
export interface TestDatabase {
  /** Database name, e.g. `sb_chat_4242_9f3a1c07`. */
  readonly name: string;
  /** Connection URL: the admin URL with the database name swapped in. */
  readonly url: string;
  /** Drops the database, ending any sessions still connected to it. Idempotent. */
  drop(): Promise<void>;
}

/**
 * Creates an empty database with a unique name on the server of `TEST_DATABASE_URL`
 * (default `postgres://postgres@127.0.0.1:5432/postgres`).
 *
 * The name carries the process id and random bytes, so suites running in parallel workers never
 * share a database.
 *
 * @param prefix identifies the suite in the name; lowercased, anything but `[a-z0-9_]` becomes `_`.
 * @throws if Postgres is unreachable; the error names the URL tried (password hidden).
 */
export async function createTestDatabase(prefix = 'test'): Promise<TestDatabase> {
  const adminUrl = adminDatabaseUrl();
  const name = uniqueDatabaseName(prefix);
  await withAdminClient(adminUrl, (client) => client.query(`CREATE DATABASE ${quoteIdent(name)}`));

  let dropped = false;
  return {
    name,
    url: withDatabaseName(adminUrl, name),
    async drop(): Promise<void> {
      if (dropped) return;
      // FORCE: a pool the test forgot to close must not make teardown fail (Postgres 13+).
      await withAdminClient(adminUrl, (client) =>
        client.query(`DROP DATABASE IF EXISTS ${quoteIdent(name)} WITH (FORCE)`),
      );
      dropped = true;
    },
  };
}

function adminDatabaseUrl(): string {
  const fromEnv = process.env['TEST_DATABASE_URL'];
  // An empty variable (`TEST_DATABASE_URL= npx nx test ...`) means "not set", not "connect to ''".
  return fromEnv === undefined || fromEnv === '' ? DEFAULT_TEST_DATABASE_URL : fromEnv;
}

function uniqueDatabaseName(prefix: string): string {
  const cleaned =
    prefix
      .toLowerCase()
      .replace(/[^a-z0-9_]+/g, '_')
      .replace(/^_+|_+$/g, '')
      .slice(0, 30) || 'test';
  // Postgres truncates identifiers at 63 bytes; this stays well below.
  return `sb_${cleaned}_${process.pid}_${randomBytes(4).toString('hex')}`;
}

function withDatabaseName(adminUrl: string, name: string): string {
  let url: URL;
  try {
    url = new URL(adminUrl);
  } catch (error) {
    throw new Error(
      `TEST_DATABASE_URL must be a URL like ${DEFAULT_TEST_DATABASE_URL}; got ${redact(adminUrl)}`,
      { cause: error },
    );
  }
  url.pathname = `/${name}`;
  return url.toString();
}

async function withAdminClient<T>(
  adminUrl: string,
  work: (client: Client) => Promise<T>,
): Promise<T> {
  const client = new Client({
    connectionString: adminUrl,
    connectionTimeoutMillis: CONNECT_TIMEOUT_MS,
  });
  // Without a listener, an error on an idle client (server restart) would crash the test process.
  client.on('error', () => undefined);
  try {
    await client.connect();
  } catch (error) {
    await client.end().catch(() => undefined);
    throw new Error(
      `Cannot reach Postgres at ${redact(adminUrl)}: ${(error as Error).message}. ` +
        `Start Postgres there, or set TEST_DATABASE_URL to an admin connection URL of another server ` +
        `(default ${DEFAULT_TEST_DATABASE_URL}).`,
      { cause: error },
    );
  }
  try {
    return await work(client);
  } finally {
    await client.end();
  }
}

function quoteIdent(identifier: string): string {
  return `"${identifier.replace(/"/g, '""')}"`;
}

/** The URL with its password replaced, so that error messages and CI logs do not leak it. */
function redact(connectionUrl: string): string {
  try {
    const url = new URL(connectionUrl);
    if (url.password !== '') url.password = '***';
    return url.toString();
  } catch {
    return connectionUrl.replace(/\/\/([^:/@]+):[^@]*@/, '//$1:***@');
  }
}
