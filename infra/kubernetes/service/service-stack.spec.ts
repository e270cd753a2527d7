import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { processOf, type Topology, type TopologyProcess } from '../../components/topology';
import {
  DOMAIN_NAMES as DATABASE_SERVICES,
  MONOLITH_TOPOLOGY,
  ORIGINAL_DOMAINS,
  portOf,
  SERVICE_NAMES,
  SERVICES_TOPOLOGY,
  upstreamEntriesOf,
} from '../../testing/topologies';
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

type ServiceName = string;
const UPSTREAM_SERVICES = DATABASE_SERVICES;

/** A process's address in the cluster: its Service's DNS name in the env's namespace, at its port. */
const serviceDns = (process: TopologyProcess) =>
  `http://${process.name}.switchboard-dev.svc.cluster.local:${process.port}`;

function platformOutputsFixture(topology?: Topology): Record<string, unknown> {
  const outputs: Record<string, unknown> = {
    natsUrl: 'nats://nats.switchboard-dev.svc.cluster.local:4222',
    namespace: 'switchboard-dev',
  };
  if (topology !== undefined) outputs['topology'] = topology.name;
  for (const service of topology?.processes.map((process) => process.name) ?? SERVICE_NAMES) {
    outputs[`${service}NatsUser`] = service;
    outputs[`${service}NatsPassword`] = `${service}-nats-secret`;
  }
  // As the platform exports them: none for the gateway, which has no database.
  for (const service of DATABASE_SERVICES) {
    outputs[`${service}DatabaseUrl`] =
      `postgres://${service}:${service}-db-secret@postgres.switchboard-dev.svc.cluster.local:5432/${service}`;
  }
  return outputs;
}

