import { randomBytes } from 'node:crypto';
import { Client } from 'pg';
import { databaseUrl, type DatabaseOfService, renderPostgresInit } from './init-sql';

const adminUrl = process.env['TEST_DATABASE_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';
const admin = new URL(adminUrl);
const suffix = randomBytes(4).toString('hex');
const databases: DatabaseOfService[] = ['chat', 'stories'].map((service) => ({
  role: `sbinfra_${suffix}_${service}`,
  database: `sbinfra_${suffix}_${service}`,
  // Quotes and URL-special characters survive both the SQL literal and the URL.
  password: `pw'${service}@:/%`,
}));
const [chat, stories] = databases;

function urlOf(db: DatabaseOfService): string {
  return databaseUrl(db, admin.hostname, Number(admin.port || 5432));
}

async function run(url: string, sql: string): Promise<void> {
  const client = new Client({ connectionString: url });
  await client.connect();
  try {
    await client.query(sql);
  } finally {
    await client.end();
  }
}

describe('Postgres init script on a real server', () => {
  beforeAll(async () => {
    const script = renderPostgresInit(databases, { closeMaintenanceDatabase: false });
    // psql runs each statement on its own; CREATE DATABASE cannot share a transaction.
    for (const statement of script
      .split(/;\n/)
      .map((part) => part.replace(/^--.*$/gm, '').trim())) {
      if (statement !== '') await run(adminUrl, statement);
    }
  });

  afterAll(async () => {
    for (const db of databases) {
      await run(adminUrl, `DROP DATABASE IF EXISTS "${db.database}" WITH (FORCE)`);
      await run(adminUrl, `DROP ROLE IF EXISTS "${db.role}"`);
    }
  });

  it('lets each role connect to its own database and create tables there (it owns it)', async () => {
    await run(urlOf(chat), 'CREATE TABLE t (id int); DROP TABLE t;');
    await run(urlOf(stories), 'CREATE TABLE t (id int); DROP TABLE t;');
  });

  it('refuses a role another service’s database', async () => {
    await expect(run(urlOf({ ...chat, database: stories.database }), 'SELECT 1')).rejects.toThrow(
      /permission denied for database/,
    );
    await expect(run(urlOf({ ...stories, database: chat.database }), 'SELECT 1')).rejects.toThrow(
      /permission denied for database/,
    );
  });

  it('gives the roles no superuser, createdb or createrole rights', async () => {
    const client = new Client({ connectionString: adminUrl });
    await client.connect();
    try {
      const { rows } = await client.query<{ n: string }>(
        `SELECT count(*) AS n FROM pg_roles WHERE rolname = ANY($1)
           AND NOT rolsuper AND NOT rolcreatedb AND NOT rolcreaterole AND rolcanlogin`,
        [databases.map((db) => db.role)],
      );
      expect(rows[0].n).toBe('2');
    } finally {
      await client.end();
    }
  });
});
