import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { entryOf } from './services';

/** `node main.js --migrate`: what a deployment's migration job runs before the new pods start. */
describe('a service in migrate mode', () => {
  const folder = mkdtempSync(join(tmpdir(), 'sb-migrate-'));
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  const migrate = (env: Record<string, string>) =>
    spawnSync(process.execPath, [entryOf('stories'), '--migrate'], {
      encoding: 'utf8',
      // No NATS_URL that answers: migrate mode must not need NATS, or anything but the database.
      env: { PATH: process.env['PATH'] ?? '', NATS_URL: 'nats://127.0.0.1:1', ...env },
      timeout: 30_000,
    });

  it('applies the pending migrations, exits 0, and applies nothing the second time', () => {
    const url = `sqlite:${join(folder, 'stories.sqlite')}`;
    const first = migrate({ DATABASE_URL: url });
    expect(first.status).toBe(0);
    expect(first.stdout).toMatch(/Applied migrations: .*CreateStoriesTables1764190000000/);
    const second = migrate({ DATABASE_URL: url });
    expect(second.status).toBe(0);
    expect(second.stdout).toContain('No pending migrations');
  });

  it('is what a service started with DB_MIGRATE=false needs: it refuses a schema that is behind', () => {
    const url = `sqlite:${join(folder, 'behind.sqlite')}`;
    const serve = () =>
      spawnSync(process.execPath, [entryOf('stories')], {
        encoding: 'utf8',
        env: {
          PATH: process.env['PATH'] ?? '',
          NATS_URL: 'nats://127.0.0.1:1',
          DATABASE_URL: url,
          DB_MIGRATE: 'false',
        },
        timeout: 30_000,
      });
    const refused = serve();
    expect(refused.status).toBe(1);
    expect(`${refused.stdout}${refused.stderr}`).toMatch(
      /The database schema is behind: \d+ pending migration\(s\) \(.*CreateStoriesTables1764190000000.*\)\. Apply them with `node main\.js --migrate`/,
    );
    expect(migrate({ DATABASE_URL: url }).status).toBe(0);
  });

  it('exits 1 with the reason when the database cannot be reached', () => {
    const failed = migrate({ DATABASE_URL: 'postgres://nobody@127.0.0.1:1/stories' });
    expect(failed.status).toBe(1);
    expect(failed.stderr).toContain('stories: migrations failed:');
  });
});
