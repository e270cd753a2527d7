import * as pulumi from '@pulumi/pulumi';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../../docker/catalogue';
import { isSecretValue, ofType, type RecordedResource, valueOf } from '../../testing/pulumi-mocks';
import {
  AUTONAME_SUFFIX,
  installKubernetesMocks,
  K8S,
  SERVICE_TYPES,
} from '../testing/kubernetes-mocks';
import { defineKubernetesService, defineKubernetesServiceFromConfig } from './service-stack';

const PLATFORM = 'organization/platform-k8s/platform-dev';
const DIGEST = `sha256:${'a'.repeat(64)}`;

function platformOutputsFixture(): Record<string, unknown> {
  const outputs: Record<string, unknown> = {
    natsUrl: 'nats://nats.switchboard-dev.svc.cluster.local:4222',
    namespace: 'switchboard-dev',
  };
  for (const service of SERVICE_NAMES) {
    outputs[`${service}NatsUser`] = service;
    outputs[`${service}NatsPassword`] = `${service}-nats-secret`;
    outputs[`${service}DatabaseUrl`] =
      `postgres://${service}:${service}-db-secret@postgres.switchboard-dev.svc.cluster.local:5432/${service}`;
  }
  return outputs;
}

interface Container {
  image: string;
  env: { name: string; value: string }[];
  envFrom: { secretRef: { name: string } }[];
  resources: { requests: Record<string, string>; limits: Record<string, string> };
  securityContext: Record<string, unknown>;
  readinessProbe?: { httpGet: { path: string; port: number } };
  livenessProbe?: { httpGet: { path: string; port: number } };
}

function containersOf(resource: RecordedResource): Container[] {
  return (resource.inputs['spec'] as { template: { spec: { containers: Container[] } } }).template
    .spec.containers;
}

async function deploy(service: ServiceName) {
  const recorded = installKubernetesMocks({
    project: 'service-k8s',
    stack: `${service}-dev`,
    stackOutputs: { [PLATFORM]: platformOutputsFixture() },
  });
  const outputs = defineKubernetesService({
    stack: `${service}-dev`,
    platformStack: PLATFORM,
    image: `acme/switchboard/${service}@${DIGEST}`,
    jwtSecret: pulumi.secret('jwt-secret'),
  });
  await valueOf(outputs.instances);
  await valueOf(outputs.endpoint);
  return { recorded, outputs };
}

