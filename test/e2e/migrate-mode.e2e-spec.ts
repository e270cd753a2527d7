import { topologyProcessEntry } from '@switchboard/platform-testing';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from './services';
import { e2eTopology, processHosting } from './system';

/**
 * `node main.js --migrate`: what a deployment's migration job runs before the new pods start — for
 * the process hosting stories, which migrates each database of every domain it hosts.
 */
describe(`the process hosting stories in migrate mode (${e2eTopology()})`, () => {
  const folder = mkdtempSync(join(tmpdir(), 'sb-migrate-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const host = processHosting('stories');
  const domains = host.domains ?? [];
  /** Each hosted domain on its own SQLite file, named for `name`. */
  const databases = (name: string): Record<string, string> =>
    Object.fromEntries(
      domains.map((domain) => [
        `DATABASE_URL_${domain.toUpperCase()}`,
        `sqlite:${join(folder, `${name}-${domain}.sqlite`)}`,
      ]),
    );
  const run = (args: string[], env: Record<string, string>) =>
    spawnSync(process.execPath, [topologyProcessEntry(workspaceRoot, host), ...args], {
      encoding: 'utf8',
      // No NATS_URL that answers: migrate mode must not need NATS, or anything but the database.
      env: {
        PATH: process.env['PATH'] ?? '',
        NATS_URL: 'nats://127.0.0.1:1',
        SERVICE_NAME: host.name,
        HOST_DOMAINS: domains.join(','),
        ...env,
      },
      timeout: 30_000,
    });
  const migrate = (env: Record<string, string>) => run(['--migrate'], env);

  it('applies the pending migrations of every hosted domain, exits 0, and applies nothing the second time', () => {
    const first = migrate(databases('fresh'));
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Applied migrations: .*CreateStoriesTables1764190000000/);
    // One line per domain database, each with that domain's migrations only.
    expect(first.stdout.match(/Applied migrations/g)).toHaveLength(domains.length);
    const second = migrate(databases('fresh'));
    expect(second.status).toBe(0);
    expect(second.stdout).not.toContain('Applied migrations');
    expect(second.stdout.match(/No pending migrations/g)).toHaveLength(domains.length);
  });

  it('is what a process started with DB_MIGRATE=false needs: it refuses a schema that is behind, naming the database', () => {
    const behind = { ...databases('behind'), DB_MIGRATE: 'false' };
    const refused = run([], behind);
    expect(refused.status).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(
      /The database schema is behind \(DATABASE_URL_[A-Z]+\): \d+ pending migration\(s\) \(.*\)\. Apply them with `node main\.js --migrate`/,
    );
    expect(migrate(databases('behind')).status).toBe(0);
  });

  it('exits 1 with the reason when a database cannot be reached', () => {
    const failed = migrate({
      ...databases('unreachable'),
      DATABASE_URL_STORIES: 'postgres://nobody@127.0.0.1:1/stories',
    });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain(`${host.name}: migrations failed:`);
  });
});
