import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import { fixtureManifest } from '../../testing/fixture-manifest';
import type { MessagingManifest } from '../../nats/manifest';
import { matchesNatsPasswordHash } from '../../nats/password-hash';
import {
  CONTAINER,
  envOf,
  installMocks,
  isSecretValue,
  NETWORK,
  ofType,
  IMAGE,
  type RecordedResource,
  REMOTE_IMAGE,
  valueOf,
  VOLUME,
} from '../../testing/pulumi-mocks';
import {
  DOMAIN_NAMES as DATABASE_SERVICES,
  platformSecrets as secrets,
  MONOLITH_TOPOLOGY,
  ORIGINAL_DOMAINS,
  SERVICE_NAMES,
  SERVICES_TOPOLOGY,
} from '../../testing/topologies';
import { processOf, type Topology } from '../../components/topology';
import {
  definePlatform,
  definePlatformFromConfig,
  type PlatformStackArgs,
  type PlatformStackOutputs,
} from './platform-stack';

async function settle(platform: PlatformStackOutputs): Promise<void> {
  await Promise.all(Object.values(platform.exports).map((output) => valueOf(output)));
  await valueOf(platform.nats.id);
  await valueOf(platform.postgres.id);
  await valueOf(platform.streamProvisioner.id);
}

const PROVISIONER = 'switchboard-dev-stream-provisioner';

/** The Docker provider's view of a one-shot that has run: attached, exited 0. */
function completeState(args: pulumi.runtime.MockResourceArgs, state: Record<string, unknown>) {
  if (args.type === CONTAINER && args.inputs['attach'] === true) {
    state['exitCode'] = 0;
    state['containerLogs'] = 'created CHAT';
  }
}

/** `platform-dev` for a topology, every resource recorded and every output settled. */
async function platformIn(
  topology: Topology,
  extra: Partial<PlatformStackArgs> = {},
): Promise<{ recorded: RecordedResource[]; platform: PlatformStackOutputs }> {
  const recorded = installMocks({ project: 'platform', stack: 'platform-dev', completeState });
  const platform = definePlatform({
    env: 'dev',
    topology,
    // Every deployable service, the gateway included (its entry as its build will produce it).
    manifest: fixtureManifest(),
    secrets: secrets(topology),
    postgresPassword: pulumi.secret('admin-pw'),
    streamProvisionerPassword: pulumi.secret('provisioner-pw'),
    ...extra,
  });
  await settle(platform);
  return { recorded, platform };
}

