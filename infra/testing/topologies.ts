import * as pulumi from '@pulumi/pulumi';
import type { PlatformSecrets } from '../components/platform-config';
import {
  domainsOf,
  loadTopology,
  processHosting,
  processOf,
  type Topology,
  type TopologyProcess,
} from '../components/topology';

/** The default topology, as the committed stacks deploy it: four services and the gateway. */
export const SERVICES_TOPOLOGY = loadTopology('services');
/** The four domains in one process, the gateway in front. */
export const MONOLITH_TOPOLOGY = loadTopology('monolith');

/** The processes of the default topology: `chat`, `stories`, `calls`, `bots`, `gateway`. */
export const SERVICE_NAMES = SERVICES_TOPOLOGY.processes.map((process) => process.name);
/** The domains, each with a database in every topology. */
export const DOMAIN_NAMES = domainsOf(SERVICES_TOPOLOGY);

/**
 * The domains the workspace was committed with, in the default topology's order. A service added
 * since (`nx g @switchboard/tools:service`) is appended after them: tests derive their lists from
 * the topology they deploy and pin these in front.
 */
export const ORIGINAL_DOMAINS: readonly string[] = ['chat', 'stories', 'calls', 'bots'];

/**
 * The `GATEWAY_UPSTREAMS` entries a topology implies: `<domain>=<address>` for each domain, in
 * the topology's order, at the address of the process hosting it (by default its name on the
 * Docker network, at its port).
 */
export function upstreamEntriesOf(
  topology: Topology,
  address: (process: TopologyProcess) => string = (process) =>
    `http://${process.name}:${process.port}`,
): string[] {
  return domainsOf(topology).map(
    (domain) => `${domain}=${address(processHosting(topology, domain))}`,
  );
}

/** A process's HTTP port in the default topology. */
export function portOf(name: string, topology: Topology = SERVICES_TOPOLOGY): number {
  return processOf(topology, name).port;
}

/** `<process>-nats-pw` per process, `<domain>-db-pw` per domain, as secrets. */
export function platformSecrets(topology: Topology = SERVICES_TOPOLOGY): PlatformSecrets {
  return {
    nats: Object.fromEntries(
      topology.processes.map((process) => [process.name, pulumi.secret(`${process.name}-nats-pw`)]),
    ),
    databases: Object.fromEntries(
      domainsOf(topology).map((domain) => [domain, pulumi.secret(`${domain}-db-pw`)]),
    ),
  };
}
