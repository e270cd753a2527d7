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

export interface SwitchboardServiceArgs {
  /** Service name: `chat`, `stories`, `calls`, `bots`. Names every child resource. */
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
  /** `url` is stored and passed as a secret. */
  database: { url: pulumi.Input<string> };
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
 * Service, HPA, PDB and a migrations Job in a namespace.
 */
export interface ServiceTarget {
  readonly kind: string;
  deploy(spec: ServiceSpec, parent: pulumi.ComponentResource): ServiceTargetOutputs;
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
    const wiring = {
      NODE_ENV: 'production',
      PORT: pulumi.output(args.port).apply(String),
      NATS_URL: pulumi.output(args.natsUrl),
      NATS_USER: pulumi.output(args.natsCredentials.user),
      NATS_PASSWORD: pulumi.secret(args.natsCredentials.password),
      DATABASE_URL: pulumi.secret(args.database.url),
      AUTH_JWT_SECRET: pulumi.secret(args.jwtSecret),
      DB_MIGRATE: 'true',
      // Deployed services never create streams: the platform's stream provisioner does, and each
      // service's NATS user may only read the info of the streams it uses.
      EVENTS_STREAMS: 'verify',
    };
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