interface Container {
  image: string;
  command?: string[];
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

/** What the stack creates: without a database, no migrations Job. */
function typesOf(service: ServiceName): string[] {
  return service !== 'gateway' ? SERVICE_TYPES : SERVICE_TYPES.filter((t) => t !== K8S.job);
}

async function deploy(
  service: ServiceName,
  extra: {
    serviceType?: 'ClusterIP' | 'LoadBalancer';
    corsOrigins?: string[];
    topology?: Topology;
  } = {},
) {
  const recorded = installKubernetesMocks({
    project: 'service-k8s',
    stack: `${service}-dev`,
    stackOutputs: { [PLATFORM]: platformOutputsFixture(extra.topology) },
  });
  const outputs = defineKubernetesService({
    stack: `${service}-dev`,
    platformStack: PLATFORM,
    image: `acme/switchboard/${service}@${DIGEST}`,
    jwtSecret: pulumi.secret('jwt-secret'),
    ...extra,
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

  it('creates exactly one Secret, Deployment, Service, HPA and PDB (and Job with a database), and nothing else', () => {
    for (const type of typesOf(service)) only(type);
    const created = recorded.filter(
      (resource) =>
        resource.type !== 'pulumi:pulumi:StackReference' &&
        resource.type !== 'switchboard:index:Service',
    );
    expect(created.map((resource) => resource.type).sort()).toEqual([...typesOf(service)].sort());
  });

  it('wires the env from the platform outputs into its Secret, kept secret', () => {
    const secret = only(K8S.secret);
    expect(isSecretValue(secret.rawInputs['stringData'])).toBe(true);
    expect(secret.inputs['stringData']).toMatchObject({
      NATS_URL: 'nats://nats.switchboard-dev.svc.cluster.local:4222',
      NATS_USER: service,
      NATS_PASSWORD: `${service}-nats-secret`,
      AUTH_JWT_SECRET: 'jwt-secret',
      PORT: String(portOf(service)),
      SWITCHBOARD_ENV: 'dev',
      // The platform's provisioner creates the streams; the service only checks them.
      EVENTS_STREAMS: 'verify',
    });
    expect(secret.inputs['stringData']).not.toHaveProperty('EVENTS_STREAM_REPLICAS');
    for (const type of typesOf(service)) {
      expect((only(type).inputs['metadata'] as { namespace: string }).namespace).toBe(
        'switchboard-dev',
      );
    }
  });

  it('runs the given image from the Secret, probes on /health/ready and /health/live', () => {
    const port = portOf(service);
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
    for (const type of typesOf(service).filter((t) => t === K8S.deployment || t === K8S.job)) {
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

  it('creates nothing named for, or mentioning, another service', () => {
    const others = SERVICE_NAMES.filter((other) => other !== service);
    for (const resource of recorded) {
      // The platform reference carries every service's outputs; it creates nothing.
      if (resource.type === 'pulumi:pulumi:StackReference') continue;
      // The gateway's upstreams name the services it routes to, and only they may.
      const inputs =
        resource.type === K8S.secret
          ? {
              ...resource.inputs,
              stringData: withoutUpstreams(resource.inputs['stringData'] as Record<string, string>),
            }
          : resource.inputs;
      const text = JSON.stringify({ name: resource.name, inputs });
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

function withoutUpstreams(env: Record<string, string>): Record<string, string> {
  const { GATEWAY_UPSTREAMS: _upstreams, ...rest } = env;
  return rest;
}

describe.each(DATABASE_SERVICES)(
  'kubernetes service stack %s-dev (a service with a database)',
  (service) => {
    let recorded: RecordedResource[];
    const only = (type: string) => {
      const found = ofType(recorded, type);
      expect(found).toHaveLength(1);
      return found[0];
    };

    beforeAll(async () => {
      ({ recorded } = await deploy(service));
    });

    it('wires its own database into its Secret', () => {
      expect(only(K8S.secret).inputs['stringData']).toMatchObject({
        [`DATABASE_URL_${service.toUpperCase()}`]: `postgres://${service}:${service}-db-secret@postgres.switchboard-dev.svc.cluster.local:5432/${service}`,
      });
    });

    it('migrates in the Job (main.js --migrate), serves with DB_MIGRATE=false', () => {
      const [migrate] = containersOf(only(K8S.job));
      expect(migrate.command).toEqual(['node', 'main.js', '--migrate']);
      expect(containersOf(only(K8S.deployment))[0].env).toEqual([
        { name: 'DB_MIGRATE', value: 'false' },
      ]);
    });

    it('stays inside the cluster: a ClusterIP Service', () => {
      expect(only(K8S.service).inputs['spec']).toMatchObject({ type: 'ClusterIP' });
      expect(only(K8S.service).inputs['spec']).not.toHaveProperty('externalTrafficPolicy');
    });

    it('refuses to be exposed outside the cluster', () => {
      installKubernetesMocks({
        project: 'service-k8s',
        stack: `${service}-dev`,
        stackOutputs: { [PLATFORM]: platformOutputsFixture() },
      });
      expect(() =>
        defineKubernetesService({
          stack: `${service}-dev`,
          platformStack: PLATFORM,
          image: `acme/switchboard/${service}@${DIGEST}`,
          jwtSecret: 'j',
          serviceType: 'LoadBalancer',
        }),
      ).toThrow(`${service} is internal: only the gateway is exposed outside the cluster`);
    });
  },
);

describe('kubernetes service stack gateway-dev (the public entry, no database)', () => {
  let recorded: RecordedResource[];
  let env: Record<string, string>;
  const only = (type: string) => {
    const found = ofType(recorded, type);
    expect(found).toHaveLength(1);
    return found[0];
  };

  beforeAll(async () => {
    ({ recorded } = await deploy('gateway'));
    env = only(K8S.secret).inputs['stringData'] as Record<string, string>;
  });

  it('has no database: no DATABASE_URL, no migrations Job, no DB_MIGRATE', () => {
    expect(ofType(recorded, K8S.job)).toEqual([]);
    expect(Object.keys(env).filter((key) => /DATABASE|DB_|MIGRAT/.test(key))).toEqual([]);
    const [container] = containersOf(only(K8S.deployment));
    expect(container.env).toEqual([]);
    expect(container.command).toBeUndefined();
  });

  it('routes to the four services at their Service DNS names', () => {
    // Each domain at its process's Service and port, in the topology's order: the four first.
    const upstreams = upstreamEntriesOf(SERVICES_TOPOLOGY, serviceDns);
    expect(upstreams.slice(0, 4)).toEqual([
      'chat=http://chat.switchboard-dev.svc.cluster.local:3101',
      'stories=http://stories.switchboard-dev.svc.cluster.local:3102',
      'calls=http://calls.switchboard-dev.svc.cluster.local:3103',
      'bots=http://bots.switchboard-dev.svc.cluster.local:3104',
    ]);
    expect(env['GATEWAY_UPSTREAMS']).toBe(upstreams.join(','));
  });

  it('names each service at the very address that service’s own stack advertises', async () => {
    const upstreams = Object.fromEntries(
      env['GATEWAY_UPSTREAMS'].split(',').map((entry) => entry.split('=') as [string, string]),
    );
    expect(Object.keys(upstreams)).toEqual(UPSTREAM_SERVICES);
    for (const service of UPSTREAM_SERVICES) {
      const { outputs } = await deploy(service);
      expect(await valueOf(outputs.endpoint)).toBe(upstreams[service]);
    }
  });

  it('is exposed through a LoadBalancer on 3000 that keeps client addresses, probed on /health/ready', () => {
    expect(only(K8S.service).inputs['spec']).toMatchObject({
      type: 'LoadBalancer',
      externalTrafficPolicy: 'Local',
      ports: [{ port: 3000, targetPort: 'http' }],
    });
    const [container] = containersOf(only(K8S.deployment));
    expect(container.readinessProbe?.httpGet).toEqual({ path: '/health/ready', port: 3000 });
    expect(env['PORT']).toBe('3000');
    expect(env).not.toHaveProperty('GATEWAY_CORS_ORIGINS');
  });

  it('stays a ClusterIP Service when told, and allows the configured origins', async () => {
    const { recorded: clusterOnly } = await deploy('gateway', {
      serviceType: 'ClusterIP',
      corsOrigins: ['https://app.example.com'],
    });
    const [service] = ofType(clusterOnly, K8S.service);
    expect(service.inputs['spec']).toMatchObject({ type: 'ClusterIP' });
    expect(service.inputs['spec']).not.toHaveProperty('externalTrafficPolicy');
    const [secret] = ofType(clusterOnly, K8S.secret);
    expect((secret.inputs['stringData'] as Record<string, string>)['GATEWAY_CORS_ORIGINS']).toBe(
      'https://app.example.com',
    );
  });

  it('refuses a Service type other than ClusterIP or LoadBalancer', () => {
    installKubernetesMocks({
      project: 'service-k8s',
      stack: 'gateway-dev',
      stackOutputs: { [PLATFORM]: platformOutputsFixture() },
    });
    expect(() =>
      defineKubernetesService({
        stack: 'gateway-dev',
        platformStack: PLATFORM,
        image: `acme/switchboard/gateway@${DIGEST}`,
        jwtSecret: 'j',
        serviceType: 'NodePort' as 'ClusterIP',
      }),
    ).toThrow('serviceType must be one of ClusterIP, LoadBalancer, not "NodePort"');
  });
});

describe('committed Kubernetes service stacks', () => {
  const configOf = (stack: string) => readFileSync(join(__dirname, `Pulumi.${stack}.yaml`), 'utf8');

  it.each(SERVICE_NAMES.flatMap((service) => [`${service}-dev`, `${service}-staging`]))(
    '%s sets a Service type only if it is the gateway’s',
    (stack) => {
      const type = /^\s*service-k8s:serviceType:\s*(\S+)\s*$/m.exec(configOf(stack))?.[1];
      if (!stack.startsWith('gateway-')) expect(type).toBeUndefined();
      else expect(type).toBe(stack === 'gateway-staging' ? 'LoadBalancer' : 'ClusterIP');
    },
  );
});

describe('kubernetes service stack details', () => {
  it('refuses a stack name that names no service', () => {
    installKubernetesMocks({ project: 'service-k8s', stack: 'presence-dev' });
    expect(() =>
      defineKubernetesService({
        stack: 'presence-dev',
        platformStack: PLATFORM,
        image: 'r/x:1',
        jwtSecret: 'j',
      }),
    ).toThrow('Stack "presence-dev" must be named <process>-<env> with process one of chat,');
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
    expect(outputs.service.name).toBe('bots');
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

describe('kubernetes service stack monolith-dev (the monolith topology)', () => {
  it('runs one Deployment hosting the four domains, each with its database, migrated by one Job', async () => {
    const { recorded, outputs } = await deploy('monolith', { topology: MONOLITH_TOPOLOGY });
    const [secret] = ofType(recorded, K8S.secret);
    const env = secret.inputs['stringData'] as Record<string, string>;
    // Every domain of the topology, the four first in their order.
    const domains = processOf(MONOLITH_TOPOLOGY, 'monolith').domains;
    expect([...domains].sort()).toEqual([...DATABASE_SERVICES].sort());
    expect(domains.slice(0, ORIGINAL_DOMAINS.length)).toEqual(ORIGINAL_DOMAINS);
    expect(env).toMatchObject({
      SERVICE_NAME: 'monolith',
      HOST_DOMAINS: domains.join(','),
      NATS_USER: 'monolith',
      PORT: '3100',
    });
    expect(
      Object.keys(env)
        .filter((key) => key.startsWith('DATABASE_URL'))
        .sort(),
    ).toEqual(domains.map((domain) => `DATABASE_URL_${domain.toUpperCase()}`).sort());
    for (const domain of domains) {
      expect(env[`DATABASE_URL_${domain.toUpperCase()}`]).toBe(
        `postgres://${domain}:${domain}-db-secret@postgres.switchboard-dev.svc.cluster.local:5432/${domain}`,
      );
    }
    const [migrate] = containersOf(ofType(recorded, K8S.job)[0]);
    expect(migrate.command).toEqual(['node', 'main.js', '--migrate']);
    expect(await valueOf(outputs.endpoint)).toBe(
      'http://monolith.switchboard-dev.svc.cluster.local:3100',
    );
  });

  it('is where the gateway of that topology sends every domain', async () => {
    const { recorded } = await deploy('gateway', { topology: MONOLITH_TOPOLOGY });
    const env = ofType(recorded, K8S.secret)[0].inputs['stringData'] as Record<string, string>;
    // Every domain at the monolith's Service, in the topology's order.
    const upstreams = upstreamEntriesOf(MONOLITH_TOPOLOGY, serviceDns);
    expect(upstreams).toEqual(
      DATABASE_SERVICES.map(
        (domain) => `${domain}=http://monolith.switchboard-dev.svc.cluster.local:3100`,
      ),
    );
    expect(env['GATEWAY_UPSTREAMS'].split(',')).toEqual(upstreams);
  });
});
