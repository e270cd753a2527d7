import { randomUUID } from 'node:crypto';
import {
  closeSync,
  existsSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { UsageError } from '../cli/usage-error';
import { type ReleaseChanges } from '../report/release-report';

/**
 * What happened to a release: `deploying` while `deploy run` works on it; `live` once it serves;
 * `superseded` when a newer one replaced it; `failed` (never switched to), `rolled-back` (switched
 * to, then back by the health gate or `deploy rollback`), `aborted` (its deploy died midway).
 */
export type ReleaseResult =
  'deploying' | 'live' | 'superseded' | 'failed' | 'rolled-back' | 'aborted';

export interface Release {
  id: string;
  /** The process it is a release of (`chat-bots` in the `mixed` topology). */
  service: string;
  /**
   * The Nx project (under services/) its package was built from: `monolith` for `chat-bots`.
   * Unset means the service itself, as on records written before a process could run another's host.
   */
  host?: string;
  env: string;
  sha: string;
  /** sha256 of the packaged folder (without node_modules): the same build gives the same digest. */
  digest?: string;
  startedAt: string;
  finishedAt?: string;
  result: ReleaseResult;
  /** For failed, rolled-back and aborted: the step and what went wrong. */
  failedStep?: string;
  reason?: string;
  deployedBy: string;
  /** The `deploy` process working on it, to tell an aborted deploy from one still running. */
  deployerPid: number;
  /** The running process of a local release and where it listens. */
  pid?: number;
  url?: string;
  /** The release that was live when this one started (what a rollback returns to). */
  previousId?: string;
  /** What it changed against that release (`deploy report`), for `deploy status`. */
  changes?: ReleaseChanges;
}

interface StoreFile {
  version: 1;
  releases: Release[];
}

/**
 * The durable record of releases of one environment: `.switchboard/releases/<env>.json`, written
 * whole to a temporary file and renamed over the old one, so a crash leaves the previous version
 * or the new one, never half of either. One `deploy` at a time per service and environment holds
 * `<env>.<service>.lock` (created exclusively; a lock whose process is gone is taken over).
 */
export class ReleaseStore {
  private readonly file: string;

  constructor(
    private readonly root: string,
    readonly env: string,
  ) {
    this.file = join(root, `${env}.json`);
  }

  static forWorkspace(workspaceRoot: string, env: string): ReleaseStore {
    return new ReleaseStore(join(workspaceRoot, '.switchboard', 'releases'), env);
  }

  all(): Release[] {
    if (!existsSync(this.file)) return [];
    const parsed = JSON.parse(readFileSync(this.file, 'utf8')) as StoreFile;
    return parsed.releases;
  }

  /** The newest release of a service, in any state. */
  latest(service: string): Release | undefined {
    return this.all()
      .filter((release) => release.service === service)
      .at(-1);
  }

  live(service: string): Release | undefined {
    return this.all()
      .filter((release) => release.service === service && release.result === 'live')
      .at(-1);
  }

  get(id: string): Release | undefined {
    return this.all().find((release) => release.id === id);
  }

  create(fields: Omit<Release, 'id' | 'startedAt' | 'result' | 'deployerPid'>): Release {
    const release: Release = {
      id: `${fields.service}-${fields.sha.slice(0, 12)}-${randomUUID().slice(0, 8)}`,
      startedAt: new Date().toISOString(),
      result: 'deploying',
      deployerPid: process.pid,
      ...fields,
    };
    this.write([...this.all(), release]);
    return release;
  }

  update(id: string, change: Partial<Release>): Release {
    const releases = this.all();
    const index = releases.findIndex((release) => release.id === id);
    if (index < 0) throw new Error(`No release ${id} in ${this.file}`);
    const updated = { ...(releases[index] as Release), ...change };
    releases[index] = updated;
    this.write(releases);
    return updated;
  }

  /**
   * Runs `work` holding the service's lock in this environment. A second deploy of the same
   * service waits for nothing: it is refused (exit 2) while the first one's process lives.
   */
  async withLock<T>(service: string, work: () => Promise<T>): Promise<T> {
    mkdirSync(this.root, { recursive: true });
    const lock = join(this.root, `${this.env}.${service}.lock`);
    this.acquire(lock, service);
    try {
      return await work();
    } finally {
      rmSync(lock, { force: true });
    }
  }

  private acquire(lock: string, service: string): void {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        const fd = openSync(lock, 'wx');
        writeFileSync(fd, String(process.pid));
        closeSync(fd);
        return;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
        const holder = Number(readFileSync(lock, 'utf8'));
        if (isAlive(holder)) {
          throw new UsageError(
            `${service} is being deployed to ${this.env} by process ${holder}; wait for it to finish`,
          );
        }
        // Its process is gone: the lock is stale.
        rmSync(lock, { force: true });
      }
    }
    throw new Error(`Could not take ${lock}`);
  }

  private write(releases: Release[]): void {
    mkdirSync(dirname(this.file), { recursive: true });
    const temporary = `${this.file}.${process.pid}.tmp`;
    writeFileSync(
      temporary,
      `${JSON.stringify({ version: 1, releases } satisfies StoreFile, null, 2)}\n`,
    );
    renameSync(temporary, this.file);
  }
}

/** The Nx project a release was built from: its package is that host's at its sha. */
export function hostOf(release: Release): string {
  return release.host ?? release.service;
}

/** Whether a process with this pid exists (signal 0 checks without sending anything). */
export function isAlive(pid: number | undefined): boolean {
  if (pid === undefined || !Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}
