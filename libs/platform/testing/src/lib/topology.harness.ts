import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { freePort } from './free-port.util';
import { spawnService, type ServiceProcess } from './service-process.harness';
import { type TestEnvironment } from './test-environment.harness';

/** One process of a topology (`topologies/<name>.json`): which host it runs, which domains. */
export interface TopologyProcess {
  name: string;
  /** The deployable under services/ it runs. */
  host: string;
  domains?: string[];
}

/** The processes of `topologies/<name>.json` in the workspace at `workspaceRoot`. */
export function topologyProcesses(workspaceRoot: string, name: string): TopologyProcess[] {
  const file = join(workspaceRoot, 'topologies', `${name}.json`);
  return (JSON.parse(readFileSync(file, 'utf8')) as { processes: TopologyProcess[] }).processes;
}

/** Options of {@link spawnTopologyProcess}. */
export interface SpawnTopologyProcessOptions {
  workspaceRoot: string;
  env: TestEnvironment;
  process: TopologyProcess;
  port: number;
  /** Environment on top of the process's own. */
  extra?: Record<string, string>;
  readyTimeoutMs?: number;
}

/**
 * Starts the built host of a topology process (`dist/services/<host>/main.js`) as `npm start`
 * does: each of its domains on its test database (`DATABASE_URL_<DOMAIN>`), named and told which
 * domains to carry (`SERVICE_NAME`, `HOST_DOMAINS`: the monolith's host reads them, a service's
 * host carries its own domain whatever they say).
 */
export function spawnTopologyProcess(
  options: SpawnTopologyProcessOptions,
): Promise<ServiceProcess> {
  const { process } = options;
  return spawnService({
    name: process.name,
    entry: topologyProcessEntry(options.workspaceRoot, process),
    port: options.port,
    readyTimeoutMs: options.readyTimeoutMs,
    env: { ...topologyProcessEnv(options.env, process), ...options.extra },
  });
}

/**
 * Starts every process of a topology at once, each on a free port, in `processes`' order; if one
 * fails to start, stops those that did before rethrowing.
 */
export async function spawnTopology(options: {
  workspaceRoot: string;
  env: TestEnvironment;
  processes: TopologyProcess[];
  /** Environment on top of each process's own. */
  extra?: (process: TopologyProcess) => Record<string, string>;
  readyTimeoutMs?: number;
}): Promise<ServiceProcess[]> {
  const starts = await Promise.allSettled(
    options.processes.map(async (process) =>
      spawnTopologyProcess({
        workspaceRoot: options.workspaceRoot,
        env: options.env,
        process,
        port: await freePort(),
        extra: options.extra?.(process),
        readyTimeoutMs: options.readyTimeoutMs,
      }),
    ),
  );
  const started = starts.flatMap((start) => (start.status === 'fulfilled' ? [start.value] : []));
  const failed = starts.find((start) => start.status === 'rejected');
  if (failed !== undefined) {
    await Promise.all(started.map((service) => service.stop()));
    throw failed.reason;
  }
  return started;
}

/** The built entry point of a topology process's host. */
export function topologyProcessEntry(workspaceRoot: string, process: TopologyProcess): string {
  return join(workspaceRoot, 'dist', 'services', process.host, 'main.js');
}

/** The environment {@link spawnTopologyProcess} gives a process, without its port. */
export function topologyProcessEnv(
  env: TestEnvironment,
  process: TopologyProcess,
): Record<string, string> {
  const domains = process.domains ?? [];
  return {
    ...env.envForDomains(domains),
    HOST: '127.0.0.1',
    SERVICE_NAME: process.name,
    HOST_DOMAINS: domains.join(','),
  };
}
