import {
  createTestEnvironment,
  freePort,
  type ServiceProcess,
  spawnService,
  spawnTopologyProcess,
  type TestEnvironment,
  topologyProcesses,
  type TopologyProcess,
} from '@switchboard/platform-testing';
import { entryOf, workspaceRoot } from './services';

/**
 * The topology the e2e specs run against: the jest project's `E2E_TOPOLOGY` global
 * (test/jest.config.js), else the `E2E_TOPOLOGY` variable, else `services`.
 */
export function e2eTopology(): string {
  const fromProject = (globalThis as { E2E_TOPOLOGY?: string }).E2E_TOPOLOGY;
  return fromProject || process.env['E2E_TOPOLOGY'] || 'services';
}

/**
 * Whether the topology under test runs two domains in one process — where "one is down while the
 * other serves" cannot happen, a spec leaves that case out.
 */
export function hostedTogether(a: string, b: string): boolean {
  return topologyProcesses(workspaceRoot, e2eTopology()).some(
    (process) => process.domains?.includes(a) && process.domains.includes(b),
  );
}

/** The process of the topology under test that hosts `domain`. */
export function processHosting(domain: string): TopologyProcess {
  const process = topologyProcesses(workspaceRoot, e2eTopology()).find((candidate) =>
    candidate.domains?.includes(domain),
  );
  if (!process) throw new Error(`No process of ${e2eTopology()} hosts ${domain}`);
  return process;
}

/** A running system: the processes of the topology that host the domains a spec needs. */
export interface System {
  readonly env: TestEnvironment;
  readonly topology: string;
  /** Every domain the started processes host (a few more than asked for, in a monolith). */
  readonly domains: readonly string[];
  /** Base URL of the process hosting `domain`. */
  urlOf(domain: string): string;
  /** The running process hosting `domain`: its pid, logs and exit. */
  processOf(domain: string): ServiceProcess;
  /** What the process hosting `domain` has logged so far. */
  logsOf(domain: string): string[];
  /** Stops the process hosting `domain` (SIGTERM, graceful) and starts it again; its exit code. */
  restart(domain: string): Promise<number | null>;
  /** Stops the process hosting `domain` (and so every domain it hosts); its exit code. */
  stopHosting(domain: string): Promise<number | null>;
  /** Stops every process, then the environment; the processes' exit codes. */
  stop(): Promise<(number | null)[]>;
}

/**
 * Starts, for the topology under test, every process hosting one of `domains` — each domain of
 * them on its own test database — with `extra` environment per domain (merged for a process
 * hosting several). In `services` that is one service per domain; in `monolith` one process.
 */
export async function startSystem(
  domains: string[],
  extra: Record<string, Record<string, string>> = {},
): Promise<System> {
  const topology = e2eTopology();
  const needed = topologyProcesses(workspaceRoot, topology).filter((process) =>
    (process.domains ?? []).some((domain) => domains.includes(domain)),
  );
  const hosted = needed.flatMap((process) => process.domains ?? []);
  const env = await createTestEnvironment(hosted);
  // A restarted process comes back on its port: clients keep their base URLs.
  const ports = new Map<TopologyProcess, number>();
  const start = async (process: TopologyProcess): Promise<ServiceProcess> => {
    const own = process.domains ?? [];
    const port = ports.get(process) ?? (await freePort());
    ports.set(process, port);
    const settings = Object.assign({}, ...own.map((domain) => extra[domain] ?? {})) as Record<
      string,
      string
    >;
    return spawnTopologyProcess({ workspaceRoot, env, process, port, extra: settings });
  };
  const running = new Map<TopologyProcess, ServiceProcess>();
  try {
    const started = await Promise.all(needed.map(start));
    needed.forEach((process, index) => running.set(process, started[index] as ServiceProcess));
  } catch (error) {
    await Promise.all([...running.values()].map((process) => process.stop()));
    await env.stop();
    throw error;
  }
  const hostOf = (domain: string): TopologyProcess => {
    const process = needed.find((candidate) => candidate.domains?.includes(domain));
    if (!process)
      throw new Error(`${domain} is not among the domains started (${hosted.join(', ')})`);
    return process;
  };
  const processOf = (domain: string): ServiceProcess => {
    const process = running.get(hostOf(domain));
    if (!process) throw new Error(`The process hosting ${domain} is stopped`);
    return process;
  };
  return {
    env,
    topology,
    domains: hosted,
    urlOf: (domain) => processOf(domain).url,
    processOf,
    logsOf: (domain) => processOf(domain).logs(),
    async restart(domain) {
      const process = hostOf(domain);
      const code = await (running.get(process) as ServiceProcess).stop();
      running.set(process, await start(process));
      return code;
    },
    async stopHosting(domain) {
      const process = hostOf(domain);
      const code = await (running.get(process) as ServiceProcess).stop();
      running.delete(process);
      return code;
    },
    async stop() {
      const codes = await Promise.all([...running.values()].map((process) => process.stop()));
      await env.stop();
      return codes;
    },
  };
}

/**
 * Starts the built gateway in front of `system`: every domain it hosts routed to its process, as
 * `npm start` routes them, rate limits off (a spec's bursts are not abuse).
 */
export async function startGateway(
  system: System,
  extra: Record<string, string> = {},
): Promise<ServiceProcess> {
  return spawnService({
    name: 'gateway',
    entry: entryOf('gateway'),
    port: await freePort(),
    env: system.env.envWithoutDatabase({
      HOST: '127.0.0.1',
      GATEWAY_UPSTREAMS: system.domains
        .map((domain) => `${domain}=${system.urlOf(domain)}`)
        .join(','),
      GATEWAY_RATE_LIMIT_PER_USER: '0',
      GATEWAY_RATE_LIMIT_PER_IP: '0',
      ...extra,
    }),
  });
}