describe('platform stack platform-dev', () => {
  let recorded: RecordedResource[];
  let platform: PlatformStackOutputs;

  beforeAll(async () => {
    ({ recorded, platform } = await platformIn(SERVICES_TOPOLOGY, { natsSyncInterval: '10s' }));
  });

  const containers = () => ofType(recorded, CONTAINER);
  const longRunning = () =>
    containers().filter((container) => container.inputs['name'] !== PROVISIONER);
  const byName = (name: string) =>
    containers().find((container) => container.inputs['name'] === name) as RecordedResource;

  it('creates one network, a volume each for NATS and Postgres, and pinned images', () => {
    expect(ofType(recorded, NETWORK).map((network) => network.inputs['name'])).toEqual([
      'switchboard-dev',
    ]);
    expect(
      ofType(recorded, VOLUME)
        .map((volume) => volume.inputs['name'])
        .sort(),
    ).toEqual(['switchboard-dev-nats', 'switchboard-dev-postgres']);
    for (const image of ofType(recorded, REMOTE_IMAGE)) {
      expect(image.inputs['name']).toMatch(/^[a-z]+:\d+\.\d+(\.\d+)?(-[a-z]+)?$/);
    }
  });

  it('runs NATS with the generated config: JetStream on its volume, sync_interval, monitoring', () => {
    const nats = byName('switchboard-dev-nats');
    const [upload] = nats.inputs['uploads'] as { file: string; content: string }[];
    expect(upload.file).toBe('/etc/nats/nats.conf');
    expect(upload.content).toContain('store_dir: "/data/jetstream"');
    expect(upload.content).toContain('sync_interval: "10s"');
    expect(upload.content).toContain('http_port: 8222');
    // Each user with the bcrypt hash of its password; no password in clear.
    const hashOf = (user: string) =>
      new RegExp(`user: "${user}"\\n\\s*password: "(\\$2a\\$[^"]+)"`).exec(upload.content)?.[1] ??
      '';
    for (const service of SERVICE_NAMES) {
      expect(matchesNatsPasswordHash(`${service}-nats-pw`, hashOf(service))).toBe(true);
      expect(upload.content).not.toContain(`${service}-nats-pw`);
    }
    expect(matchesNatsPasswordHash('provisioner-pw', hashOf('stream-provisioner'))).toBe(true);
    expect(upload.content).not.toContain('provisioner-pw');
    // No service may create or change a stream: only the provisioner's user holds those grants.
    const createGrants = upload.content.match(/"\$JS\.API\.STREAM\.CREATE\.[A-Z]+"/g) ?? [];
    expect(createGrants.sort()).toEqual(
      fixtureManifest()
        .streams.map((stream) => `"$JS.API.STREAM.CREATE.${stream.name}"`)
        .sort(),
    );
    expect(nats.inputs['volumes']).toEqual([
      { volumeName: 'switchboard-dev-nats', containerPath: '/data' },
    ]);
    expect(nats.inputs['command']).toEqual(['nats-server', '-c', '/etc/nats/nats.conf']);
    expect(nats.inputs['networksAdvanced']).toEqual([
      { name: 'switchboard-dev', aliases: ['nats'] },
    ]);
  });

  it('creates the gateway’s user with its live-feed and push rights, and no consumer rights', () => {
    const [upload] = byName('switchboard-dev-nats').inputs['uploads'] as { content: string }[];
    const block = /user: "gateway"[\s\S]*?\n {6}\}/.exec(upload.content)?.[0] ?? '';
    const listOf = (kind: 'publish' | 'subscribe') =>
      [
        ...(new RegExp(`${kind}: \\{\\s*allow: \\[([^\\]]*)\\]`).exec(block)?.[1] ?? '').matchAll(
          /"([^"]+)"/g,
        ),
      ].map((match) => match[1]);
    expect(listOf('publish')).toEqual([
      'rpc.calls.relay-signal.v1',
      '$JS.API.INFO',
      '$JS.API.STREAM.INFO.CALLS',
      '$JS.API.STREAM.INFO.CHAT',
      '$JS.API.STREAM.INFO.STORIES',
      '$JS.API.STREAM.NAMES',
      '$JS.API.CONSUMER.CREATE.CALLS',
      '$JS.FC.CALLS.>',
      '$JS.API.CONSUMER.CREATE.CHAT',
      '$JS.FC.CHAT.>',
      '$JS.API.CONSUMER.CREATE.STORIES',
      '$JS.FC.STORIES.>',
    ]);
    expect(listOf('subscribe')).toEqual(['push.calls.signal.v1.*', '_INBOX.gateway.>']);
    expect(
      matchesNatsPasswordHash('gateway-nats-pw', /password: "([^"]+)"/.exec(block)?.[1] ?? ''),
    ).toBe(true);
  });

  it('keeps the NATS config and the Postgres init script secret', () => {
    for (const name of ['switchboard-dev-nats', 'switchboard-dev-postgres']) {
      const container = byName(name);
      expect(isSecretValue(container.rawInputs['uploads'])).toBe(true);
    }
  });

  it('creates one database and one role per service with a database, owned by the role, closed to PUBLIC', () => {
    const postgres = byName('switchboard-dev-postgres');
    const [upload] = postgres.inputs['uploads'] as { file: string; content: string }[];
    expect(upload.file).toBe('/docker-entrypoint-initdb.d/10-switchboard.sql');
    // A service with a database: a process of the topology hosting a domain (the gateway hosts
    // none), each its own of the same name; the committed four first, in their order.
    const withDatabase = SERVICES_TOPOLOGY.processes.filter(
      (process) => process.domains.length > 0,
    );
    expect(withDatabase.map((process) => process.domains)).toEqual(
      withDatabase.map((process) => [process.name]),
    );
    expect(DATABASE_SERVICES).toEqual(withDatabase.map((process) => process.name));
    expect(DATABASE_SERVICES.slice(0, ORIGINAL_DOMAINS.length)).toEqual(ORIGINAL_DOMAINS);
    for (const service of DATABASE_SERVICES) {
      expect(upload.content).toContain(
        `CREATE ROLE "${service}" LOGIN PASSWORD '${service}-db-pw'`,
      );
      expect(upload.content).toContain(`CREATE DATABASE "${service}" OWNER "${service}";`);
      expect(upload.content).toContain(`REVOKE ALL ON DATABASE "${service}" FROM PUBLIC;`);
    }
    expect(upload.content.match(/CREATE DATABASE "\w+"/g)).toEqual(
      DATABASE_SERVICES.map((service) => `CREATE DATABASE "${service}"`),
    );
    expect(upload.content.match(/CREATE ROLE/g)).toHaveLength(DATABASE_SERVICES.length);
    // The gateway has no database.
    expect(upload.content).not.toContain('gateway');
    expect(upload.content).toContain('REVOKE CONNECT ON DATABASE postgres FROM PUBLIC;');
    expect(envOf(postgres)).toEqual({ POSTGRES_PASSWORD: 'admin-pw' });
  });

  it('runs no container privileged or as root, each with a memory limit', () => {
    for (const container of containers()) {
      expect(container.inputs['privileged']).toBe(false);
      expect(container.inputs['memory']).toBeGreaterThan(0);
      expect(container.inputs['securityOpts']).toContain('no-new-privileges:true');
      expect(container.inputs['user']).toMatch(/^[1-9]\d*:[1-9]\d*$/);
    }
  });

  it('gives every long-running container a health check and a restart policy', () => {
    expect(longRunning()).toHaveLength(2);
    for (const container of longRunning()) {
      expect(container.inputs['privileged']).toBe(false);
      expect(container.inputs['memory']).toBeGreaterThan(0);
      expect(container.inputs['securityOpts']).toContain('no-new-privileges:true');
      expect(container.inputs['user']).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect((container.inputs['healthcheck'] as { tests: string[] }).tests[0]).toBe('CMD');
      expect(container.inputs['restart']).toBe('unless-stopped');
    }
  });

  it('builds NATS from the pinned image with its data directory handed to uid 1000 at build time', () => {
    const dockerfile = readFileSync(join(__dirname, 'nats', 'Dockerfile'), 'utf8');
    expect(dockerfile).toContain('RUN mkdir -p /data && chown 1000:1000 /data');
    expect(dockerfile).toMatch(/^USER 1000:1000$/m);
    const images = ofType(recorded, IMAGE).filter((image) =>
      String(image.inputs['imageName']).startsWith('switchboard/nats:'),
    );
    expect(images).toHaveLength(1);
    expect(images[0].inputs).toMatchObject({
      build: { args: { NATS_IMAGE: 'nats:2.10.22-alpine' } },
      skipPush: true,
    });
  });

  it('runs the stream provisioner once, after NATS, with its own user and the manifest streams', () => {
    const provisioner = byName(PROVISIONER);
    // A one-shot Pulumi waits for: attached, never restarted, its exit code recorded.
    expect(provisioner.inputs).toMatchObject({
      attach: true,
      mustRun: false,
      restart: 'no',
      readOnly: true,
      capabilities: { drops: ['ALL'] },
      networksAdvanced: [{ name: 'switchboard-dev' }],
    });
    expect(provisioner.inputs['healthcheck']).toBeUndefined();
    expect(isSecretValue(provisioner.rawInputs['envs'])).toBe(true);
    const env = envOf(provisioner);
    expect(env).toMatchObject({
      NATS_URL: 'nats://nats:4222',
      NATS_USER: 'stream-provisioner',
      NATS_PASSWORD: 'provisioner-pw',
    });
    // The manifest's streams, one replica each on a single server.
    expect(JSON.parse(env['STREAMS'])).toEqual(
      fixtureManifest().streams.map((stream) => ({ ...stream, num_replicas: 1 })),
    );
    const [image] = ofType(recorded, IMAGE).filter(
      (candidate) => candidate.inputs['imageName'] === 'switchboard/stream-provisioner:dev',
    );
    expect(image.inputs).toMatchObject({ skipPush: true });
    expect(String((image.inputs['build'] as { context: string }).context)).toMatch(
      /infra[\\/]streams$/,
    );
  });

  it('exports streamsProvisioned once the provisioner exited 0', async () => {
    expect(await valueOf(platform.exports['streamsProvisioned'])).toBe('true');
  });

  it('exports the NATS URL, the network and per service its user, password and DATABASE_URL', async () => {
    expect(await valueOf(platform.exports['natsUrl'])).toBe('nats://nats:4222');
    expect(await valueOf(platform.exports['networkName'])).toBe('switchboard-dev');
    for (const service of SERVICE_NAMES) {
      expect(await valueOf(platform.exports[`${service}NatsUser`])).toBe(service);
      expect(await valueOf(platform.exports[`${service}NatsPassword`])).toBe(`${service}-nats-pw`);
      expect(await pulumi.isSecret(platform.exports[`${service}NatsPassword`])).toBe(true);
    }
    expect(platform.exports).not.toHaveProperty('gatewayDatabaseUrl');
    for (const service of DATABASE_SERVICES) {
      expect(await valueOf(platform.exports[`${service}DatabaseUrl`])).toBe(
        `postgres://${service}:${service}-db-pw@postgres:5432/${service}`,
      );
      expect(await pulumi.isSecret(platform.exports[`${service}DatabaseUrl`])).toBe(true);
    }
  });

  it('exports the topology it was set up for, and index.ts exports every output the stack defines', async () => {
    expect(await valueOf(platform.exports['topology'])).toBe('services');
    // The outputs depend on the topology, so the program exports the record itself.
    const index = readFileSync(join(__dirname, 'index.ts'), 'utf8');
    expect(index).toMatch(/^export = definePlatformFromConfig\(loadManifest\(\)\)\.exports;$/m);
  });
});

