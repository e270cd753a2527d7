import * as pulumi from '@pulumi/pulumi';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { manifestForTopology } from '../../components/topology';
import { fixtureManifest } from '../../testing/fixture-manifest';
import { matchesNatsPasswordHash } from '../../nats/password-hash';
import {
  ManifestViolation,
  natsPermissionsFor,
  provisionerPermissions,
} from '../../nats/permissions';
import { isSecretValue, ofType, type RecordedResource, valueOf } from '../../testing/pulumi-mocks';
import { CHARTS } from '../catalogue';
import { installKubernetesMocks, K8S } from '../testing/kubernetes-mocks';
import {
  definePlatform,
  definePlatformFromConfig,
  type KubernetesPlatformOutputs,
  type NatsAccountsConfig,
} from './platform-stack';
import {
  DOMAIN_NAMES as DATABASE_SERVICES,
  MONOLITH_TOPOLOGY,
  platformSecrets as secrets,
  SERVICE_NAMES,
  SERVICES_TOPOLOGY,
} from '../../testing/topologies';

async function settle(platform: KubernetesPlatformOutputs): Promise<void> {
  await Promise.all(Object.values(platform.exports).map((output) => valueOf(output)));
  await valueOf(platform.nats.id);
  await valueOf(platform.postgres.id);
  await valueOf(platform.streamProvisioner.id);
}

const PROVISIONER_IMAGE = `acme/switchboard/stream-provisioner@sha256:${'b'.repeat(64)}`;

/** The arguments every test needs besides what it is about. */
function baseArgs() {
  return {
    env: 'dev',
    topology: SERVICES_TOPOLOGY,
    // Every deployable service, the gateway included (its entry as its build will produce it).
    manifest: fixtureManifest(),
    secrets: secrets(),
    postgresPassword: pulumi.secret('admin-pw'),
    streamProvisionerPassword: pulumi.secret('provisioner-pw'),
    streamProvisionerImage: PROVISIONER_IMAGE,
  };
}

interface JobSpec {
  backoffLimit: number;
  activeDeadlineSeconds: number;
  template: {
    spec: {
      restartPolicy: string;
      securityContext: Record<string, unknown>;
      containers: {
        image: string;
        env: { name: string; value?: string; valueFrom?: { secretKeyRef: { key: string } } }[];
        resources: { limits: { memory: string } };
        securityContext: Record<string, unknown>;
      }[];
    };
  };
}

interface NatsValues {
  fullnameOverride: string;
  config: {
    cluster: { enabled: boolean; replicas: number };
    jetstream: { enabled: boolean; fileStore: { enabled: boolean; pvc: { size: string } } };
    merge: NatsAccountsConfig;
  };
}

