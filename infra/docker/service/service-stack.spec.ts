import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { assertSameTopology } from '../../components/process-wiring';
import { loadTopology, processOf, type Topology } from '../../components/topology';
import {
  DOMAIN_NAMES as DATABASE_SERVICES,
  MONOLITH_TOPOLOGY,
  ORIGINAL_DOMAINS,
  portOf,
  SERVICE_NAMES,
  SERVICES_TOPOLOGY,
  upstreamEntriesOf,
} from '../../testing/topologies';
import {
  CONTAINER,
  envOf,
  IMAGE,
  installMocks,
  isSecretValue,
  ofType,
  type RecordedResource,
  valueOf,
} from '../../testing/pulumi-mocks';
import { defineService, defineServiceFromConfig } from './service-stack';

const PLATFORM = 'organization/platform/platform-dev';

type ServiceName = string;
const UPSTREAM_SERVICES = DATABASE_SERVICES;

function platformOutputsFixture(processes = SERVICE_NAMES): Record<string, unknown> {
  const outputs: Record<string, unknown> = {
    natsUrl: 'nats://nats:4222',
    networkName: 'switchboard-dev',
  };
  for (const service of processes) {
    outputs[`${service}NatsUser`] = service;
    outputs[`${service}NatsPassword`] = `${service}-nats-secret`;
  }
  // As the platform exports them: none for the gateway, which has no database.
  for (const service of DATABASE_SERVICES) {
    outputs[`${service}DatabaseUrl`] =
      `postgres://${service}:${service}-db-secret@postgres:5432/${service}`;
  }
  return outputs;
}

async function deploy(
  service: ServiceName,
  extra: {
    replicas?: number;
    hostPort?: number;
    corsOrigins?: string[];
    topology?: Topology;
  } = {},
) {
  const topology = extra.topology;
  const recorded = installMocks({
    project: 'service',
    stack: `${service}-dev`,
    stackOutputs: {
      [PLATFORM]:
        topology === undefined
          ? platformOutputsFixture()
          : {
              ...platformOutputsFixture(topology.processes.map((process) => process.name)),
              topology: topology.name,
            },
    },
  });
  const outputs = defineService({
    stack: `${service}-dev`,
    platformStack: PLATFORM,
    gitSha: 'abc1234',
    jwtSecret: pulumi.secret('jwt-secret'),
    ...extra,
  });
  await valueOf(outputs.instances);
  await valueOf(outputs.endpoint);
  return { recorded, outputs };
}

describe.each(SERVICE_NAMES)('service stack %s-dev', (service) => {
  let recorded: RecordedResource[];
  let containers: RecordedResource[];

  beforeAll(async () => {
    ({ recorded } = await deploy(service));
    containers = ofType(recorded, CONTAINER);
  });

  it('builds only its own image from services/<name>/Dockerfile with the repo root as context', () => {
    const images = ofType(recorded, IMAGE);
    expect(images).toHaveLength(1);
    expect(images[0].inputs).toMatchObject({
      imageName: `switchboard/${service}:abc1234`,
      build: {
        context: '../../..',
        dockerfile: `../../../services/${service}/Dockerfile`,
        args: { GIT_SHA: 'abc1234' },
      },
      skipPush: true,
    });
  });

  it('runs one container on the platform network under its alias, with NATS and its credentials', () => {
    expect(containers).toHaveLength(1);
    expect(envOf(containers[0])).toMatchObject({
      NATS_URL: 'nats://nats:4222',
      NATS_USER: service,
      NATS_PASSWORD: `${service}-nats-secret`,
      AUTH_JWT_SECRET: 'jwt-secret',
      NODE_ENV: 'production',
      PORT: String(portOf(service)),
      EVENTS_STREAMS: 'verify',
    });
    expect(containers[0].inputs['image']).toBe(`switchboard/${service}:abc1234`);
    expect(containers[0].inputs['networksAdvanced']).toEqual([
      { name: 'switchboard-dev', aliases: [service] },
    ]);
  });

  it('never runs privileged or as root, and drops every capability', () => {
    for (const container of containers) {
      expect(container.inputs['privileged']).toBe(false);
      expect(container.inputs['user']).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(container.inputs['capabilities']).toEqual({ drops: ['ALL'] });
      expect(container.inputs['securityOpts']).toContain('no-new-privileges:true');
      expect(container.inputs['readOnly']).toBe(true);
    }
  });

  it('has a health check on /health/ready, a memory limit and a restart policy', () => {
    for (const container of containers) {
      const healthcheck = container.inputs['healthcheck'] as { tests: string[] };
      expect(healthcheck.tests.join(' ')).toContain(
        `http://127.0.0.1:${portOf(service)}/health/ready`,
      );
      expect(container.inputs['memory']).toBe(384);
      expect(container.inputs['restart']).toBe('unless-stopped');
    }
  });

  it('creates nothing that belongs to another service', () => {
    const others = SERVICE_NAMES.filter((other) => other !== service);
    for (const resource of recorded) {
      // The platform reference carries every service's outputs; it creates nothing.
      if (resource.type === 'pulumi:pulumi:StackReference') continue;
      // The gateway's upstreams name the services it routes to, and only they may.
      const inputs =
        resource.type === CONTAINER
          ? { ...resource.inputs, envs: Object.keys(withoutUpstreams(envOf(resource))) }
          : resource.inputs;
      const text = JSON.stringify({ name: resource.name, inputs });
      for (const other of others) {
        expect({ resource: resource.name, mentions: text.includes(other) }).toEqual({
          resource: resource.name,
          mentions: false,
        });
      }
    }
    for (const container of containers) {
      expect(container.inputs['labels']).toEqual([
        { label: 'switchboard.service', value: service },
      ]);
    }
    const children = recorded.filter(
      (resource) =>
        resource.type !== 'pulumi:pulumi:StackReference' &&
        resource.type !== 'switchboard:index:Service',
    );
    expect(children.every((resource) => resource.name.startsWith(`${service}-`))).toBe(true);
  });
});