describe('platform stack platform-dev in the monolith topology', () => {
  let recorded: RecordedResource[];
  let platform: PlatformStackOutputs;

  beforeAll(async () => {
    ({ recorded, platform } = await platformIn(MONOLITH_TOPOLOGY));
  });

  it('has one NATS user for the monolith whose rights are the union of its four domains’', () => {
    const nats = ofType(recorded, CONTAINER).find(
      (container) => container.inputs['name'] === 'switchboard-dev-nats',
    ) as RecordedResource;
    const [upload] = nats.inputs['uploads'] as { content: string }[];
    const users = [...upload.content.matchAll(/user: "([^"]+)"/g)].map((match) => match[1]);
    expect(users.sort()).toEqual(['gateway', 'monolith', 'stream-provisioner']);
    const fixture = fixtureManifest();
    const domains = processOf(MONOLITH_TOPOLOGY, 'monolith').domains;
    // It hosts every domain: the committed four first, in their order.
    expect([...domains].sort()).toEqual([...DATABASE_SERVICES].sort());
    expect(domains.slice(0, ORIGINAL_DOMAINS.length)).toEqual(ORIGINAL_DOMAINS);
    for (const domain of domains) {
      for (const subject of fixture.services[domain].answers) {
        expect(upload.content).toContain(`"${subject}"`);
      }
      for (const { consumer } of fixture.services[domain].consumes) {
        // Durable names stay per domain: moving a domain keeps its consumers' positions.
        expect(upload.content).toContain(consumer);
      }
    }
  });

  it('still creates a database per domain, and exports the monolith’s user and every URL', async () => {
    const postgres = ofType(recorded, CONTAINER).find(
      (container) => container.inputs['name'] === 'switchboard-dev-postgres',
    ) as RecordedResource;
    const [upload] = postgres.inputs['uploads'] as { content: string }[];
    expect(upload.content.match(/CREATE DATABASE "(\w+)"/g)).toEqual(
      DATABASE_SERVICES.map((domain) => `CREATE DATABASE "${domain}"`),
    );
    expect(await valueOf(platform.exports['monolithNatsUser'])).toBe('monolith');
    expect(await valueOf(platform.exports['topology'])).toBe('monolith');
    expect(platform.exports).not.toHaveProperty('chatNatsUser');
    for (const domain of DATABASE_SERVICES) {
      expect(await valueOf(platform.exports[`${domain}DatabaseUrl`])).toBe(
        `postgres://${domain}:${domain}-db-pw@postgres:5432/${domain}`,
      );
    }
  });
});