describe('kubernetes platform stack platform-dev', () => {
  let recorded: RecordedResource[];
  let platform: KubernetesPlatformOutputs;
  const only = (type: string) => {
    const found = ofType(recorded, type);
    expect(found).toHaveLength(1);
    return found[0];
  };

  beforeAll(async () => {
    recorded = installKubernetesMocks({ project: 'platform-k8s', stack: 'platform-dev' });
    platform = definePlatform(baseArgs());
    await settle(platform);
  });

  it('creates the switchboard-dev namespace and puts everything in it', () => {
    const namespace = only(K8S.namespace);
    expect((namespace.inputs['metadata'] as { name: string }).name).toBe('switchboard-dev');
    for (const resource of recorded.filter((r) => r.type !== K8S.namespace)) {
      const inNamespace =
        resource.type === K8S.helmRelease
          ? resource.inputs['namespace']
          : (resource.inputs['metadata'] as { namespace: string }).namespace;
      expect({ resource: resource.name, inNamespace }).toEqual({
        resource: resource.name,
        inNamespace: 'switchboard-dev',
      });
    }
  });

  it('installs NATS from the pinned official chart: a 3-server cluster with JetStream on PVCs', () => {
    const release = only(K8S.helmRelease);
    expect(release.inputs).toMatchObject({
      chart: 'nats',
      version: CHARTS.nats.version,
      repositoryOpts: { repo: CHARTS.nats.repo },
    });
    expect(release.inputs['version']).toMatch(/^\d+\.\d+\.\d+$/);
    const values = release.inputs['values'] as NatsValues;
    expect(values.fullnameOverride).toBe('nats');
    expect(values.config.cluster).toEqual({ enabled: true, replicas: 3 });
    expect(values.config.jetstream).toMatchObject({
      enabled: true,
      fileStore: { enabled: true, pvc: { enabled: true, size: '10Gi' } },
    });
  });

  it('merges one least-privilege user per service, derived from the manifest, as a secret', () => {
    const release = only(K8S.helmRelease);
    // The passwords reach the engine wrapped as secrets (the values, or the merged config in them).
    const values = release.rawInputs['values'] as Record<string, unknown>;
    const config = values['config'] as Record<string, unknown>;
    expect(isSecretValue(values) || isSecretValue(config) || isSecretValue(config['merge'])).toBe(
      true,
    );
    const manifest = fixtureManifest();
    const { accounts } = (release.inputs['values'] as NatsValues).config.merge;
    expect(Object.keys(accounts)).toEqual(['SWITCHBOARD']);
    expect(accounts['SWITCHBOARD'].jetstream).toBe('enabled');
    const users = accounts['SWITCHBOARD'].users;
    expect(users.map((user) => user.user)).toEqual([
      ...[...SERVICE_NAMES].sort(),
      'stream-provisioner',
    ]);
    for (const user of users.slice(0, -1)) {
      expect(matchesNatsPasswordHash(`${user.user}-nats-pw`, user.password)).toBe(true);
      expect(user.permissions).toEqual(natsPermissionsFor(user.user, manifest.services[user.user]));
    }
    const provisioner = users[users.length - 1];
    expect(matchesNatsPasswordHash('provisioner-pw', provisioner.password)).toBe(true);
    // The chart's values hold hashes only.
    expect(JSON.stringify(users)).not.toMatch(/-pw"/);
    expect(provisioner.permissions).toEqual(
      provisionerPermissions(manifest.streams.map((stream) => stream.name)),
    );
    // The gateway: live feeds of three streams and calls' pushes, no consumer of its own.
    const gateway = users.find((user) => user.user === 'gateway');
    expect(gateway?.permissions.publish.allow).toEqual(
      expect.arrayContaining([
        '$JS.API.STREAM.NAMES',
        '$JS.API.CONSUMER.CREATE.CHAT',
        '$JS.FC.CHAT.>',
        'rpc.calls.relay-signal.v1',
      ]),
    );
    expect(
      gateway?.permissions.publish.allow.some((subject) => /MSG\.NEXT|\$JS\.ACK/.test(subject)),
    ).toBe(false);
    expect(gateway?.permissions.subscribe.allow).toEqual([
      'push.calls.signal.v1.*',
      '_INBOX.gateway.>',
    ]);
  });

  it('creates one database and one role per service with a database, and nothing more', async () => {
    const init = await valueOf(platform.postgresInit);
    for (const service of DATABASE_SERVICES) {
      expect(init).toContain(`CREATE ROLE "${service}" LOGIN PASSWORD '${service}-db-pw'`);
      expect(init).toContain(`CREATE DATABASE "${service}" OWNER "${service}";`);
    }
    expect(init.match(/CREATE DATABASE/g)).toHaveLength(DATABASE_SERVICES.length);
    expect(init.match(/CREATE ROLE/g)).toHaveLength(DATABASE_SERVICES.length);
    expect(init).not.toContain('gateway');
    const secret = ofType(recorded, K8S.secret).find(
      (candidate) => candidate.name === 'postgres-secret',
    ) as RecordedResource;
    expect(isSecretValue(secret.rawInputs['stringData'])).toBe(true);
    expect((secret.inputs['stringData'] as Record<string, string>)['10-switchboard.sql']).toBe(
      init,
    );
  });

  it('runs Postgres as a non-root StatefulSet with its init SQL, volume, limits and probes', () => {
    const statefulSet = only(K8S.statefulSet);
    const spec = statefulSet.inputs['spec'] as {
      replicas: number;
      template: {
        spec: {
          securityContext: Record<string, unknown>;
          containers: {
            image: string;
            resources: { limits: { memory: string } };
            readinessProbe?: unknown;
            livenessProbe?: unknown;
            securityContext: Record<string, unknown>;
            volumeMounts: { mountPath: string }[];
          }[];
        };
      };
      volumeClaimTemplates: unknown[];
    };
    expect(spec.replicas).toBe(1);
    expect(spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 999,
    });
    const [container] = spec.template.spec.containers;
    expect(container.image).toMatch(/^postgres:\d+\.\d+/);
    expect(container.resources.limits.memory).toBeDefined();
    expect(container.readinessProbe).toBeDefined();
    expect(container.livenessProbe).toBeDefined();
    expect(container.securityContext).toMatchObject({ allowPrivilegeEscalation: false });
    expect(container.volumeMounts.map((mount) => mount.mountPath)).toContain(
      '/docker-entrypoint-initdb.d/10-switchboard.sql',
    );
    expect(spec.volumeClaimTemplates).toHaveLength(1);
    expect((only(K8S.service).inputs['metadata'] as { name: string }).name).toBe('postgres');
  });

  it('creates the streams with a Job: its own user, the cluster’s replicas, non-root, limited', () => {
    const job = only(K8S.job);
    const spec = job.inputs['spec'] as JobSpec;
    expect(job.inputs['metadata']).toMatchObject({
      annotations: { 'pulumi.com/replaceUnready': 'true' },
    });
    expect(spec.activeDeadlineSeconds).toBeLessThan(600);
    expect(spec.template.spec.restartPolicy).toBe('Never');
    expect(spec.template.spec.securityContext).toMatchObject({
      runAsNonRoot: true,
      runAsUser: 1000,
    });
    const [container] = spec.template.spec.containers;
    expect(container.image).toBe(PROVISIONER_IMAGE);
    expect(container.securityContext).toMatchObject({
      allowPrivilegeEscalation: false,
      privileged: false,
      readOnlyRootFilesystem: true,
      capabilities: { drop: ['ALL'] },
    });
    expect(container.resources.limits.memory).toBe('128Mi');
    const env = Object.fromEntries(container.env.map((entry) => [entry.name, entry]));
    expect(env['NATS_URL'].value).toBe('nats://nats.switchboard-dev.svc.cluster.local:4222');
    expect(env['NATS_USER'].value).toBe('stream-provisioner');
    // Every stream with the cluster's three replicas.
    expect(JSON.parse(env['STREAMS'].value as string)).toEqual(
      fixtureManifest().streams.map((stream) => ({ ...stream, num_replicas: 3 })),
    );
    // The password comes from a Secret, never inline.
    expect(env['NATS_PASSWORD'].value).toBeUndefined();
    expect(env['NATS_PASSWORD'].valueFrom?.secretKeyRef.key).toBe('NATS_PASSWORD');
    const secret = ofType(recorded, K8S.secret).find(
      (candidate) => candidate.name === 'stream-provisioner-secret',
    ) as RecordedResource;
    expect(isSecretValue(secret.rawInputs['stringData'])).toBe(true);
    expect(secret.inputs['stringData']).toEqual({ NATS_PASSWORD: 'provisioner-pw' });
  });

  it('exports per service the NATS URL, user, and password and DATABASE_URL as secrets', async () => {
    const exports = platform.exports;
    expect(await valueOf(exports['namespace'])).toBe('switchboard-dev');
    expect(await valueOf(exports['natsUrl'])).toBe(
      'nats://nats.switchboard-dev.svc.cluster.local:4222',
    );
    expect(await valueOf(exports['streamsProvisioned'])).toBe('true');
    for (const service of SERVICE_NAMES) {
      expect(await valueOf(exports[`${service}NatsUser`])).toBe(service);
      expect(await pulumi.isSecret(exports[`${service}NatsPassword`])).toBe(true);
    }
    expect(exports).not.toHaveProperty('gatewayDatabaseUrl');
    for (const service of DATABASE_SERVICES) {
      expect(await pulumi.isSecret(exports[`${service}DatabaseUrl`])).toBe(true);
      expect(await valueOf(exports[`${service}DatabaseUrl`])).toBe(
        `postgres://${service}:${service}-db-pw@postgres.switchboard-dev.svc.cluster.local:5432/${service}`,
      );
    }
  });
});