function withoutUpstreams(env: Record<string, string>): Record<string, string> {
  const { GATEWAY_UPSTREAMS: _upstreams, ...rest } = env;
  return rest;
}

describe.each(DATABASE_SERVICES)('service stack %s-dev (a service with a database)', (service) => {
  let containers: RecordedResource[];

  beforeAll(async () => {
    const { recorded } = await deploy(service);
    containers = ofType(recorded, CONTAINER);
  });

  it('wires its own domain’s database and migrates on start', () => {
    const env = envOf(containers[0]);
    expect(env).toMatchObject({
      [`DATABASE_URL_${service.toUpperCase()}`]: `postgres://${service}:${service}-db-secret@postgres:5432/${service}`,
      DB_MIGRATE: 'true',
    });
    expect(Object.keys(env).filter((key) => key.startsWith('DATABASE_URL'))).toHaveLength(1);
    // A service hosts its own domain: no choice of domains to pass.
    expect(env).not.toHaveProperty('HOST_DOMAINS');
  });

  it('stays internal: no port published on the host, reached on the network by its alias', () => {
    expect(containers[0].inputs['ports']).toEqual([]);
  });

  it('refuses to publish its port', () => {
    installMocks({
      project: 'service',
      stack: `${service}-dev`,
      stackOutputs: { [PLATFORM]: platformOutputsFixture() },
    });
    expect(() =>
      defineService({
        stack: `${service}-dev`,
        platformStack: PLATFORM,
        gitSha: 'a',
        jwtSecret: 'j',
        hostPort: portOf(service),
      }),
    ).toThrow(`${service} is internal: only the gateway is published on the host`);
  });
});