describe('platform stack config', () => {
  const argsWith = (manifest: MessagingManifest) => ({
    env: 'dev',
    topology: SERVICES_TOPOLOGY,
    manifest,
    secrets: secrets(),
    postgresPassword: 'x',
    streamProvisionerPassword: 'p',
  });

  it('refuses a manifest that misses a service', () => {
    installMocks({ project: 'platform', stack: 'platform-dev' });
    const manifest = fixtureManifest();
    delete (manifest.services as Record<string, unknown>)['bots'];
    expect(() => definePlatform(argsWith(manifest))).toThrow(
      'The messaging manifest has no entry for bots',
    );
    // A manifest generated before the gateway was built has no user for it.
    const withoutGateway = fixtureManifest();
    delete (withoutGateway.services as Record<string, unknown>)['gateway'];
    expect(() => definePlatform(argsWith(withoutGateway))).toThrow(
      'The messaging manifest has no entry for gateway',
    );
  });

  it('refuses a database password for the gateway, a missing one for a domain, and users of another topology', () => {
    installMocks({ project: 'platform', stack: 'platform-dev' });
    const withGatewayDb = secrets();
    withGatewayDb.databases['gateway'] = 'x';
    expect(() =>
      definePlatform({ ...argsWith(fixtureManifest()), secrets: withGatewayDb }),
    ).toThrow('a database password for gateway, which topology services does not have');
    const withoutChatDb = secrets();
    delete withoutChatDb.databases['chat'];
    expect(() =>
      definePlatform({ ...argsWith(fixtureManifest()), secrets: withoutChatDb }),
    ).toThrow('no database password for chat');
    expect(() =>
      definePlatform({ ...argsWith(fixtureManifest()), secrets: secrets(MONOLITH_TOPOLOGY) }),
    ).toThrow(/no NATS password for chat.*a NATS password for monolith, which topology services/);
  });

  it('refuses, before creating anything, a manifest in which a service publishes what it does not own', () => {
    const recorded = installMocks({ project: 'platform', stack: 'platform-dev' });
    const manifest = fixtureManifest();
    manifest.services.bots.publishes.push('evt.chat.message.created.v1');
    expect(() => definePlatform(argsWith(manifest))).toThrow(
      /Service bots publishes evt\.chat\.message\.created\.v1/,
    );
    expect(recorded).toEqual([]);
  });

  it('requires every password as a secret from config, and a platform-<env> stack name', () => {
    installMocks({ project: 'platform', stack: 'platform-staging', completeState });
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(/chatNatsPassword/);
    for (const service of SERVICE_NAMES) {
      pulumi.runtime.setConfig(`platform:${service}NatsPassword`, `${service}-n`);
    }
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(/chatDatabasePassword/);
    // No gatewayDatabasePassword is asked for.
    for (const service of DATABASE_SERVICES) {
      pulumi.runtime.setConfig(`platform:${service}DatabasePassword`, `${service}-d`);
    }
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(/postgresPassword/);
    pulumi.runtime.setConfig('platform:postgresPassword', 'admin');
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(
      /streamProvisionerNatsPassword/,
    );
    pulumi.runtime.setConfig('platform:streamProvisionerNatsPassword', 'prov');
    // Observability is on unless the config turns it off: Grafana's admin password too.
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(/grafanaAdminPassword/);
    pulumi.runtime.setConfig('platform:grafanaAdminPassword', 'grafana');
    expect(definePlatformFromConfig(fixtureManifest()).exports['natsUrl']).toBeDefined();

    installMocks({ project: 'platform', stack: 'chat-dev' });
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(
      'Stack "chat-dev" must be named platform-<env>',
    );
  });

  it('reads the topology from config: the monolith’s NATS password, no chat user', async () => {
    installMocks({ project: 'platform', stack: 'platform-dev', completeState });
    pulumi.runtime.setConfig('platform:topology', 'monolith');
    pulumi.runtime.setConfig('platform:postgresPassword', 'admin');
    pulumi.runtime.setConfig('platform:streamProvisionerNatsPassword', 'prov');
    pulumi.runtime.setConfig('platform:grafanaAdminPassword', 'grafana');
    for (const domain of DATABASE_SERVICES) {
      pulumi.runtime.setConfig(`platform:${domain}DatabasePassword`, `${domain}-d`);
    }
    pulumi.runtime.setConfig('platform:gatewayNatsPassword', 'g');
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(/monolithNatsPassword/);
    pulumi.runtime.setConfig('platform:monolithNatsPassword', 'm');
    const exports = definePlatformFromConfig(fixtureManifest()).exports;
    expect(await valueOf(exports['topology'])).toBe('monolith');
    expect(
      Object.keys(exports)
        .filter((key) => key.endsWith('NatsUser'))
        .sort(),
    ).toEqual(['gatewayNatsUser', 'monolithNatsUser']);

    pulumi.runtime.setConfig('platform:topology', 'galaxy');
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(
      /topology galaxy: no topology "galaxy"; choose from mixed, monolith, services/,
    );
    pulumi.runtime.setConfig('platform:topology', 'services');
  });
});