describe('kubernetes platform stack entry point', () => {
  it('exports the record the stack defines, the topology included', async () => {
    installKubernetesMocks({ project: 'platform-k8s', stack: 'platform-dev' });
    const platform = definePlatform(baseArgs());
    await settle(platform);
    expect(await valueOf(platform.exports['topology'])).toBe('services');
    // The outputs depend on the topology, so the program exports the record itself.
    const index = readFileSync(join(__dirname, 'index.ts'), 'utf8');
    expect(index).toMatch(/^export = definePlatformFromConfig\(loadManifest\(\)\)\.exports;$/m);
  });
});

describe('kubernetes platform stack platform-dev in the monolith topology', () => {
  it('merges one NATS user for the monolith: the union of its domains’ rights, no more', async () => {
    const recorded = installKubernetesMocks({ project: 'platform-k8s', stack: 'platform-dev' });
    const platform = definePlatform({
      ...baseArgs(),
      topology: MONOLITH_TOPOLOGY,
      secrets: secrets(MONOLITH_TOPOLOGY),
    });
    await settle(platform);
    const [release] = ofType(recorded, K8S.helmRelease);
    const users = (release.inputs['values'] as NatsValues).config.merge.accounts['SWITCHBOARD']
      .users;
    expect(users.map((user) => user.user)).toEqual(['gateway', 'monolith', 'stream-provisioner']);
    const monolith = users[1];
    expect(matchesNatsPasswordHash('monolith-nats-pw', monolith.password)).toBe(true);
    const fixture = fixtureManifest();
    expect(monolith.permissions).toEqual(
      natsPermissionsFor(
        'monolith',
        manifestForTopology(fixture, MONOLITH_TOPOLOGY).services['monolith'],
      ),
    );
    // Everything each domain's own service could do, the monolith can (its inbox aside).
    const notInbox = (subject: string) => !subject.startsWith('_INBOX.');
    for (const domain of DATABASE_SERVICES) {
      const own = natsPermissionsFor(domain, fixture.services[domain]);
      expect(monolith.permissions.publish.allow).toEqual(
        expect.arrayContaining(own.publish.allow.filter(notInbox)),
      );
      expect(monolith.permissions.subscribe.allow).toEqual(
        expect.arrayContaining(own.subscribe.allow.filter(notInbox)),
      );
    }
    expect(monolith.permissions.subscribe.allow).toContain('_INBOX.monolith.>');
    expect(await valueOf(platform.exports['monolithNatsUser'])).toBe('monolith');
    expect(await valueOf(platform.exports['chatDatabaseUrl'])).toBe(
      'postgres://chat:chat-db-pw@postgres.switchboard-dev.svc.cluster.local:5432/chat',
    );
  });
});

