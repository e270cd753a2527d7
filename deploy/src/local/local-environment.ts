import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { UsageError } from '../cli/usage-error';
import { loadPlannedTopology } from '../plan/topology';

const url = z.url({ protocol: /^https?$/ }).transform((value) => value.replace(/\/+$/, ''));

/**
 * How the `local` target reaches an environment on this machine, from
 * `.switchboard/environments/<env>.json` (or `--config <file>`). Without a file, what `npm start`
 * runs: NATS on 4222, the gateway on 3000, each service on its SQLite file.
 */
export const LocalEnvironment = z
  .object({
    natsUrl: z
      .string()
      .regex(/^nats:\/\/[^\s/]+$/, 'nats://host:port')
      .default('nats://127.0.0.1:4222'),
    /**
     * What the environment runs (topologies/<name>.json, as `npm start -- --topology <name>`):
     * which domains a deployed process hosts, so which gateway routes it takes over.
     */
    topology: z
      .string()
      .regex(/^[a-z][a-z0-9-]*$/, 'a topology name, e.g. monolith')
      .default('services'),
    /** Every gateway replica: the switch is done once each of them applies it. */
    gateways: z.array(url).min(1).default(['http://127.0.0.1:3000']),
    /** Environment of each service's processes, on top of PORT, HOST and SERVICE_RELEASE. */
    services: z
      .record(z.string(), z.object({ env: z.record(z.string(), z.string()).default({}) }))
      .default({}),
    /** How long a new release must stay healthy under traffic before the old one goes. */
    gateSeconds: z.number().min(0).max(3_600).default(10),
    /** Largest share of 5xx answers the gate accepts (of at least `gateMinRequests`). */
    gateMaxErrorRate: z.number().min(0).max(1).default(0.01),
    gateMinRequests: z.number().int().min(1).default(1),
    /** How long a new release may take to answer `/health/ready` 200. */
    readyTimeoutSeconds: z.number().min(1).max(3_600).default(60),
  })
  .strict();
export type LocalEnvironment = z.output<typeof LocalEnvironment>;

export function loadLocalEnvironment(
  workspaceRoot: string,
  env: string,
  file?: string,
): LocalEnvironment {
  const path = file ?? join(workspaceRoot, '.switchboard', 'environments', `${env}.json`);
  if (!existsSync(path)) {
    if (file !== undefined) throw new UsageError(`--config ${file}: no such file`);
    return LocalEnvironment.parse({});
  }
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (error) {
    throw new UsageError(`${path}: not JSON (${(error as Error).message})`);
  }
  const parsed = LocalEnvironment.safeParse(raw);
  if (!parsed.success) {
    throw new UsageError(
      `${path}: ${parsed.error.issues.map((issue) => `${issue.path.join('.') || '(root)'}: ${issue.message}`).join('; ')}`,
    );
  }
  return parsed.data;
}

/** A process of the environment's topology, as the local target deploys it. */
export interface LocalProcess {
  /** What its releases, status, rollback and lock are named for: `chat-bots` in `mixed`. */
  name: string;
  /**
   * The Nx project under services/ it is built, packaged and started from: its own name for a
   * service, `monolith` for `chat-bots` in `mixed`.
   */
  host: string;
  /** The domains it hosts (none for the gateway). */
  domains: string[];
  /** Its names in the gateway's routes: the domains it hosts, or its own name (the gateway). */
  upstreams: string[];
  /** Whether its host carries a choice of domains (the monolith): it is told which. */
  choosesDomains: boolean;
}

/** The process `service` of the environment's topology; a clear error when it runs none. */
export function localProcessOf(
  workspaceRoot: string,
  environment: LocalEnvironment,
  service: string,
): LocalProcess {
  const topology = (() => {
    try {
      return loadPlannedTopology(workspaceRoot, environment.topology);
    } catch (error) {
      // Named as the environment file names it, not as the plan's --topology option.
      throw new UsageError((error as Error).message.replace(/^--topology /, '"topology": '));
    }
  })();
  const process = topology.processes.find((candidate) => candidate.name === service);
  if (process === undefined) {
    throw new UsageError(
      `${service}: the environment runs topology ${topology.name}, which has no process ${service} ` +
        `(it runs ${topology.processes.map((p) => p.name).join(', ')}); set "topology" in its environment file`,
    );
  }
  return {
    name: process.name,
    host: process.host,
    domains: process.domains,
    upstreams: process.domains.length > 0 ? process.domains : [process.name],
    choosesDomains: !process.domains.every((domain) => domain === process.host),
  };
}

/**
 * What a process gets when the environment file says nothing of it: npm start's defaults — each
 * domain on its SQLite file (`DATABASE_URL` for a process of one domain, `DATABASE_URL_<DOMAIN>`
 * each for several), and the domains to host for the monolith.
 */
export function serviceEnv(
  workspaceRoot: string,
  environment: LocalEnvironment,
  process: LocalProcess,
): Record<string, string> {
  const sqlite = (domain: string) =>
    `sqlite:${join(workspaceRoot, '.switchboard', 'data', `${domain}.sqlite`)}`;
  const databases: Record<string, string> =
    process.domains.length === 1
      ? { DATABASE_URL: sqlite(process.domains[0] as string) }
      : Object.fromEntries(
          process.domains.map((domain) => [databaseUrlKey(domain), sqlite(domain)]),
        );
  return {
    NATS_URL: environment.natsUrl,
    ...databases,
    ...(process.domains.length > 0 ? { DB_MIGRATE: 'true' } : {}),
    ...(process.choosesDomains
      ? { SERVICE_NAME: process.name, HOST_DOMAINS: process.domains.join(',') }
      : {}),
    ...(environment.services[process.name]?.env ?? {}),
  };
}

/** `chat` → `DATABASE_URL_CHAT`, as the runtime reads a domain's database. */
function databaseUrlKey(domain: string): string {
  return `DATABASE_URL_${domain.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
