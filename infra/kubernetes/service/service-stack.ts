import * as pulumi from '@pulumi/pulumi';
import { corsOriginsFrom } from '../../components/gateway-config';
import { KubernetesTarget, type ServiceType } from '../../components/kubernetes-target';
import { assertPinnedImage } from '../../components/pinned-image';
import { topologyFrom } from '../../components/platform-config';
import { processWiring } from '../../components/process-wiring';
import { SwitchboardService } from '../../components/switchboard-service';
import { loadTopology, type Topology, type TopologyProcess } from '../../components/topology';
import { gatewayRoutingFor, isPublic, parseServiceStack } from '../../docker/catalogue';
import { kubernetesPlatformOutputs as outputs } from '../catalogue';

export interface KubernetesServiceStackArgs {
  /** Stack name, `<process>-<env>`: decides which process of the topology this program deploys. */
  stack: string;
  /** What the environment runs (the platform stack's topology); `services` when unset. */
  topology?: Topology;
  /** Fully qualified platform stack, e.g. `organization/platform-k8s/platform-dev`. */
  platformStack: string;
  /**
   * Image to run, built from the process's host (`services/<host>/Dockerfile`): a registry
   * reference with a digest (preferred) or an immutable tag.
   */
  image: string;
  jwtSecret: pulumi.Input<string>;
  /** Minimum pods (the HPA's floor). Default 2. */
  replicas?: number;
  maxReplicas?: number;
  memoryMb?: number;
  cpu?: number;
  cpuUtilization?: number;
  imagePullSecrets?: string[];
  /**
   * Type of its Service. The public service (the gateway) defaults to `LoadBalancer`; `ClusterIP`
   * keeps it inside the cluster (reach it with `kubectl port-forward` or an Ingress). An internal
   * service is always `ClusterIP` and refuses anything else.
   */
  serviceType?: ServiceType;
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

const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'LoadBalancer'];

export interface KubernetesServiceStackOutputs {
  /** The process deployed: its name, host, port and domains. */
  service: TopologyProcess;
  instances: pulumi.Output<string[]>;
  endpoint: pulumi.Output<string>;
  component: SwitchboardService;
}

/**
 * Runs one process of the topology, already built and pushed, in the platform's namespace. No
 * image build here. Only the public process (the gateway) may be exposed outside the cluster; it
 * reaches the others by their Service names, the process names.
 */
export function defineKubernetesService(
  args: KubernetesServiceStackArgs,
): KubernetesServiceStackOutputs {
  const topology = args.topology ?? loadTopology();
  const { process, env } = parseServiceStack(args.stack, topology);
  const service = process.name;
  assertPinnedImage(args.image);
  const serviceType = args.serviceType ?? (isPublic(process) ? 'LoadBalancer' : 'ClusterIP');
  if (!SERVICE_TYPES.includes(serviceType)) {
    throw new Error(`serviceType must be one of ${SERVICE_TYPES.join(', ')}, not "${serviceType}"`);
  }
  if (!isPublic(process) && serviceType !== 'ClusterIP') {
    throw new Error(
      `${service} is internal: only the gateway is exposed outside the cluster (serviceType ClusterIP)`,
    );
  }
  const gateway = gatewayRoutingFor(process, topology, args.corsOrigins);
  const platform = new pulumi.StackReference(`${service}-platform`, { name: args.platformStack });
  const ref = (name: string) => platform.requireOutput(name) as pulumi.Output<string>;
  const wiring = processWiring(process, topology, platform, outputs, {
    traceSampleRatio: args.traceSampleRatio,
  });

  const component = new SwitchboardService(service, {
    name: service,
    image: args.image,
    // The platform's collector unless the stack's own env names another.
    env: wiring.telemetryEnv.apply((telemetry) => ({
      ...telemetry,
      ...args.env,
      ...wiring.env,
      SWITCHBOARD_ENV: env,
    })),
    replicas: args.replicas ?? 2,
    resources: { cpu: args.cpu ?? 0.5, memoryMb: args.memoryMb ?? 384 },
    port: process.port,
    healthCheck: { path: '/health/ready' },
    natsUrl: wiring.natsUrl,
    natsCredentials: wiring.natsCredentials,
    databases: wiring.databases,
    gateway,
    jwtSecret: args.jwtSecret,
    target: new KubernetesTarget({
      namespace: ref(outputs.namespace),
      maxReplicas: args.maxReplicas,
      cpuUtilization: args.cpuUtilization,
      imagePullSecrets: args.imagePullSecrets,
      serviceType,
    }),
  });
  return {
    service: process,
    instances: component.instances,
    endpoint: component.endpoint,
    component,
  };
}

/** Reads the stack's config (the JWT secret with `requireSecret`) and defines the service. */
export function defineKubernetesServiceFromConfig(): KubernetesServiceStackOutputs {
  const config = new pulumi.Config();
  return defineKubernetesService({
    stack: pulumi.getStack(),
    topology: topologyFrom(config),
    platformStack: config.require('platformStack'),
    image: config.require('image'),
    jwtSecret: config.requireSecret('authJwtSecret'),
    replicas: config.getNumber('replicas'),
    maxReplicas: config.getNumber('maxReplicas'),
    memoryMb: config.getNumber('memoryMb'),
    cpu: config.getNumber('cpu'),
    cpuUtilization: config.getNumber('cpuUtilization'),
    imagePullSecrets: config.getObject<string[]>('imagePullSecrets'),
    serviceType: config.get('serviceType') as ServiceType | undefined,
    corsOrigins: corsOriginsFrom(config),
    traceSampleRatio: config.getNumber('traceSampleRatio'),
  });
}
