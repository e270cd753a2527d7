import {
  GATEWAY_HOST,
  processOf,
  type Topology,
  type TopologyProcess,
} from '../components/topology';

// What runs, and on which port, is the topology's (topologies/<name>.json): every domain hosted
// by one process, and the gateway, the one public entry, routing `/api/<domain>/…` to the process
// hosting the domain; the others stay on the platform's network. Each domain owns a database — a
// Postgres role and database, `DATABASE_URL_<DOMAIN>`, its migrations — in every topology, so
// extracting a domain never needs a data split.

/** Whether `process` is the platform's public entry (published on the host, no database). */
export function isPublic(process: TopologyProcess): boolean {
  return process.host === GATEWAY_HOST;
}

/** Pinned images of the platform; never `latest`. */
export const IMAGES = {
  nats: 'nats:2.10.22-alpine',
  postgres: 'postgres:16.4-bookworm',
  // Observability (infra/observability): the configs are written for these versions — the
  // collector's `service.telemetry.metrics.address`, Jaeger v1's environment. Bump deliberately.
  otelCollector: 'otel/opentelemetry-collector-contrib:0.111.0',
  prometheus: 'prom/prometheus:v2.55.1',
  grafana: 'grafana/grafana:11.3.0',
  jaeger: 'jaegertracing/all-in-one:1.62.0',
} as const;

/**
 * UIDs the observability images run as (their own `USER`): Prometheus is `nobody`, Grafana
 * `grafana`, the collector and Jaeger 10001. Given explicitly so no container runs as root.
 */
export const OBSERVABILITY_UIDS = {
  otelCollector: 10001,
  prometheus: 65534,
  grafana: 472,
  jaeger: 10001,
} as const;

/** UID the services (`node` in node images) and NATS run as; Postgres runs as its image's 999. */
export const APP_UID = '1000';
export const POSTGRES_UID = '999';

/**
 * Output names of the platform stack, shared by both programs so they cannot drift apart:
 * `natsUrl`, `networkName`, `streamsProvisioned`, `topology` (the name of the topology it was set
 * up for), per process `<process>NatsUser` and `<process>NatsPassword` (secret), and per domain
 * `<domain>DatabaseUrl` (secret); with observability on, `otlpEndpoint`, `grafanaUrl`,
 * `prometheusUrl` and `jaegerUrl`.
 */
export const platformOutputs = {
  natsUrl: 'natsUrl',
  networkName: 'networkName',
  /** `true` once the stream provisioner has created the streams (services only check them). */
  streamsProvisioned: 'streamsProvisioned',
  topology: 'topology',
  /** The collector's OTLP/HTTP endpoint, the services' `OTEL_EXPORTER_OTLP_ENDPOINT`. */
  otlpEndpoint: 'otlpEndpoint',
  grafanaUrl: 'grafanaUrl',
  prometheusUrl: 'prometheusUrl',
  jaegerUrl: 'jaegerUrl',
  natsUser: (process: string) => `${process}NatsUser`,
  natsPassword: (process: string) => `${process}NatsPassword`,
  databaseUrl: (domain: string) => `${domain}DatabaseUrl`,
};

/**
 * `chat-dev` → the topology's process `chat` and env `dev`; `chat-bots-staging` → `chat-bots`.
 * Throws on a stack that names no process of the topology.
 */
export function parseServiceStack(
  stack: string,
  topology: Topology,
): { process: TopologyProcess; env: string } {
  // The longest process name that prefixes the stack: process names may contain dashes.
  const candidates = topology.processes
    .filter((process) => stack.startsWith(`${process.name}-`))
    .sort((a, b) => b.name.length - a.name.length);
  const process = candidates[0];
  const env = process === undefined ? '' : stack.slice(process.name.length + 1);
  if (process === undefined || !/^[a-z0-9][a-z0-9-]*$/.test(env)) {
    throw new Error(
      `Stack "${stack}" must be named <process>-<env> with process one of ${topology.processes.map((p) => p.name).join(', ')} (topology ${topology.name})`,
    );
  }
  return { process: processOf(topology, process.name), env };
}

/** Where the gateway sends one domain's requests: the process hosting it, at its port. */
export interface Upstream {
  process: string;
  port: number;
}

/**
 * The routing the gateway's stack gives it: each domain at the process that hosts it in the
 * topology (the target turns process and port into an address), and the browser origins it allows.
 * `undefined` for the other processes, which refuse a `corsOrigins` setting rather than ignore it.
 */
export function gatewayRoutingFor(
  process: TopologyProcess,
  topology: Topology,
  corsOrigins: string[] | undefined,
): { upstreams: Record<string, Upstream>; corsOrigins?: string[] } | undefined {
  if (!isPublic(process)) {
    if (corsOrigins !== undefined) {
      throw new Error(`corsOrigins is a setting of ${GATEWAY_HOST}, not of ${process.name}`);
    }
    return undefined;
  }
  return {
    upstreams: Object.fromEntries(
      topology.processes.flatMap((host) =>
        host.domains.map((domain) => [domain, { process: host.name, port: host.port }]),
      ),
    ),
    corsOrigins,
  };
}
