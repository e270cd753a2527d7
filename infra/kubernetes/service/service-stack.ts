import * as pulumi from '@pulumi/pulumi';
import { KubernetesTarget } from '../../components/kubernetes-target';
import { assertPinnedImage } from '../../components/pinned-image';
import { SwitchboardService } from '../../components/switchboard-service';
import { parseServiceStack, SERVICES, type ServiceName } from '../../docker/catalogue';
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
  env?: Record<string, string>;
}

export interface KubernetesServiceStackOutputs {
  service: ServiceName;
  instances: pulumi.Output<string[]>;
  endpoint: pulumi.Output<string>;
  component: SwitchboardService;
}

/** Runs one service, already built and pushed, in the platform's namespace. No image build here. */
export function defineKubernetesService(
  args: KubernetesServiceStackArgs,
): KubernetesServiceStackOutputs {
  const { service, env } = parseServiceStack(args.stack);
  assertPinnedImage(args.image);
  const platform = new pulumi.StackReference(`${service}-platform`, { name: args.platformStack });
  const ref = (name: string) => platform.requireOutput(name) as pulumi.Output<string>;

  const component = new SwitchboardService(service, {
    name: service,
    image: args.image,
    env: { ...args.env, SWITCHBOARD_ENV: env },
    replicas: args.replicas ?? 2,
    resources: { cpu: args.cpu ?? 0.5, memoryMb: args.memoryMb ?? 384 },
    port: SERVICES[service].port,
    healthCheck: { path: '/health/ready' },
    natsUrl: ref(outputs.natsUrl),
    natsCredentials: {
      user: ref(outputs.natsUser(service)),
      password: ref(outputs.natsPassword(service)),
    },
    database: { url: ref(outputs.databaseUrl(service)) },
    jwtSecret: args.jwtSecret,
    target: new KubernetesTarget({
      namespace: ref(outputs.namespace),
      maxReplicas: args.maxReplicas,
      cpuUtilization: args.cpuUtilization,
      imagePullSecrets: args.imagePullSecrets,
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
  });
}
