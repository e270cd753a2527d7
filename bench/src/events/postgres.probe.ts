import { DEFAULT_TEST_DATABASE_URL } from '@switchboard/platform-testing';
import { readFileSync } from 'node:fs';
import { Client } from 'pg';
import { readProcCpu } from '../process/process-cpu';
import { type CpuTime } from '../process/protocol';

/** The settings that decide what a commit costs, for the report's header. */
export interface PostgresFacts {
  version: string;
  /** `on`: every commit waits for its WAL to be flushed to disk. */
  synchronousCommit: string;
  fsync: string;
  walSyncMethod: string;
  sharedBuffers: string;
  /** Whether the backends' CPU time can be read from this host's `/proc`. */
  local: boolean;
}

/** CPU time per backend process id. */
export type BackendCpu = Map<number, CpuTime>;

/**
 * An admin connection to the Postgres server the benchmark's databases live on (the tests' server:
 * `TEST_DATABASE_URL`, default `postgres://postgres@127.0.0.1:5432/postgres`), for the header's facts
 * and for the CPU time of the backends serving the benchmark's databases.
 */
export class PostgresProbe {
  private constructor(
    private readonly client: Client,
    private readonly local: boolean,
  ) {}

  static async connect(): Promise<PostgresProbe> {
    const fromEnv = process.env['TEST_DATABASE_URL'];
    const url = fromEnv === undefined || fromEnv === '' ? DEFAULT_TEST_DATABASE_URL : fromEnv;
    const client = new Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
    client.on('error', () => undefined);
    await client.connect();
    const host = new URL(url).hostname;
    const local = ['127.0.0.1', 'localhost', '::1', '[::1]', ''].includes(host);
    return new PostgresProbe(client, local);
  }

  async facts(): Promise<PostgresFacts> {
    const setting = async (name: string): Promise<string> =>
      (await this.client.query<{ value: string }>(`SELECT current_setting($1) AS value`, [name]))
        .rows[0]?.value ?? 'unknown';
    return {
      version: await setting('server_version'),
      synchronousCommit: await setting('synchronous_commit'),
      fsync: await setting('fsync'),
      walSyncMethod: await setting('wal_sync_method'),
      sharedBuffers: await setting('shared_buffers'),
      local: this.local,
    };
  }

  /**
   * CPU time so far of every backend connected to `databases`, read from `/proc` — only when the
   * server runs on this host (the pids are then ours to read); empty otherwise. Background
   * processes (WAL writer, checkpointer) serve every database of the server and are not counted.
   */
  async backendCpu(databases: string[]): Promise<BackendCpu | undefined> {
    if (!this.local || databases.length === 0) return undefined;
    const { rows } = await this.client.query<{ pid: number }>(
      'SELECT pid FROM pg_stat_activity WHERE datname = ANY($1)',
      [databases],
    );
    const cpu: BackendCpu = new Map();
    for (const { pid } of rows) {
      if (!isPostgresProcess(pid)) return undefined; // another pid namespace: /proc is not the server's
      const time = readProcCpu(pid);
      if (time) cpu.set(pid, time);
    }
    return cpu;
  }

  close(): Promise<void> {
    return this.client.end();
  }
}

/**
 * CPU the backends spent between two readings. A backend that connected in between counts from
 * zero; one that disconnected in between is lost (pools keep their connections while busy).
 */
export function backendCpuBetween(
  before: BackendCpu | undefined,
  after: BackendCpu | undefined,
): CpuTime | undefined {
  if (before === undefined || after === undefined) return undefined;
  let userUs = 0;
  let systemUs = 0;
  for (const [pid, time] of after) {
    const start = before.get(pid);
    userUs += time.userUs - (start?.userUs ?? 0);
    systemUs += time.systemUs - (start?.systemUs ?? 0);
  }
  return { userUs, systemUs };
}

function isPostgresProcess(pid: number): boolean {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres';
  } catch {
    return false;
  }
}