describe.each(SERVICE_NAMES)('kubernetes service stack %s-dev', (service) => {
  let recorded: RecordedResource[];
  const only = (type: string) => {
    const found = ofType(recorded, type);
    expect(found).toHaveLength(1);
    return found[0];
  };

  beforeAll(async () => {
    ({ recorded } = await deploy(service));
  });

  it('creates exactly one Secret, Job, Deployment, Service, HPA and PDB, and nothing else', () => {
    for (const type of SERVICE_TYPES) only(type);
    const created = recorded.filter(
      (resource) =>
        resource.type !== 'pulumi:pulumi:StackReference' &&
        resource.type !== 'switchboard:index:Service',
    );
    expect(created.map((resource) => resource.type).sort()).toEqual([...SERVICE_TYPES].sort());
  });

  it('wires the env from the platform outputs into its Secret, kept secret', () => {
    const secret = only(K8S.secret);
    expect(isSecretValue(secret.rawInputs['stringData'])).toBe(true);
    expect(secret.inputs['stringData']).toMatchObject({
      NATS_URL: 'nats://nats.switchboard-dev.svc.cluster.local:4222',
      NATS_USER: service,
      NATS_PASSWORD: `${service}-nats-secret`,
      DATABASE_URL: `postgres://${service}:${service}-db-secret@postgres.switchboard-dev.svc.cluster.local:5432/${service}`,
      AUTH_JWT_SECRET: 'jwt-secret',
      PORT: String(SERVICES[service].port),
      SWITCHBOARD_ENV: 'dev',
      // The platform's provisioner creates the streams; the service only checks them.
      EVENTS_STREAMS: 'verify',
    });
    expect(secret.inputs['stringData']).not.toHaveProperty('EVENTS_STREAM_REPLICAS');
    for (const type of SERVICE_TYPES) {
      expect((only(type).inputs['metadata'] as { namespace: string }).namespace).toBe(
        'switchboard-dev',
      );
    }
  });

  it('runs the given image from the Secret, probes on /health/ready and /health/live', () => {
    const port = SERVICES[service].port;
    const [container] = containersOf(only(K8S.deployment));
    expect(container.image).toBe(`acme/switchboard/${service}@${DIGEST}`);
    expect(container.envFrom).toEqual([
      { secretRef: { name: `${service}-env-${AUTONAME_SUFFIX}` } },
    ]);
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port });
    expect(container.livenessProbe?.httpGet).toEqual({ path: '/health/live', port });
    expect(only(K8S.service).inputs['spec']).toMatchObject({ ports: [{ port }] });
  });

  it('sets requests and limits, runs non-root and without privilege escalation', () => {
    for (const type of [K8S.deployment, K8S.job]) {
      for (const container of containersOf(only(type))) {
        expect(container.resources.requests).toEqual({ cpu: '500m', memory: '384Mi' });
        expect(container.resources.limits).toEqual({ cpu: '500m', memory: '384Mi' });
        expect(container.securityContext).toMatchObject({
          runAsNonRoot: true,
          runAsUser: 1000,
          allowPrivilegeEscalation: false,
          privileged: false,
          readOnlyRootFilesystem: true,
        });
      }
    }
  });

  it('migrates in the Job (main.js --migrate), serves with DB_MIGRATE=false', () => {
    const [migrate] = containersOf(only(K8S.job)) as { command?: string[] }[];
    expect(migrate.command).toEqual(['node', 'main.js', '--migrate']);
    expect(containersOf(only(K8S.deployment))[0].env).toEqual([
      { name: 'DB_MIGRATE', value: 'false' },
    ]);
  });

  it('creates nothing named for, or mentioning, another service', () => {
    const others = SERVICE_NAMES.filter((other) => other !== service);
    for (const resource of recorded) {
      // The platform reference carries every service's outputs; it creates nothing.
      if (resource.type === 'pulumi:pulumi:StackReference') continue;
      const text = JSON.stringify({ name: resource.name, inputs: resource.inputs });
      for (const other of others) {
        expect({ resource: resource.name, mentions: text.includes(other) }).toEqual({
          resource: resource.name,
          mentions: false,
        });
      }
      if (resource.type !== 'switchboard:index:Service') {
        expect(resource.name.startsWith(`${service}-`)).toBe(true);
        const labels = (resource.inputs['metadata'] as { labels: Record<string, string> }).labels;
        expect(labels['app.kubernetes.io/name']).toBe(service);
      }
    }
  });
});

describe('kubernetes service stack details', () => {
  it('refuses a stack name that names no service', () => {
    installKubernetesMocks({ project: 'service-k8s', stack: 'gateway-dev' });
    expect(() =>
      defineKubernetesService({
        stack: 'gateway-dev',
        platformStack: PLATFORM,
        image: 'r/x:1',
        jwtSecret: 'j',
      }),
    ).toThrow('Stack "gateway-dev" must be named <service>-<env>');
  });

  it('reads its settings from config and requires the image and the JWT secret', async () => {
    const recorded = installKubernetesMocks({
      project: 'service-k8s',
      stack: 'bots-dev',
      stackOutputs: { [PLATFORM]: platformOutputsFixture() },
    });
    pulumi.runtime.setConfig('service-k8s:platformStack', PLATFORM);
    expect(() => defineKubernetesServiceFromConfig()).toThrow(/image/);
    pulumi.runtime.setConfig('service-k8s:image', 'acme/sb/bots:2.0.1');
    expect(() => defineKubernetesServiceFromConfig()).toThrow(/authJwtSecret/);
    pulumi.runtime.setConfig('service-k8s:authJwtSecret', 'from-config');
    pulumi.runtime.setConfig('service-k8s:replicas', '3');
    pulumi.runtime.setConfig('service-k8s:memoryMb', '512');
    const outputs = defineKubernetesServiceFromConfig();
    await valueOf(outputs.instances);
    expect(outputs.service).toBe('bots');
    const [deployment] = ofType(recorded, K8S.deployment);
    expect(deployment.inputs['spec']).toMatchObject({ replicas: 3 });
    expect(containersOf(deployment)[0]).toMatchObject({
      image: 'acme/sb/bots:2.0.1',
      resources: { limits: { memory: '512Mi' } },
    });
    expect(await valueOf(outputs.endpoint)).toBe(
      'http://bots.switchboard-dev.svc.cluster.local:3104',
    );
  });
});
