import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { MessagingManifest, ServiceMessaging } from '../nats/manifest';

/**
 * What an environment runs (topologies/<name>.json): its processes, the host (folder of services/)
 * each is built from, its port and the domains it carries. A process is what the stacks deploy:
 * one image, one NATS user, one `<process>-<env>` service stack.
 */
export interface TopologyProcess {
  name: string;
  host: string;
  port: number;
  /** Empty for the gateway. */
  domains: string[];
}

export interface Topology {
  name: string;
  processes: TopologyProcess[];
}

/** Today's default: every domain in its own process. */
export const DEFAULT_TOPOLOGY = 'services';

/** The repository's topologies folder. */
export const TOPOLOGIES_DIR = join(__dirname, '..', '..', 'topologies');

/** The one host that is the platform's public entry and hosts no domain. */
export const GATEWAY_HOST = 'gateway';

/**
 * Reads and validates `<folder>/<name>.json` with the same rules `npm start` applies
 * (tools/scripts/lib/topology.mjs: every domain hosted exactly once, one gateway, hosts that can
 * carry their domains). That module is ESM and this program CommonJS, so it runs in a child Node.
 */
export function loadTopology(name: string = DEFAULT_TOPOLOGY, folder = TOPOLOGIES_DIR): Topology {
  const module = pathToFileURL(
    join(__dirname, '..', '..', 'tools', 'scripts', 'lib', 'topology.mjs'),
  );
  const script = `import(process.argv[1]).then((m) => {
    try { process.stdout.write(JSON.stringify(m.loadTopology(process.argv[2], process.argv[3]))); }
    catch (error) { process.stderr.write(error.message); process.exit(2); }
  })`;
  let json: string;
  try {
    json = execFileSync(process.execPath, ['-e', script, module.href, folder, name], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
  } catch (error) {
    const stderr = String((error as { stderr?: unknown }).stderr ?? '').trim();
    throw new Error(`topology ${name}: ${stderr || (error as Error).message}`);
  }
  const raw = JSON.parse(json) as {
    name: string;
    processes: (Omit<TopologyProcess, 'domains'> & { domains?: string[] })[];
  };
  return {
    name: raw.name,
    processes: raw.processes.map((process) => ({ ...process, domains: process.domains ?? [] })),
  };
}

/** The process called `name`; the error lists those the topology has. */
export function processOf(topology: Topology, name: string): TopologyProcess {
  const found = topology.processes.find((process) => process.name === name);
  if (found === undefined) {
    throw new Error(
      `topology ${topology.name} has no process "${name}": it runs ${topology.processes.map((process) => process.name).join(', ')}`,
    );
  }
  return found;
}

/** The process carrying `domain`. */
export function processHosting(topology: Topology, domain: string): TopologyProcess {
  const found = topology.processes.find((process) => process.domains.includes(domain));
  if (found === undefined) throw new Error(`topology ${topology.name} hosts no ${domain}`);
  return found;
}

/** Every domain the topology hosts, in its processes' order. */
export function domainsOf(topology: Topology): string[] {
  return topology.processes.flatMap((process) => process.domains);
}

/**
 * The messaging manifest of a topology's processes. The generated manifest has one entry per domain
 * (and the gateway's); a process carries the union of its domains' entries: one NATS user whose
 * permissions are the union of theirs. Durable consumer names stay per domain, so moving a domain
 * between processes keeps its consumers' positions.
 */
export function manifestForTopology(
  manifest: MessagingManifest,
  topology: Topology,
): MessagingManifest {
  const services: Record<string, ServiceMessaging> = {};
  for (const process of topology.processes) {
    const parts = process.host === GATEWAY_HOST ? [GATEWAY_HOST] : process.domains;
    const entries = parts.map((part) => {
      const entry = manifest.services[part];
      if (entry === undefined) throw new Error(`The messaging manifest has no entry for ${part}`);
      return entry;
    });
    // A process of one domain carries its entry as generated: the default topology's NATS config
    // is exactly the manifest's.
    if (entries.length === 1) {
      services[process.name] = entries[0];
      continue;
    }
    const union = (pick: (entry: ServiceMessaging) => string[]) =>
      [...new Set(entries.flatMap(pick))].sort();
    services[process.name] = {
      domains: union((entry) => entry.domains),
      answers: union((entry) => entry.answers),
      calls: union((entry) => entry.calls),
      publishes: union((entry) => entry.publishes),
      pushes: union((entry) => entry.pushes),
      consumes: entries
        .flatMap((entry) => entry.consumes)
        .sort((a, b) => a.consumer.localeCompare(b.consumer)),
      reads: union((entry) => entry.reads),
      receives: union((entry) => entry.receives),
    };
  }
  return { services, streams: manifest.streams };
}
