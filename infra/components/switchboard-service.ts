import * as pulumi from '@pulumi/pulumi';

/** Container health check, the same for every target (Docker HEALTHCHECK, Kubernetes probes). */
export interface HealthCheckArgs {
  /** HTTP path answered 200 when the service is ready, e.g. `/health/ready`. */
  path: pulumi.Input<string>;
  intervalSeconds?: pulumi.Input<number>;
  timeoutSeconds?: pulumi.Input<number>;
  retries?: pulumi.Input<number>;
  /** Grace period for migrations and the first NATS connection. */
  startPeriodSeconds?: pulumi.Input<number>;
}

export interface ResourceArgs {
  /** CPUs (e.g. 0.5). */
  cpu: pulumi.Input<number>;
  /** Hard memory limit in MiB; required: no service runs unbounded. */
  memoryMb: pulumi.Input<number>;
}

export interface NatsCredentialsArgs {
  user: pulumi.Input<string>;
  password: pulumi.Input<string>;
}

/** What only the gateway gets: where the services it routes to are, and its browser origins. */
export interface GatewayRoutingArgs {
  /**
   * Where it routes `/api/<domain>/…`: per domain, the process hosting it and its HTTP port.
   * Rendered as `GATEWAY_UPSTREAMS` (`chat=http://chat:3101,…`, or `chat=http://monolith:3100,…`)
   * from the target's in-network address of each process (`ServiceTarget.addressOf`), so it
   * follows where the target puts them.
   */
  upstreams: Record<string, { process: string; port: pulumi.Input<number> }>;
  /**
   * Browser origins allowed to call the API (`GATEWAY_CORS_ORIGINS`), e.g.
   * `https://app.example.com`, or `*`. Unset or empty: no CORS headers. Plain strings, so a bad
   * origin fails the preview instead of the gateway's boot.
   */
  corsOrigins?: string[];
}

export interface SwitchboardServiceArgs {
  /** Process name (`chat`, `monolith`, `gateway`, …, the topology's). Names every child resource. */
  name: string;
  /** Image reference to run (a digest or an immutable tag). */
  image: pulumi.Input<string>;
  /** Extra environment; the wiring below wins over a key of the same name. */
  env?: pulumi.Input<Record<string, pulumi.Input<string>>>;
  /** Containers / pods. Default 1. */
  replicas?: pulumi.Input<number>;
  resources: ResourceArgs;
  /** HTTP port the service listens on. */
  port: pulumi.Input<number>;
  healthCheck: HealthCheckArgs;
  natsUrl: pulumi.Input<string>;
  natsCredentials: NatsCredentialsArgs;
  /**
   * The database of each domain the process hosts, by domain, passed as `DATABASE_URL_<DOMAIN>`
   * (secrets) — one per domain in every topology. Omitted or empty for the gateway: no database
   * URL, no `DB_MIGRATE`, no migrations step.
   */
  databases?: Record<string, pulumi.Input<string>>;
  /** Set for the gateway only. */
  gateway?: GatewayRoutingArgs;
  /** Signs and verifies access tokens; stored and passed as a secret. */
  jwtSecret: pulumi.Input<string>;
  /** Where it runs: `DockerTarget` (one engine) or `KubernetesTarget` (a cluster). */
  target: ServiceTarget;
}

/** The settings a target deploys, resolved by the component (env wiring included). */
export interface ServiceSpec {
  name: string;
  image: pulumi.Input<string>;
  replicas: pulumi.Input<number>;
  resources: ResourceArgs;
  port: pulumi.Input<number>;
  healthCheck: Required<HealthCheckArgs>;
  /** Whether the service has a database, so migrations to run before it serves. */
  database: boolean;
  /** Everything the process reads, secrets included (as secret outputs). */
  env: pulumi.Output<Record<string, string>>;
  /** Labels every child carries: `switchboard.service=<name>`. */
  labels: Record<string, string>;
}

export interface ServiceTargetOutputs {
  /** What the target created (children of the component). */
  resources: pulumi.Resource[];
  /** Names of what runs (containers, or the Deployment). */
  instances: pulumi.Output<string[]>;
  /** Address other workloads reach the service at, e.g. `http://chat:3101`. */
  endpoint: pulumi.Output<string>;
}

/**
 * Where a service runs. A target creates its resources with `parent` so they belong to the
 * component. `DockerTarget` runs containers on one engine; `KubernetesTarget` runs a Deployment,
 * Service, HPA, PDB and (with a database) a migrations Job in a namespace.
 */
export interface ServiceTarget {
  readonly kind: string;
  deploy(spec: ServiceSpec, parent: pulumi.ComponentResource): ServiceTargetOutputs;
  /**
   * The address at which workloads of this target reach the service `name` deployed by the same
   * kind of target in the same environment — what that service's own `endpoint` is, without
   * needing its stack (e.g. `http://chat:3101`).
   */
  addressOf(name: string, port: pulumi.Input<number>): pulumi.Output<string>;
}

export const SERVICE_LABEL = 'switchboard.service';
export const USER_ID = '1000';

