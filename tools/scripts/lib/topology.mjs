// Topologies: which processes run, which host each is, and which domains it carries
// (topologies/<name>.json, described by topologies/topology.schema.json). Plain Node, no
// dependencies: `npm start` reads them before anything is installed.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { DOMAINS, HOSTS } from './services.mjs';

const NAME = /^[a-z][a-z0-9-]{0,30}$/;

export class TopologyError extends Error {
  name = 'TopologyError';
}

/** The topologies in `folder`, by name (`services`, `monolith`, …). */
export function topologyNames(folder) {
  return readdirSync(folder)
    .filter((file) => file.endsWith('.json') && !file.endsWith('.schema.json'))
    .map((file) => file.slice(0, -'.json'.length))
    .sort();
}

/** Reads and validates `<folder>/<name>.json`; throws TopologyError naming every problem. */
export function loadTopology(folder, name) {
  const file = join(folder, `${name}.json`);
  if (!NAME.test(name) || !existsSync(file)) {
    throw new TopologyError(
      `no topology "${name}"; choose from ${topologyNames(folder).join(', ')} (files in topologies/)`,
    );
  }
  let raw;
  try {
    raw = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new TopologyError(`topologies/${name}.json is not JSON: ${error.message}`);
  }
  const problems = validateTopology(raw);
  if (problems.length > 0) {
    throw new TopologyError(
      `topologies/${name}.json is not a valid topology:\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return { name, ...raw };
}

/**
 * Everything wrong with a topology, as `path: problem` lines (none when it is valid): each process
 * names a known host, a free port and the domains the host can carry; every domain is hosted exactly
 * once; exactly one gateway.
 */
export function validateTopology(topology) {
  const problems = [];
  if (typeof topology !== 'object' || topology === null || Array.isArray(topology)) {
    return ['(root): an object with "processes"'];
  }
  for (const key of Object.keys(topology)) {
    if (!['$schema', 'description', 'processes'].includes(key))
      problems.push(`${key}: unknown key`);
  }
  const { processes } = topology;
  if (!Array.isArray(processes) || processes.length === 0) {
    return [...problems, 'processes: a non-empty list'];
  }
  const hostedBy = new Map();
  const names = new Set();
  const ports = new Set();
  processes.forEach((process, index) => {
    const at = `processes[${index}]`;
    if (typeof process !== 'object' || process === null) {
      problems.push(`${at}: an object with name, host, port and domains`);
      return;
    }
    for (const key of Object.keys(process)) {
      if (!['name', 'host', 'port', 'domains'].includes(key))
        problems.push(`${at}.${key}: unknown key`);
    }
    const { name, host, port, domains = [] } = process;
    if (typeof name !== 'string' || !NAME.test(name)) {
      problems.push(`${at}.name: lower-case letters, digits and -, starting with a letter`);
    } else if (names.has(name)) problems.push(`${at}.name: ${name} is used twice`);
    else names.add(name);
    if (!Number.isInteger(port) || port < 1 || port > 65535) {
      problems.push(`${at}.port: a port number (1-65535)`);
    } else if (ports.has(port)) problems.push(`${at}.port: ${port} is used twice`);
    else ports.add(port);
    const carries = HOSTS[host]?.domains;
    if (carries === undefined) {
      problems.push(`${at}.host: one of ${Object.keys(HOSTS).join(', ')} (a folder of services/)`);
      return;
    }
    if (!Array.isArray(domains) || domains.some((domain) => typeof domain !== 'string')) {
      problems.push(`${at}.domains: a list of domain names`);
      return;
    }
    if (host !== 'gateway' && domains.length === 0) {
      problems.push(`${at}.domains: ${host} must host at least one of ${carries.join(', ')}`);
    }
    for (const domain of domains) {
      if (!carries.includes(domain)) {
        problems.push(
          `${at}.domains: ${host} cannot host ${domain}` +
            (carries.length > 0
              ? ` (it carries ${carries.join(', ')})`
              : ' (it carries no domain)'),
        );
      } else if (hostedBy.has(domain)) {
        problems.push(`${at}.domains: ${domain} is already hosted by ${hostedBy.get(domain)}`);
      } else hostedBy.set(domain, name);
    }
  });
  const missing = DOMAINS.filter((domain) => !hostedBy.has(domain));
  if (missing.length > 0) problems.push(`processes: no process hosts ${missing.join(', ')}`);
  const gateways = processes.filter((process) => process?.host === 'gateway').length;
  if (gateways !== 1) problems.push(`processes: exactly one gateway, not ${gateways}`);
  return problems;
}

/** The hosts a topology runs, each once: what `nx build` must produce. */
export function hostsOf(topology) {
  return [...new Set(topology.processes.map((process) => process.host))];
}

/** Which process hosts each domain, as `chat=http://127.0.0.1:3101,…` for the gateway. */
export function gatewayUpstreams(topology, hostname = '127.0.0.1') {
  return topology.processes
    .flatMap((process) =>
      (process.domains ?? []).map((domain) => `${domain}=http://${hostname}:${process.port}`),
    )
    .join(',');
}

/** `chat` → `DATABASE_URL_CHAT`, as the runtime reads a domain's database. */
export function databaseUrlKey(domain) {
  return `DATABASE_URL_${domain.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}
