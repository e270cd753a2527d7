/** The deployable services and their HTTP ports (docs/architecture.md, "Ports"). */
export const SERVICES = {
  chat: { port: 3101 },
  stories: { port: 3102 },
  calls: { port: 3103 },
  bots: { port: 3104 },
} as const;

export type ServiceName = keyof typeof SERVICES;

export function isServiceName(value: string): value is ServiceName {
  return Object.prototype.hasOwnProperty.call(SERVICES, value);
}

export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

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
 * `natsUrl`, `networkName`, `streamsProvisioned`, and per service `<service>NatsUser`, `<service>NatsPassword` (secret),
 * `<service>DatabaseUrl` (secret).
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
