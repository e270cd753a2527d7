import { execFileSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { type BenchEnvironment } from './bench-report';
import { machineFacts } from './machine.facts';

export interface BenchEnvironmentInput {
  /** From the server's INFO (`connection.info.version`). */
  natsServer: string;
  /** `SELECT version()` of the Postgres used, if any. */
  postgresVersion?: string;
  workspaceRoot: string;
  /** Versions to record beyond nats.js, Nest and zod. */
  extraPackages?: string[];
}

/** The environment block of a report: the machine, its load now, the versions, the code. */
export function benchEnvironment(input: BenchEnvironmentInput): BenchEnvironment {
  const machine = machineFacts(input.natsServer, input.extraPackages);
  const [one = 0, five = 0, fifteen = 0] = loadavg();
  return {
    cpuModel: machine.cpuModel,
    cores: machine.cpuCount,
    memoryGiB: machine.memoryGiB,
    loadAverageAtStart: [one, five, fifteen],
    os: machine.os,
    node: machine.node,
    natsServer: machine.natsServer,
    postgres:
      input.postgresVersion === undefined ? undefined : shortPostgresVersion(input.postgresVersion),
    gitSha: git(input.workspaceRoot, ['rev-parse', 'HEAD']) ?? 'unknown',
    gitDirty: (git(input.workspaceRoot, ['status', '--porcelain']) ?? '') !== '',
    packages: machine.packages,
  };
}

/** `PostgreSQL 15.8 (Debian …) on x86_64-pc-linux-gnu, compiled by …` → `PostgreSQL 15.8`. */
export function shortPostgresVersion(version: string): string {
  return /^PostgreSQL \S+/.exec(version)?.[0] ?? version;
}

function git(cwd: string, args: string[]): string | undefined {
  try {
    return execFileSync('git', args, {
      cwd,
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'ignore'],
    }).trim();
  } catch {
    // Not a checkout (an unpacked release): say unknown rather than fail the run.
    return undefined;
  }
}
