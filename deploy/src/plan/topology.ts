import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../cli/usage-error';

/**
 * The hosts (folders of services/) a topology runs, from `topologies/<name>.json` — what an
 * environment running that topology deploys — and which of them carries each domain. The files' validity is tested with the scripts that
 * start them (tools/scripts/lib/topology.mjs); here only the hosts matter.
 */
export interface PlannedTopology {
  name: string;
  /** The hosts it runs. */
  hosts: Set<string>;
  /** Which host carries each domain (`chat` → `monolith` in the monolith topology). */
  hostOfDomain: Map<string, string>;
  /** Its processes, each deployed on its own (a `<process>-<env>` stack on a Pulumi target). */
  processes: { name: string; host: string; domains: string[] }[];
}

export function loadPlannedTopology(workspaceRoot: string, name: string): PlannedTopology {
  const folder = join(workspaceRoot, 'topologies');
  const file = join(folder, `${name}.json`);
  if (!/^[a-z][a-z0-9-]*$/.test(name) || !existsSync(file)) {
    const known = existsSync(folder)
      ? readdirSync(folder)
          .filter((entry) => entry.endsWith('.json') && !entry.endsWith('.schema.json'))
          .map((entry) => entry.replace(/\.json$/, ''))
          .sort()
      : [];
    throw new UsageError(`--topology ${name}: no such topology; choose from ${known.join(', ')}`);
  }
  const topology = JSON.parse(readFileSync(file, 'utf8')) as {
    processes: { name: string; host: string; domains?: string[] }[];
  };
  return {
    name,
    processes: topology.processes.map((process) => ({
      name: process.name,
      host: process.host,
      domains: process.domains ?? [],
    })),
    hosts: new Set(topology.processes.map((process) => process.host)),
    hostOfDomain: new Map(
      topology.processes.flatMap((process) =>
        (process.domains ?? []).map((domain): [string, string] => [domain, process.host]),
      ),
    ),
  };
}
