import { buildDataSourceOptions, SQLITE_BUSY_TIMEOUT_MS } from '@switchboard/platform-persistence';
import Database from 'better-sqlite3';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** The settings that decide what a SQLite commit costs, for the report's header. */
export interface SqliteFacts {
  version: string;
  driver: string;
  /** `wal` for a service's database file. */
  journalMode: string;
  /**
   * `PRAGMA synchronous` of a service that created its file (the benchmark's case): `2` (FULL), a
   * commit waits for the WAL to be synced to disk.
   */
  synchronous: string;
  /**
   * The same for a service reopening a file already in WAL mode (a restart): `2` as well, since
   * the platform sets it (better-sqlite3's build default there would be `1`, NORMAL: the WAL
   * synced at checkpoints only).
   */
  synchronousReopened: string;
  busyTimeoutMs: number;
}

/**
 * Opens a throw-away file the way a service opens its `sqlite:` database (the platform's
 * `buildDataSourceOptions`: WAL journal, busy timeout) and reads back what commits will do.
 */
export function sqliteFacts(): SqliteFacts {
  const dir = mkdtempSync(join(tmpdir(), 'sb-bench-sqlite-'));
  try {
    const options = buildDataSourceOptions({
      url: `sqlite:${join(dir, 'probe.sqlite')}`,
      entities: [],
      migrations: [],
    });
    const path = 'database' in options ? String(options.database) : join(dir, 'probe.sqlite');
    const open = (): Database.Database => {
      const db = new Database(path);
      if ('prepareDatabase' in options) options.prepareDatabase?.(db);
      if ('enableWAL' in options && options.enableWAL) db.pragma('journal_mode = WAL');
      return db;
    };
    const created = open();
    const facts = {
      version: String(created.prepare('SELECT sqlite_version() AS v').pluck().get()),
      driver: `better-sqlite3 ${packageVersion('better-sqlite3')}`,
      journalMode: String(created.pragma('journal_mode', { simple: true })),
      synchronous: String(created.pragma('synchronous', { simple: true })),
      busyTimeoutMs: SQLITE_BUSY_TIMEOUT_MS,
    };
    created.close();
    const reopened = open();
    const synchronousReopened = String(reopened.pragma('synchronous', { simple: true }));
    reopened.close();
    return { ...facts, synchronousReopened };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function packageVersion(name: string): string {
  try {
    const manifest = require.resolve(`${name}/package.json`);
    return (JSON.parse(readFileSync(manifest, 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