describe('service stack gateway-dev (the public entry, no database)', () => {
  let container: RecordedResource;
  let env: Record<string, string>;

  beforeAll(async () => {
    const { recorded } = await deploy('gateway');
    [container] = ofType(recorded, CONTAINER);
    env = envOf(container);
  });

  it('has no database: no DATABASE_URL, no migrations', () => {
    expect(env).not.toHaveProperty('DB_MIGRATE');
    expect(Object.keys(env).filter((key) => /DATABASE|DB_|MIGRAT/.test(key))).toEqual([]);
  });

  it('routes to the four services at their network aliases on the platform network', () => {
    // Each domain at its process's alias and port, in the topology's order: the four first.
    const upstreams = upstreamEntriesOf(SERVICES_TOPOLOGY);
    expect(upstreams.slice(0, 4)).toEqual([
      'chat=http://chat:3101',
      'stories=http://stories:3102',
      'calls=http://calls:3103',
      'bots=http://bots:3104',
    ]);
    expect(env['GATEWAY_UPSTREAMS']).toBe(upstreams.join(','));
  });

  it('does not watch the upstreams bucket, which its NATS user has no rights on', () => {
    expect(env['GATEWAY_UPSTREAMS_BUCKET']).toBe('');
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

  it('is published on the host at 3000 and checks its health there', () => {
    expect(container.inputs['ports']).toEqual([{ internal: 3000, external: 3000 }]);
    expect(env['PORT']).toBe('3000');
    const healthcheck = container.inputs['healthcheck'] as { tests: string[] };
    expect(healthcheck.tests.join(' ')).toContain('http://127.0.0.1:3000/health/ready');
  });

  it('sends no CORS headers unless origins are configured', () => {
    expect(env).not.toHaveProperty('GATEWAY_CORS_ORIGINS');
  });

  it('publishes at another host port and allows the configured origins', async () => {
    const { recorded } = await deploy('gateway', {
      hostPort: 8080,
      corsOrigins: ['https://app.example.com', 'http://localhost:5173'],
    });
    const [published] = ofType(recorded, CONTAINER);
    expect(published.inputs['ports']).toEqual([{ internal: 3000, external: 8080 }]);
    expect(envOf(published)['GATEWAY_CORS_ORIGINS']).toBe(
      'https://app.example.com,http://localhost:5173',
    );
  });

  it('refuses an origin the gateway would reject at boot, and CORS on another service', () => {
    installMocks({
      project: 'service',
      stack: 'gateway-dev',
      stackOutputs: { [PLATFORM]: platformOutputsFixture() },
    });
    const args = { platformStack: PLATFORM, gitSha: 'a', jwtSecret: 'j' };
    expect(() =>
      defineService({ ...args, stack: 'gateway-dev', corsOrigins: ['https://app.example.com/x'] }),
    ).toThrow(/corsOrigins: "https:\/\/app\.example\.com\/x" must be "\*" or an origin/);
    expect(() =>
      defineService({ ...args, stack: 'chat-dev', corsOrigins: ['https://app.example.com'] }),
    ).toThrow('corsOrigins is a setting of gateway, not of chat');
  });
});

describe('committed Docker service stacks', () => {
  const configOf = (stack: string) => readFileSync(join(__dirname, `Pulumi.${stack}.yaml`), 'utf8');

  it.each(SERVICE_NAMES.flatMap((service) => [`${service}-dev`, `${service}-staging`]))(
    '%s publishes a host port only if it is the gateway’s',
    (stack) => {
      const hostPort = /^\s*service:hostPort:\s*'?(\d+)'?\s*$/m.exec(configOf(stack))?.[1];
      expect(hostPort).toBe(stack.startsWith('gateway-') ? '3000' : undefined);
    },
  );
});

describe('service stack wiring details', () => {
  it('passes the env to the engine as a secret', async () => {
    const { recorded } = await deploy('chat');
    const [container] = ofType(recorded, CONTAINER);
    expect(isSecretValue(container.rawInputs['envs'])).toBe(true);
  });

  it('keeps the credentials secret in the component’s env', async () => {
    installMocks({
      project: 'service',
      stack: 'chat-dev',
      stackOutputs: { [PLATFORM]: platformOutputsFixture() },
    });
    const { SwitchboardService } = await import('../../components/switchboard-service');
    const { DockerTarget } = await import('../../components/docker-target');
    let env: pulumi.Output<Record<string, string>> | undefined;
    const spy = new DockerTarget({ network: 'n' });
    const deploySpy = spy.deploy.bind(spy);
    spy.deploy = (spec, parent) => {
      env = spec.env;
      return deploySpy(spec, parent);
    };
    const component = new SwitchboardService('chat', {
      name: 'chat',
      image: 'switchboard/chat:abc',
      resources: { cpu: 0.5, memoryMb: 256 },
      port: 3101,
      healthCheck: { path: '/health/ready' },
      natsUrl: 'nats://nats:4222',
      natsCredentials: { user: 'chat', password: 'pw' },
      databases: { chat: 'postgres://chat:pw@postgres/chat' },
      jwtSecret: 'jwt',
      target: spy,
    });
    await valueOf(component.instances);
    expect(await pulumi.isSecret(env as pulumi.Output<unknown>)).toBe(true);
  });

  it('runs one container per replica behind one network alias', async () => {
    const { recorded } = await deploy('stories', { replicas: 3 });
    const containers = ofType(recorded, CONTAINER);
    expect(containers.map((container) => container.inputs['name'])).toEqual([
      'stories-0',
      'stories-1',
      'stories-2',
    ]);
    for (const container of containers) {
      expect(container.inputs['networksAdvanced']).toEqual([
        { name: 'switchboard-dev', aliases: ['stories'] },
      ]);
    }
  });

  it('parents every child to the service component', async () => {
    const { outputs } = await deploy('calls');
    const urns = await Promise.all(
      outputs.component.resources.map((resource) => valueOf(resource.urn)),
    );
    expect(urns).toEqual([
      expect.stringMatching(
        /switchboard:index:Service\$docker:index\/container:Container::calls-0$/,
      ),
    ]);
  });

  it('refuses a stack name that names no service', () => {
    installMocks({ project: 'service', stack: 'presence-dev' });
    expect(() =>
      defineService({
        stack: 'presence-dev',
        platformStack: PLATFORM,
        gitSha: 'a',
        jwtSecret: 'j',
      }),
    ).toThrow('Stack "presence-dev" must be named <process>-<env> with process one of chat,');
  });

  it('reads its settings from config and requires the JWT secret', async () => {
    installMocks({
      project: 'service',
      stack: 'bots-dev',
      stackOutputs: { [PLATFORM]: platformOutputsFixture() },
    });
    pulumi.runtime.setConfig('service:platformStack', PLATFORM);
    pulumi.runtime.setConfig('service:gitSha', 'cafe123');
    expect(() => defineServiceFromConfig()).toThrow(/authJwtSecret/);
    pulumi.runtime.setConfig('service:authJwtSecret', 'from-config');
    pulumi.runtime.setConfig('service:memoryMb', '512');
    const outputs = defineServiceFromConfig();
    expect(outputs.service.name).toBe('bots');
    expect(await valueOf(outputs.imageName)).toBe('switchboard/bots:cafe123');
    await valueOf(outputs.instances);
    await valueOf(outputs.endpoint);
  });

  it('reads the gateway’s origins from config, as a list or comma-separated', async () => {
    for (const value of [
      '["https://app.example.com","https://admin.example.com"]',
      'https://app.example.com, https://admin.example.com',
    ]) {
      const recorded = installMocks({
        project: 'service',
        stack: 'gateway-dev',
        stackOutputs: { [PLATFORM]: platformOutputsFixture() },
      });
      pulumi.runtime.setConfig('service:platformStack', PLATFORM);
      pulumi.runtime.setConfig('service:authJwtSecret', 'from-config');
      pulumi.runtime.setConfig('service:corsOrigins', value);
      const outputs = defineServiceFromConfig();
      await valueOf(outputs.instances);
      await valueOf(outputs.endpoint);
      const [container] = ofType(recorded, CONTAINER);
      expect(envOf(container)['GATEWAY_CORS_ORIGINS']).toBe(
        'https://app.example.com,https://admin.example.com',
      );
    }
  });
});

describe('service stack monolith-dev (the monolith topology)', () => {
  let container: RecordedResource;
  let image: RecordedResource;

  beforeAll(async () => {
    const { recorded } = await deploy('monolith', { topology: MONOLITH_TOPOLOGY });
    [container] = ofType(recorded, CONTAINER);
    [image] = ofType(recorded, IMAGE);
  });

  it('builds the monolith’s image and runs it as one process hosting the four domains', () => {
    expect(image.inputs).toMatchObject({
      imageName: 'switchboard/monolith:abc1234',
      build: { dockerfile: '../../../services/monolith/Dockerfile' },
    });
    // Every domain of the topology, the four first in their order.
    const domains = processOf(MONOLITH_TOPOLOGY, 'monolith').domains;
    expect([...domains].sort()).toEqual([...DATABASE_SERVICES].sort());
    expect(domains.slice(0, ORIGINAL_DOMAINS.length)).toEqual(ORIGINAL_DOMAINS);
    expect(envOf(container)).toMatchObject({
      SERVICE_NAME: 'monolith',
      HOST_DOMAINS: domains.join(','),
      PORT: '3100',
      NATS_USER: 'monolith',
      NATS_PASSWORD: 'monolith-nats-secret',
    });
    expect(container.inputs['networksAdvanced']).toEqual([
      { name: 'switchboard-dev', aliases: ['monolith'] },
    ]);
  });

  it('keeps a database per domain: DATABASE_URL_<DOMAIN> each, never one DATABASE_URL', () => {
    const env = envOf(container);
    for (const domain of DATABASE_SERVICES) {
      expect(env[`DATABASE_URL_${domain.toUpperCase()}`]).toBe(
        `postgres://${domain}:${domain}-db-secret@postgres:5432/${domain}`,
      );
    }
    expect(env).not.toHaveProperty('DATABASE_URL');
    expect(env['DB_MIGRATE']).toBe('true');
  });

  it('is what the gateway of that topology routes every domain to', async () => {
    const { recorded } = await deploy('gateway', { topology: MONOLITH_TOPOLOGY });
    // Every domain at the monolith, in the topology's order: the four first.
    const upstreams = upstreamEntriesOf(MONOLITH_TOPOLOGY);
    expect(upstreams).toEqual(DATABASE_SERVICES.map((domain) => `${domain}=http://monolith:3100`));
    expect(upstreams.slice(0, 4)).toEqual([
      'chat=http://monolith:3100',
      'stories=http://monolith:3100',
      'calls=http://monolith:3100',
      'bots=http://monolith:3100',
    ]);
    expect(envOf(ofType(recorded, CONTAINER)[0])['GATEWAY_UPSTREAMS']).toBe(upstreams.join(','));
  });
});

describe('service stacks of the mixed topology', () => {
  const mixed = loadTopology('mixed');

  it('deploys chat-bots-dev (a dashed process name) from the monolith’s image with two domains', async () => {
    const { recorded, outputs } = await deploy('chat-bots', { topology: mixed });
    expect(outputs.service).toEqual({
      name: 'chat-bots',
      host: 'monolith',
      port: 3101,
      domains: ['chat', 'bots'],
    });
    const env = envOf(ofType(recorded, CONTAINER)[0]);
    expect(env).toMatchObject({ SERVICE_NAME: 'chat-bots', HOST_DOMAINS: 'chat,bots' });
    expect(
      Object.keys(env)
        .filter((key) => key.startsWith('DATABASE_URL'))
        .sort(),
    ).toEqual(['DATABASE_URL_BOTS', 'DATABASE_URL_CHAT']);
    expect(ofType(recorded, IMAGE)[0].inputs['imageName']).toBe('switchboard/monolith:abc1234');
  });

  it('routes the gateway to the process hosting each domain', async () => {
    const { recorded } = await deploy('gateway', { topology: mixed });
    // Each domain at the process hosting it, in the topology's order: the four first.
    const upstreams = upstreamEntriesOf(mixed);
    expect(upstreams.slice(0, 4)).toEqual([
      'chat=http://chat-bots:3101',
      'bots=http://chat-bots:3101',
      'stories=http://stories:3102',
      'calls=http://calls:3103',
    ]);
    expect(envOf(ofType(recorded, CONTAINER)[0])['GATEWAY_UPSTREAMS']).toBe(upstreams.join(','));
  });

  it('refuses a process the topology does not run, and a platform set up for another topology', () => {
    // The processes mixed runs, as the error lists them: its first three, any added since, the gateway.
    const processes = mixed.processes.map((process) => process.name);
    expect(processes.slice(0, 3)).toEqual(['chat-bots', 'stories', 'calls']);
    expect(processes.at(-1)).toBe('gateway');
    expect(processes).not.toContain('chat');
    installMocks({ project: 'service', stack: 'chat-dev' });
    expect(() =>
      defineService({
        stack: 'chat-dev',
        topology: mixed,
        platformStack: PLATFORM,
        gitSha: 'a',
        jwtSecret: 'j',
      }),
    ).toThrow(`process one of ${processes.join(', ')} (topology mixed)`);
    expect(() => assertSameTopology('services', mixed, 'chat-bots')).toThrow(
      'chat-bots is deployed for topology mixed, but the platform runs services',
    );
    // A platform from before topologies runs the default one.
    expect(() => assertSameTopology(undefined, mixed, 'stories')).toThrow(/platform runs services/);
    expect(() => assertSameTopology(undefined, loadTopology(), 'chat')).not.toThrow();
  });
});
