import * as pulumi from '@pulumi/pulumi';
import {
  AUTONAME_SUFFIX,
  installKubernetesMocks,
  K8S,
  SERVICE_TYPES,
} from '../kubernetes/testing/kubernetes-mocks';
import { isSecretValue, ofType, type RecordedResource, valueOf } from '../testing/pulumi-mocks';
import { KubernetesTarget, MIGRATE_COMMAND } from './kubernetes-target';
import { SwitchboardService } from './switchboard-service';

interface Container {
  name: string;
  image: string;
  command?: string[];
  env?: { name: string; value: string }[];
  envFrom?: { secretRef: { name: string } }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  readinessProbe?: { httpGet: { path: string; port: number } };
  livenessProbe?: { httpGet: { path: string; port: number } };
}

interface PodSpec {
  containers: Container[];
  securityContext: Record<string, unknown>;
  terminationGracePeriodSeconds?: number;
  restartPolicy?: string;
}

function podOf(resource: RecordedResource): PodSpec {
  const spec = resource.inputs['spec'] as { template: { spec: PodSpec } };
  return spec.template.spec;
}

async function deployChat(replicas = 2) {
  const recorded = installKubernetesMocks({ project: 'service', stack: 'chat-dev' });
  const options = new Map<string, pulumi.ResourceOptions>();
  const component = new SwitchboardService(
    'chat',
    {
      name: 'chat',
      image: 'acme/switchboard/chat@sha256:abc',
      replicas,
      resources: { cpu: 0.5, memoryMb: 384 },
      port: 3101,
      healthCheck: { path: '/health/ready' },
      natsUrl: 'nats://nats.switchboard-dev:4222',
      natsCredentials: { user: 'chat', password: pulumi.secret('nats-pw') },
      databases: { chat: pulumi.secret('postgres://chat:db-pw@postgres:5432/chat') },
      jwtSecret: pulumi.secret('jwt'),
      target: new KubernetesTarget({ namespace: 'switchboard-dev' }),
    },
    {
      // Records the options every child is created with (dependsOn included).
      transformations: [
        (args) => {
          options.set(args.name, args.opts);
          return undefined;
        },
      ],
    },
  );
  await valueOf(component.instances);
  await valueOf(component.endpoint);
  return { recorded, component, options };
}

describe('KubernetesTarget', () => {
  let recorded: RecordedResource[];
  let component: SwitchboardService;
  let options: Map<string, pulumi.ResourceOptions>;

  beforeAll(async () => {
    ({ recorded, component, options } = await deployChat());
  });

  const only = (type: string) => {
    const found = ofType(recorded, type);
    expect(found).toHaveLength(1);
    return found[0];
  };

  it('creates exactly one Secret, Job, Deployment, Service, HPA and PDB', () => {
    for (const type of SERVICE_TYPES) only(type);
    const children = recorded.filter((resource) => resource.type !== 'switchboard:index:Service');
    expect(children).toHaveLength(SERVICE_TYPES.length);
  });

  it('puts everything in the stack namespace, labelled with the service name', () => {
    for (const type of SERVICE_TYPES) {
      const metadata = only(type).inputs['metadata'] as {
        namespace: string;
        labels: Record<string, string>;
      };
      expect(metadata.namespace).toBe('switchboard-dev');
      expect(metadata.labels).toMatchObject({
        'app.kubernetes.io/name': 'chat',
        'switchboard.service': 'chat',
      });
    }
  });

  it('stores the whole env in the Secret, as a secret', () => {
    const secret = only(K8S.secret);
    expect(isSecretValue(secret.rawInputs['stringData'])).toBe(true);
    expect(secret.inputs['stringData']).toMatchObject({
      NATS_URL: 'nats://nats.switchboard-dev:4222',
      NATS_USER: 'chat',
      NATS_PASSWORD: 'nats-pw',
      DATABASE_URL_CHAT: 'postgres://chat:db-pw@postgres:5432/chat',
      AUTH_JWT_SECRET: 'jwt',
      PORT: '3101',
    });
  });

  it('serves with DB_MIGRATE=false, env from the Secret, probes on ready and live', () => {
    const pod = podOf(only(K8S.deployment));
    expect(pod.containers).toHaveLength(1);
    const [container] = pod.containers;
    expect(container.image).toBe('acme/switchboard/chat@sha256:abc');
    expect(container.envFrom).toEqual([{ secretRef: { name: `chat-env-${AUTONAME_SUFFIX}` } }]);
    expect(container.env).toEqual([{ name: 'DB_MIGRATE', value: 'false' }]);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 3101 });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port: 3101 });
    expect((only(K8S.deployment).inputs['spec'] as { replicas: number }).replicas).toBe(2);
  });

  it('outlasts the service’s 15 s shutdown before SIGKILL', () => {
    expect(podOf(only(K8S.deployment)).terminationGracePeriodSeconds).toBeGreaterThan(15);
  });

  it('runs every container non-root, read-only, without privilege escalation, with limits', () => {
    for (const resource of [only(K8S.deployment), only(K8S.job)]) {
      const pod = podOf(resource);
      expect(pod.securityContext).toMatchObject({ runAsNonRoot: true, runAsUser: 1000 });
      for (const container of pod.containers) {
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 1000,
          readOnlyRootFilesystem: true,
          allowPrivilegeEscalation: false,
          privileged: false,
          capabilities: { drop: ['ALL'] },
        });
        expect(container.resources).toEqual({
          requests: { cpu: '500m', memory: '384Mi' },
          limits: { cpu: '500m', memory: '384Mi' },
        });
      }
    }
  });

  it('migrates in a Job that exits, and the Deployment waits for it', async () => {
    const job = only(K8S.job);
    const pod = podOf(job);
    expect(pod.restartPolicy).toBe('Never');
    const [container] = pod.containers;
    expect(container.image).toBe('acme/switchboard/chat@sha256:abc');
    expect(container.command).toEqual(['node', 'main.js', '--migrate']);
    expect(MIGRATE_COMMAND).toEqual(['node', 'main.js', '--migrate']);
    expect(container.envFrom).toEqual([{ secretRef: { name: `chat-env-${AUTONAME_SUFFIX}` } }]);
    const dependsOn = options.get('chat-deployment')?.dependsOn as pulumi.Resource[];
    const dependencyUrns = await Promise.all(dependsOn.map((resource) => valueOf(resource.urn)));
    expect(dependencyUrns).toEqual([
      expect.stringMatching(/kubernetes:batch\/v1:Job::chat-migrations$/),
    ]);
  });

  it('selects only the serving pods, never the migrations pod', () => {
    const selector = { 'app.kubernetes.io/name': 'chat', 'app.kubernetes.io/component': 'server' };
    const jobLabels = (only(K8S.job).inputs['metadata'] as { labels: Record<string, string> })
      .labels;
    expect(jobLabels['app.kubernetes.io/component']).toBe('migrations');
    expect((only(K8S.service).inputs['spec'] as { selector: unknown }).selector).toEqual(selector);
    expect(
      (only(K8S.pdb).inputs['spec'] as { selector: { matchLabels: unknown } }).selector.matchLabels,
    ).toEqual(selector);
    expect(
      (only(K8S.deployment).inputs['spec'] as { selector: { matchLabels: unknown } }).selector
        .matchLabels,
    ).toEqual(selector);
  });

  it('exposes a ClusterIP Service, a CPU HPA (autoscaling/v2) and a PDB', async () => {
    expect(only(K8S.service).inputs['spec']).toMatchObject({
      type: 'ClusterIP',
      ports: [{ port: 3101, targetPort: 'http' }],
    });
    expect(only(K8S.hpa).inputs['spec']).toMatchObject({
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: 'chat' },
      minReplicas: 2,
      maxReplicas: 6,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: 70 } },
        },
      ],
    });
    expect(only(K8S.pdb).inputs['spec']).toMatchObject({ maxUnavailable: 1 });
    expect(await valueOf(component.endpoint)).toBe(
      'http://chat.switchboard-dev.svc.cluster.local:3101',
    );
    expect(await valueOf(component.instances)).toEqual(['chat']);
  });

  it('parents every child to the service component', async () => {
    const urns = await Promise.all(component.resources.map((resource) => valueOf(resource.urn)));
    expect(urns).toHaveLength(6);
    for (const urn of urns) expect(urn).toMatch(/switchboard:index:Service\$kubernetes:/);
  });
});

