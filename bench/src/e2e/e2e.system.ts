import {
  createTestEnvironment,
  freePort,
  type ServiceProcess,
  spawnService,
  spawnTopology,
  type TestEnvironment,
  topologyProcesses,
  type TopologyProcess,
} from '@switchboard/platform-testing';
import { existsSync } from 'node:fs';
import { join, relative } from 'node:path';

const DOMAINS = ['chat', 'stories', 'calls', 'bots'];

/**
 * Per-conversation bot replies allowed per minute (`BOTS_REPLIES_PER_MINUTE`, default 30): at the
 * default, echo would measure the limit. The schema's maximum.
 */
const BOT_REPLIES_PER_MINUTE = '10000';

/** One topology running from the build with the gateway in front, on its own environment. */
export interface E2eSystem {
  topology: string;
  env: TestEnvironment;
  gatewayUrl: string;
  /** Every process by name, the gateway and nats-server included: whose CPU time to read. */
  pids: Record<string, number>;
  stop(): Promise<void>;
}

/** The domain processes of `topologies/<name>.json` (the gateway is started separately). */
export function e2eTopologyProcesses(workspaceRoot: string, name: string): TopologyProcess[] {
  if (!existsSync(join(workspaceRoot, 'topologies', `${name}.json`))) {
    throw new Error(`--topology: no topologies/${name}.json`);
  }
  return topologyProcesses(workspaceRoot, name).filter((process) => process.host !== 'gateway');
}

/** The built entry points the topologies need that are missing, relative to the workspace. */
export function missingBuilds(workspaceRoot: string, topologies: string[]): string[] {
  const hosts = new Set(['gateway']);
  for (const name of topologies) {
    for (const process of e2eTopologyProcesses(workspaceRoot, name)) hosts.add(process.host);
  }
  return [...hosts]
    .map((host) => join(workspaceRoot, 'dist', 'services', host, 'main.js'))
    .filter((entry) => !existsSync(entry))
    .map((entry) => relative(workspaceRoot, entry));
}

/**
 * Starts a topology as `npm start` would: a fresh nats-server and one fresh database per domain,
 * each process from the build (migrations at boot), then the gateway routing every domain to the
 * process hosting it, with its per-address and per-user limits off — every simulated user comes
 * from this one address, and the limits would measure themselves instead of the system.
 */
export async function startE2eSystem(workspaceRoot: string, topology: string): Promise<E2eSystem> {
  const processes = e2eTopologyProcesses(workspaceRoot, topology);
  const env = await createTestEnvironment(DOMAINS);
  const started: ServiceProcess[] = [];
  const stop = async (): Promise<void> => {
    for (const service of [...started].reverse()) await service.stop();
    await env.stop();
  };
  try {
    started.push(
      ...(await spawnTopology({
        workspaceRoot,
        env,
        processes,
        readyTimeoutMs: 120_000,
        extra: (process): Record<string, string> =>
          process.domains?.includes('bots')
            ? { BOTS_REPLIES_PER_MINUTE: BOT_REPLIES_PER_MINUTE }
            : {},
      })),
    );
    const upstreams = processes.flatMap((process, index) =>
      (process.domains ?? []).map((domain) => `${domain}=${started[index]?.url}`),
    );
    const gateway = await spawnService({
      name: 'gateway',
      entry: join(workspaceRoot, 'dist', 'services', 'gateway', 'main.js'),
      port: await freePort(),
      readyTimeoutMs: 60_000,
      env: env.envWithoutDatabase({
        HOST: '127.0.0.1',
        GATEWAY_UPSTREAMS: upstreams.join(','),
        GATEWAY_RATE_LIMIT_PER_IP: '0',
        GATEWAY_RATE_LIMIT_PER_USER: '0',
      }),
    });
    started.push(gateway);
    return {
      topology,
      env,
      gatewayUrl: gateway.url,
      pids: {
        ...Object.fromEntries(started.map((service) => [service.name, service.pid])),
        'nats-server': env.nats.pid,
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
