/**
 * The deployable services (docs/architecture.md, "Ports"): their HTTP port, whether they own a
 * database (a Postgres role and database, `DATABASE_URL`, migrations), and whether their port is
 * reachable from outside the platform. The gateway is the one public entry; it routes
 * `/api/<service>/…` to the others, which stay on the platform's network.
 */
export const SERVICES = {
  chat: { port: 3101, database: true, public: false },
  stories: { port: 3102, database: true, public: false },
  calls: { port: 3103, database: true, public: false },
  bots: { port: 3104, database: true, public: false },
  gateway: { port: 3000, database: false, public: true },
} as const;

export type ServiceName = keyof typeof SERVICES;

export function isServiceName(value: string): value is ServiceName {
  return Object.prototype.hasOwnProperty.call(SERVICES, value);
}

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

/** The services that own a database: one Postgres role and database each, migrated at release. */
export const DATABASE_SERVICES = SERVICE_NAMES.filter((service) => SERVICES[service].database);

/** The public entry of the platform. */
export const GATEWAY: ServiceName = 'gateway';

/** The services the gateway routes to (`GATEWAY_UPSTREAMS`): every one that is not public. */
export const UPSTREAM_SERVICES = SERVICE_NAMES.filter((service) => !SERVICES[service].public);

/** Pinned images of the platform; never `latest`. */
export const IMAGES = {
  nats: 'nats:2.10.22-alpine',
  postgres: 'postgres:16.4-bookworm',
} as const;

/** UID the services (`node` in node images) and NATS run as; Postgres runs as its image's 999. */
export const APP_UID = '1000';
export const POSTGRES_UID = '999';

/**
 * Output names of the platform stack, shared by both programs so they cannot drift apart:
 * `natsUrl`, `networkName`, `streamsProvisioned`, per service `<service>NatsUser` and
 * `<service>NatsPassword` (secret), and per service with a database `<service>DatabaseUrl` (secret).
 */
export const platformOutputs = {
  natsUrl: 'natsUrl',
  networkName: 'networkName',
  /** `true` once the stream provisioner has created the streams (services only check them). */
  streamsProvisioned: 'streamsProvisioned',
  natsUser: (service: ServiceName) => `${service}NatsUser`,
  natsPassword: (service: ServiceName) => `${service}NatsPassword`,
  databaseUrl: (service: ServiceName) => `${service}DatabaseUrl`,
};

/** `chat-dev` → `{ service: 'chat', env: 'dev' }`; throws on a stack that names no service. */
export function parseServiceStack(stack: string): { service: ServiceName; env: string } {
  const match = /^([a-z]+)-([a-z0-9-]+)$/.exec(stack);
  const service = match?.[1] ?? '';
  if (!match || !isServiceName(service)) {
    throw new Error(
      `Stack "${stack}" must be named <service>-<env> with service one of ${SERVICE_NAMES.join(', ')}`,
    );
  }
  return { service, env: match[2] };
}

/**
 * The routing the gateway's stack gives it: every upstream at its catalogue port (the target turns
 * name and port into an address) and the browser origins it allows. `undefined` for the other
 * services, which refuse a `corsOrigins` setting rather than ignore it.
 */
export function gatewayRoutingFor(
  service: ServiceName,
  corsOrigins: string[] | undefined,
): { upstreams: Record<string, number>; corsOrigins?: string[] } | undefined {
  if (service !== GATEWAY) {
    if (corsOrigins !== undefined) {
      throw new Error(`corsOrigins is a setting of ${GATEWAY}, not of ${service}`);
    }
    return undefined;
  }
  return {
    upstreams: Object.fromEntries(
      UPSTREAM_SERVICES.map((upstream) => [upstream, SERVICES[upstream].port]),
    ),
    corsOrigins,
  };
}