describe('KubernetesTarget for a service without a database, exposed outside the cluster', () => {
  let recorded: RecordedResource[];
  let component: SwitchboardService;
  let options: Map<string, pulumi.ResourceOptions>;

  beforeAll(async () => {
    recorded = installKubernetesMocks({ project: 'service', stack: 'gateway-dev' });
    options = new Map();
    const target = new KubernetesTarget({
      namespace: 'switchboard-dev',
      serviceType: 'LoadBalancer',
    });
    component = new SwitchboardService(
      'gateway',
      {
        name: 'gateway',
        image: 'acme/switchboard/gateway@sha256:abc',
        resources: { cpu: 0.5, memoryMb: 384 },
        port: 3000,
        healthCheck: { path: '/health/ready' },
        natsUrl: 'nats://nats.switchboard-dev:4222',
        natsCredentials: { user: 'gateway', password: pulumi.secret('nats-pw') },
        gateway: {
          upstreams: {
            chat: { process: 'chat', port: 3101 },
            bots: { process: 'bots', port: 3104 },
          },
          corsOrigins: ['*'],
        },
        jwtSecret: pulumi.secret('jwt'),
        target,
      },
      {
        transformations: [
          (args) => {
            options.set(args.name, args.opts);
            return undefined;
          },
        ],
      },
    );
    await valueOf(component.instances);
    await valueOf(component.endpoint);
  });

  it('creates no migrations Job and does not wait for one', () => {
    expect(ofType(recorded, K8S.job)).toEqual([]);
    expect(options.get('gateway-deployment')?.dependsOn).toEqual([]);
    expect(podOf(ofType(recorded, K8S.deployment)[0]).containers[0].env).toEqual([]);
    expect(component.resources).toHaveLength(SERVICE_TYPES.length - 1);
  });

  it('puts no database key in the env, and the upstreams at their Service addresses', () => {
    const [secret] = ofType(recorded, K8S.secret);
    const env = secret.inputs['stringData'] as Record<string, string>;
    expect(env).not.toHaveProperty('DATABASE_URL');
    expect(env).not.toHaveProperty('DB_MIGRATE');
    expect(env).toMatchObject({
      GATEWAY_UPSTREAMS:
        'chat=http://chat.switchboard-dev.svc.cluster.local:3101,bots=http://bots.switchboard-dev.svc.cluster.local:3104',
      GATEWAY_CORS_ORIGINS: '*',
      EVENTS_STREAMS: 'verify',
    });
  });

  it('exposes a LoadBalancer Service that keeps the client address', () => {
    expect(ofType(recorded, K8S.service)[0].inputs['spec']).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [{ port: 3000, targetPort: 'http' }],
    });
  });
});
