import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import { DockerTarget } from '../../components/docker-target';
import { corsOriginsFrom } from '../../components/gateway-config';
import { SwitchboardService } from '../../components/switchboard-service';
import { topologyFrom } from '../../components/platform-config';
import { processWiring } from '../../components/process-wiring';
import { loadTopology, type Topology, type TopologyProcess } from '../../components/topology';
import { gatewayRoutingFor, isPublic, parseServiceStack, platformOutputs } from '../catalogue';

export interface ServiceStackArgs {
  /** Stack name, `<process>-<env>`: decides which process of the topology this program deploys. */
  stack: string;
  /** What the environment runs (the platform stack's topology); `services` when unset. */
  topology?: Topology;
  /** Fully qualified platform stack, e.g. `organization/platform/platform-dev`. */
  platformStack: string;
  /** Commit the image is built from: image tag and `org.opencontainers.image.revision` label. */
  gitSha: string;
  jwtSecret: pulumi.Input<string>;
  /** Repository root, the build context (relative to the program's folder). */
  repoRoot?: string;
  /** Repository to push to (`<registry>/<org>`); unset = build locally, no push. */
  imageRepository?: string;
  replicas?: number;
  memoryMb?: number;
  cpu?: number;
  /**
   * Publish the service's port on the host (first replica). The public service (the gateway) is
   * published at its own port unless this says another; an internal service refuses it.
   */
  hostPort?: number;
  /** The gateway's allowed browser origins (`GATEWAY_CORS_ORIGINS`); refused for another service. */
  corsOrigins?: string[];
  /**
   * The share of traces the process starts that it records (0–1; `OTEL_TRACES_SAMPLER` =
   * `parentbased_traceidratio`): every trace when unset. Tracing every request doubles the CPU of
   * a cheap RPC (docs/observability.md); a trace a caller started follows the caller's decision.
   */
  traceSampleRatio?: number;
  env?: Record<string, string>;
}

export interface ServiceStackOutputs {
  /** The process deployed: its name, host, port and domains. */
  service: TopologyProcess;
  imageName: pulumi.Output<string>;
  instances: pulumi.Output<string[]>;
  endpoint: pulumi.Output<string>;
  component: SwitchboardService;
  image: docker.Image;
}

/**
 * Builds one process's image (its host's, `services/<host>/Dockerfile`) and runs its containers on
 * the platform's network and NATS. Only the public process (the gateway) is published on the
 * host; it reaches the others by their network alias, the process name.
 */
export function defineService(args: ServiceStackArgs): ServiceStackOutputs {
  const topology = args.topology ?? loadTopology();
  const { process, env } = parseServiceStack(args.stack, topology);
  const service = process.name;
  if (!isPublic(process) && args.hostPort !== undefined) {
    throw new Error(
      `${service} is internal: only the gateway is published on the host (remove hostPort from ${args.stack})`,
    );
  }
  const gateway = gatewayRoutingFor(process, topology, args.corsOrigins);
  const platform = new pulumi.StackReference(`${service}-platform`, { name: args.platformStack });
  const wiring = processWiring(process, topology, platform, platformOutputs, {
    traceSampleRatio: args.traceSampleRatio,
  });
  const repoRoot = args.repoRoot ?? '../../..';
  const repository = args.imageRepository ?? 'switchboard';

  const image = new docker.Image(`${service}-image`, {
    imageName: `${repository}/${process.host}:${args.gitSha}`,
    build: {
      context: repoRoot,
      dockerfile: `${repoRoot}/services/${process.host}/Dockerfile`,
      args: { GIT_SHA: args.gitSha },
      platform: 'linux/amd64',
    },
    skipPush: args.imageRepository === undefined,
  });

  const component = new SwitchboardService(service, {
    name: service,
    // The digest when pushed, so a redeploy runs exactly what was built.
    image: args.imageRepository === undefined ? image.imageName : image.repoDigest,
    // The platform's collector unless the stack's own env names another.
    env: wiring.telemetryEnv.apply((telemetry) => ({
      ...telemetry,
      ...args.env,
      ...wiring.env,
      SWITCHBOARD_ENV: env,
      GIT_SHA: args.gitSha,
    })),
    replicas: args.replicas ?? 1,
    resources: { cpu: args.cpu ?? 0.5, memoryMb: args.memoryMb ?? 384 },
    port: process.port,
    healthCheck: { path: '/health/ready' },
    natsUrl: wiring.natsUrl,
    natsCredentials: wiring.natsCredentials,
    databases: wiring.databases,
    gateway,
    jwtSecret: args.jwtSecret,
    target: new DockerTarget({
      network: platform.requireOutput(platformOutputs.networkName) as pulumi.Output<string>,
      hostPort: isPublic(process) ? (args.hostPort ?? process.port) : undefined,
    }),
  });

  return {
    service: process,
    imageName: image.imageName,
    instances: component.instances,
    endpoint: component.endpoint,
    component,
    image,
  };
}

/** Reads the stack's config (secrets with `requireSecret`) and defines the service. */
export function defineServiceFromConfig(): ServiceStackOutputs {
  const config = new pulumi.Config();
  return defineService({
    stack: pulumi.getStack(),
    topology: topologyFrom(config),
    platformStack: config.require('platformStack'),
    gitSha: config.get('gitSha') ?? process.env['GIT_SHA'] ?? 'dev',
    jwtSecret: config.requireSecret('authJwtSecret'),
    imageRepository: config.get('imageRepository'),
    replicas: config.getNumber('replicas'),
    memoryMb: config.getNumber('memoryMb'),
    cpu: config.getNumber('cpu'),
    hostPort: config.getNumber('hostPort'),
    corsOrigins: corsOriginsFrom(config),
    traceSampleRatio: config.getNumber('traceSampleRatio'),
  });
}