/** One Switchboard service: its env wiring, health check and limits, on any target. */
export class SwitchboardService extends pulumi.ComponentResource {
  readonly instances: pulumi.Output<string[]>;
  readonly endpoint: pulumi.Output<string>;
  /** The target's resources, e.g. the containers. */
  readonly resources: pulumi.Resource[];

  constructor(name: string, args: SwitchboardServiceArgs, opts?: pulumi.ComponentResourceOptions) {
    super('switchboard:index:Service', name, {}, opts);
    const wiring: Record<string, pulumi.Input<string>> = {
      NODE_ENV: 'production',
      PORT: pulumi.output(args.port).apply(String),
      NATS_URL: pulumi.output(args.natsUrl),
      NATS_USER: pulumi.output(args.natsCredentials.user),
      NATS_PASSWORD: pulumi.secret(args.natsCredentials.password),
      AUTH_JWT_SECRET: pulumi.secret(args.jwtSecret),
      // Deployed services never create streams: the platform's stream provisioner does, and each
      // service's NATS user may only read the info of the streams it uses.
      EVENTS_STREAMS: 'verify',
    };
    const databases = Object.entries(args.databases ?? {});
    for (const [domain, url] of databases) wiring[databaseUrlKey(domain)] = pulumi.secret(url);
    if (databases.length > 0) wiring['DB_MIGRATE'] = 'true';
    if (args.gateway !== undefined) {
      const addresses = Object.entries(args.gateway.upstreams).map(([domain, upstream]) =>
        args.target
          .addressOf(upstream.process, upstream.port)
          .apply((address) => [domain, address] as const),
      );
      wiring['GATEWAY_UPSTREAMS'] = pulumi.all(addresses).apply(renderGatewayUpstreams);
      // Deployed gateways route by the stack's generated upstreams: watching the pipeline's
      // `upstreams` KV bucket needs NATS rights the stacks do not grant yet (docs/deploy.md).
      wiring['GATEWAY_UPSTREAMS_BUCKET'] = '';
      const origins = corsOriginsValue(args.gateway.corsOrigins ?? []);
      if (origins !== '') wiring['GATEWAY_CORS_ORIGINS'] = origins;
    }
    const env = pulumi
      .all([pulumi.output(args.env ?? {}), pulumi.all(wiring)])
      .apply(([extra, wired]) => ({ ...extra, ...wired }) as Record<string, string>);
    const spec: ServiceSpec = {
      name: args.name,
      image: args.image,
      replicas: args.replicas ?? 1,
      resources: args.resources,
      port: args.port,
      healthCheck: {
        path: args.healthCheck.path,
        intervalSeconds: args.healthCheck.intervalSeconds ?? 10,
        timeoutSeconds: args.healthCheck.timeoutSeconds ?? 3,
        retries: args.healthCheck.retries ?? 3,
        startPeriodSeconds: args.healthCheck.startPeriodSeconds ?? 30,
      },
      database: databases.length > 0,
      env,
      labels: { [SERVICE_LABEL]: args.name },
    };
    const deployed = args.target.deploy(spec, this);
    this.resources = deployed.resources;
    this.instances = deployed.instances;
    this.endpoint = deployed.endpoint;
    this.registerOutputs({ instances: this.instances, endpoint: this.endpoint });
  }
}

/** `chat` → `DATABASE_URL_CHAT`, the key the runtime reads a domain's database from. */
export function databaseUrlKey(domain: string): string {
  return `DATABASE_URL_${domain.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

const UPSTREAM_NAME = /^[a-z][a-z0-9-]*$/;

/**
 * `GATEWAY_UPSTREAMS` as the gateway parses it: `name=url` per service, comma-separated; replicas
 * of one service would be `|`-separated urls (a target that gives each replica its own address).
 */
export function renderGatewayUpstreams(
  upstreams: readonly (readonly [string, string | readonly string[]])[],
): string {
  if (upstreams.length === 0) throw new Error('The gateway needs at least one upstream');
  return upstreams
    .map(([name, urls]) => {
      const list = typeof urls === 'string' ? [urls] : urls;
      if (!UPSTREAM_NAME.test(name)) throw new Error(`"${name}" is not an upstream name`);
      for (const url of list) {
        if (!/^https?:\/\/[^/\s,|=]+$/.test(url)) {
          throw new Error(`${name}: "${url}" is not http(s)://host:port`);
        }
      }
      return `${name}=${list.join('|')}`;
    })
    .join(',');
}

/** `GATEWAY_CORS_ORIGINS`: the origins comma-separated, each `*` or `http(s)://host[:port]`. */
export function corsOriginsValue(origins: readonly string[]): string {
  const bad = origins.filter((origin) => origin !== '*' && !/^https?:\/\/[^/\s,]+$/.test(origin));
  if (bad.length > 0) {
    throw new Error(
      `corsOrigins: ${bad.map((origin) => `"${origin}"`).join(', ')} must be "*" or an origin such as https://app.example.com (scheme and host, no path)`,
    );
  }
  return origins.join(',');
}
