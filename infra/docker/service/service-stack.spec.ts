import * as pulumi from '@pulumi/pulumi';
import { SERVICE_NAMES, SERVICES, type ServiceName } from '../catalogue';
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

function platformOutputsFixture(): Record<string, unknown> {
  const outputs: Record<string, unknown> = {
    natsUrl: 'nats://nats:4222',
    networkName: 'switchboard-dev',
  };
  for (const service of SERVICE_NAMES) {
    outputs[`${service}NatsUser`] = service;
    outputs[`${service}NatsPassword`] = `${service}-nats-secret`;
    outputs[`${service}DatabaseUrl`] =
      `postgres://${service}:${service}-db-secret@postgres:5432/${service}`;
  }
  return outputs;
}

async function deploy(service: ServiceName, extra: { replicas?: number } = {}) {
  const recorded = installMocks({
    project: 'service',
    stack: `${service}-dev`,
    stackOutputs: { [PLATFORM]: platformOutputsFixture() },
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

  it('runs one container wired to the platform: NATS, its credentials, its database', () => {
    expect(containers).toHaveLength(1);
    const env = envOf(containers[0]);
    expect(env).toMatchObject({
      NATS_URL: 'nats://nats:4222',
      NATS_USER: service,
      NATS_PASSWORD: `${service}-nats-secret`,
      DATABASE_URL: `postgres://${service}:${service}-db-secret@postgres:5432/${service}`,
      AUTH_JWT_SECRET: 'jwt-secret',
      NODE_ENV: 'production',
      DB_MIGRATE: 'true',
      PORT: String(SERVICES[service].port),
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
        `http://127.0.0.1:${SERVICES[service].port}/health/ready`,
      );
      expect(container.inputs['memory']).toBe(384);
      expect(container.inputs['restart']).toBe('unless-stopped');
    }
  });

  it('creates nothing that belongs to another service', () => {
    const others = SERVICE_NAMES.filter((other) => other !== service);
    for (const resource of recorded) {
      const text = JSON.stringify({ name: resource.name, inputs: resource.inputs });
      for (const other of others) {
        // The platform reference carries every service's outputs; it creates nothing.
        if (resource.type === 'pulumi:pulumi:StackReference') continue;
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
      database: { url: 'postgres://chat:pw@postgres/chat' },
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
    installMocks({ project: 'service', stack: 'gateway-dev' });
    expect(() =>
      defineService({ stack: 'gateway-dev', platformStack: PLATFORM, gitSha: 'a', jwtSecret: 'j' }),
    ).toThrow('Stack "gateway-dev" must be named <service>-<env>');
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
    expect(outputs.service).toBe('bots');
    expect(await valueOf(outputs.imageName)).toBe('switchboard/bots:cafe123');
  });
});