describe('kubernetes platform stack checks', () => {
  it('refuses an even number of NATS servers (no JetStream quorum)', () => {
    installKubernetesMocks({ project: 'platform-k8s', stack: 'platform-dev' });
    expect(() => definePlatform({ ...baseArgs(), natsReplicas: 2 })).toThrow(/odd/);
  });

  it('refuses a manifest in which a service publishes another domain’s event', () => {
    const recorded = installKubernetesMocks({ project: 'platform-k8s', stack: 'platform-dev' });
    const manifest = fixtureManifest();
    manifest.services['bots'].publishes.push('evt.chat.message.created.v1');
    expect(() => definePlatform({ ...baseArgs(), manifest })).toThrow(ManifestViolation);
    expect(recorded).toEqual([]);
  });

  it('refuses a stream provisioner image that is not pinned, before creating anything', () => {
    const recorded = installKubernetesMocks({ project: 'platform-k8s', stack: 'platform-dev' });
    expect(() =>
      definePlatform({ ...baseArgs(), streamProvisionerImage: 'acme/stream-provisioner:latest' }),
    ).toThrow(/pinned/);
    expect(recorded).toEqual([]);
  });

  it('reads every password with requireSecret from the platform-<env> stack config', () => {
    installKubernetesMocks({ project: 'platform-k8s', stack: 'platform-staging' });
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(/NatsPassword/);
    for (const service of SERVICE_NAMES) {
      pulumi.runtime.setConfig(`platform-k8s:${service}NatsPassword`, `${service}-n`);
    }
    // No gatewayDatabasePassword is asked for.
    for (const service of DATABASE_SERVICES) {
      pulumi.runtime.setConfig(`platform-k8s:${service}DatabasePassword`, `${service}-d`);
    }
    pulumi.runtime.setConfig('platform-k8s:postgresPassword', 'admin');
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(
      /streamProvisionerNatsPassword/,
    );
    pulumi.runtime.setConfig('platform-k8s:streamProvisionerNatsPassword', 'prov');
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(/streamProvisionerImage/);
    pulumi.runtime.setConfig('platform-k8s:streamProvisionerImage', PROVISIONER_IMAGE);
    // Observability is on unless the config turns it off: Grafana's admin password too.
    expect(() => definePlatformFromConfig(fixtureManifest())).toThrow(/grafanaAdminPassword/);
    pulumi.runtime.setConfig('platform-k8s:grafanaAdminPassword', 'grafana');
    expect(definePlatformFromConfig(fixtureManifest()).exports['natsUrl']).toBeDefined();
  });
});
