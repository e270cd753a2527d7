import { createTestDatabase, type TestDatabase } from './test-database.harness';
import { startNatsServer, type TestNatsServer } from './nats-server.harness';

/** The secret test services sign and verify tokens with (≥ 32 characters, as production requires). */
export const TEST_JWT_SECRET = 'switchboard-test-secret-0123456789abcdef';

export interface TestEnvironment {
  nats: TestNatsServer;
  /** One database per service name asked for. */
  databases: Record<string, TestDatabase>;
  /** Environment for a service that uses the database `service`: NATS, DATABASE_URL, migrations on. */
  envFor(service: string, extra?: Record<string, string>): Record<string, string>;
  /**
   * Environment for a process hosting several domains, each on its own database (asked for by
   * domain name): `DATABASE_URL_<DOMAIN>` each, as the runtime reads them.
   */
  envForDomains(domains: string[], extra?: Record<string, string>): Record<string, string>;
  /** Environment for a service without a database (the gateway): NATS, the test secret, logs. */
  envWithoutDatabase(extra?: Record<string, string>): Record<string, string>;
  stop(): Promise<void>;
}

/**
 * A suite's private world: its own nats-server (JetStream on) and one fresh Postgres database per
 * service. Call in `beforeAll`, `stop()` in `afterAll`.
 */
export async function createTestEnvironment(services: string[]): Promise<TestEnvironment> {
  const nats = await startNatsServer();
  const databases: Record<string, TestDatabase> = {};
  try {
    for (const service of services) databases[service] = await createTestDatabase(service);
  } catch (error) {
    await Promise.all(Object.values(databases).map((database) => database.drop()));
    await nats.stop();
    throw error;
  }
  const envWithoutDatabase = (extra: Record<string, string> = {}): Record<string, string> => ({
    NODE_ENV: 'test',
    NATS_URL: nats.url,
    AUTH_JWT_SECRET: TEST_JWT_SECRET,
    LOG_LEVEL: process.env['TEST_LOG_LEVEL'] ?? 'warn',
    ...extra,
  });
  const databaseOf = (name: string): TestDatabase => {
    const database = databases[name];
    if (!database)
      throw new Error(`No test database for "${name}"; pass it to createTestEnvironment`);
    return database;
  };
  return {
    nats,
    databases,
    envWithoutDatabase,
    envFor(service, extra = {}) {
      return envWithoutDatabase({
        DATABASE_URL: databaseOf(service).url,
        DB_MIGRATE: 'true',
        ...extra,
      });
    },
    envForDomains(domains, extra = {}) {
      const urls = domains.map((domain) => [
        // The runtime's databaseUrlKey: `chat` → `DATABASE_URL_CHAT`.
        `DATABASE_URL_${domain.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`,
        databaseOf(domain).url,
      ]);
      return envWithoutDatabase({ ...Object.fromEntries(urls), DB_MIGRATE: 'true', ...extra });
    },
    async stop() {
      await nats.stop();
      await Promise.all(Object.values(databases).map((database) => database.drop()));
    },
  };
}
