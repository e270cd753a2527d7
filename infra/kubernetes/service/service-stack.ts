import * as pulumi from '@pulumi/pulumi';
import { corsOriginsFrom } from '../../components/gateway-config';
import { KubernetesTarget, type ServiceType } from '../../components/kubernetes-target';
import { assertPinnedImage } from '../../components/pinned-image';
import { SwitchboardService } from '../../components/switchboard-service';
import {
  GATEWAY,
  gatewayRoutingFor,
  parseServiceStack,
  SERVICES,
  type ServiceName,
} from '../../docker/catalogue';
import { kubernetesPlatformOutputs as outputs } from '../catalogue';

export interface KubernetesServiceStackArgs {
  /** Stack name, `<service>-<env>`: decides which service this program deploys. */
  stack: string;
  /** Fully qualified platform stack, e.g. `organization/platform-k8s/platform-dev`. */
  platformStack: string;
  /** Image to run: a registry reference with a digest (preferred) or an immutable tag. */
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
  env?: Record<string, string>;
}

const SERVICE_TYPES: readonly ServiceType[] = ['ClusterIP', 'LoadBalancer'];

export interface KubernetesServiceStackOutputs {
  service: ServiceName;
  instances: pulumi.Output<string[]>;
  endpoint: pulumi.Output<string>;
  component: SwitchboardService;
}

/**
 * Runs one service, already built and pushed, in the platform's namespace. No image build here.
 * Only the public service (the gateway) may be exposed outside the cluster; it reaches the others
 * by their Service names.
 */
export function defineKubernetesService(
  args: KubernetesServiceStackArgs,
): KubernetesServiceStackOutputs {
  const { service, env } = parseServiceStack(args.stack);
  const { port, database, public: isPublic } = SERVICES[service];
  assertPinnedImage(args.image);
  const serviceType = args.serviceType ?? (isPublic ? 'LoadBalancer' : 'ClusterIP');
  if (!SERVICE_TYPES.includes(serviceType)) {
    throw new Error(`serviceType must be one of ${SERVICE_TYPES.join(', ')}, not "${serviceType}"`);
  }
  if (!isPublic && serviceType !== 'ClusterIP') {
    throw new Error(
      `${service} is internal: only ${GATEWAY} is exposed outside the cluster (serviceType ClusterIP)`,
    );
  }
  const gateway = gatewayRoutingFor(service, args.corsOrigins);
  const platform = new pulumi.StackReference(`${service}-platform`, { name: args.platformStack });
  const ref = (name: string) => platform.requireOutput(name) as pulumi.Output<string>;

  const component = new SwitchboardService(service, {
    name: service,
    image: args.image,
    env: { ...args.env, SWITCHBOARD_ENV: env },
    replicas: args.replicas ?? 2,
    resources: { cpu: args.cpu ?? 0.5, memoryMb: args.memoryMb ?? 384 },
    port,
    healthCheck: { path: '/health/ready' },
    natsUrl: ref(outputs.natsUrl),
    natsCredentials: {
      user: ref(outputs.natsUser(service)),
      password: ref(outputs.natsPassword(service)),
    },
    database: database ? { url: ref(outputs.databaseUrl(service)) } : undefined,
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
    service,
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
  });
}
