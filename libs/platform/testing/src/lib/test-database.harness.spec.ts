import { Client } from 'pg';
import { freePort } from './free-port.util';
import {
  createTestDatabase,
  DEFAULT_TEST_DATABASE_URL,
  type TestDatabase,
} from './test-database.harness';

jest.setTimeout(30_000);

// Same rule as the harness: an empty TEST_DATABASE_URL counts as unset.
const adminUrl = process.env['TEST_DATABASE_URL'] || DEFAULT_TEST_DATABASE_URL;
const created: TestDatabase[] = [];

async function create(prefix?: string): Promise<TestDatabase> {
  const db = await createTestDatabase(prefix);
  created.push(db);
  return db;
}

async function query<T extends Record<string, unknown>>(
  url: string,
  sql: string,
  params: unknown[] = [],
): Promise<T[]> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    return (await client.query<T>(sql, params)).rows;
  } finally {
    await client.end();
  }
}

async function databaseExists(name: string): Promise<boolean> {
  const rows = await query(adminUrl, 'SELECT 1 FROM pg_database WHERE datname = $1', [name]);
  return rows.length === 1;
}

async function withTestDatabaseUrl<T>(url: string, work: () => Promise<T>): Promise<T> {
  const previous = process.env['TEST_DATABASE_URL'];
  process.env['TEST_DATABASE_URL'] = url;
  try {
    return await work();
  } finally {
    if (previous === undefined) delete process.env['TEST_DATABASE_URL'];
    else process.env['TEST_DATABASE_URL'] = previous;
  }
}

afterEach(async () => {
  await Promise.all(created.splice(0).map((db) => db.drop()));
});

describe('createTestDatabase', () => {
  it('creates a database the suite can connect to and use, and drop() removes it', async () => {
    const db = await create('chat');

    expect(db.name).toMatch(new RegExp(`^sb_chat_${process.pid}_[0-9a-f]{8}$`));
    const url = new URL(db.url);
    expect(url.pathname).toBe(`/${db.name}`);
    expect(url.host).toBe(new URL(adminUrl).host);
    const [current] = await query<{ name: string }>(db.url, 'SELECT current_database() AS name');
    expect(current?.name).toBe(db.name);
    await query(db.url, 'CREATE TABLE message (id serial PRIMARY KEY, body text NOT NULL)');
    await query(db.url, "INSERT INTO message (body) VALUES ('hi')");
    expect(await query(db.url, 'SELECT body FROM message')).toEqual([{ body: 'hi' }]);

    await db.drop();

    expect(await databaseExists(db.name)).toBe(false);
  });

  it('gives suites running at the same time separate databases', async () => {
    const [a, b] = await Promise.all([create('chat'), create('chat')]);

    expect(a.name).not.toBe(b.name);
    await query(a.url, 'CREATE TABLE only_in_a (id int)');
    const tables = await query(
      b.url,
      "SELECT 1 FROM information_schema.tables WHERE table_name = 'only_in_a'",
    );
    expect(tables).toHaveLength(0);
  });

  it('drop() succeeds while a client is still connected', async () => {
    const db = await create('leaky');
    const forgotten = new Client({ connectionString: db.url });
    forgotten.on('error', () => undefined);
    await forgotten.connect();
    try {
      await db.drop();

      expect(await databaseExists(db.name)).toBe(false);
      await expect(forgotten.query('SELECT 1')).rejects.toThrow();
    } finally {
      await forgotten.end().catch(() => undefined);
    }
  });

  it('turns any prefix into a valid lowercase name', async () => {
    const db = await create('Chat-Service v2!');

    expect(db.name).toMatch(/^sb_chat_service_v2_\d+_[0-9a-f]{8}$/);
    expect(await databaseExists(db.name)).toBe(true);
  });

  it('names the URL it tried and TEST_DATABASE_URL when Postgres is unreachable', async () => {
    const deadUrl = `postgres://postgres:s3cret@127.0.0.1:${await freePort()}/postgres`;

    const attempt = withTestDatabaseUrl(deadUrl, () => createTestDatabase('x'));

    await expect(attempt).rejects.toThrow(deadUrl.replace('s3cret', '***'));
    await expect(attempt).rejects.toThrow(/TEST_DATABASE_URL/);
    await expect(attempt).rejects.not.toThrow(/s3cret/);
  });
});
