import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import {
  assertObservable,
  type ObservabilityArgs,
  observabilityFrom,
} from '../../components/observability';
import {
  assertSecretsFit,
  platformEnvOf,
  platformSecretsFrom,
  type PlatformSecrets,
  topologyFrom,
  userOutputs,
} from '../../components/platform-config';
import {
  provisionerOutcome,
  STREAM_PROVISIONER_DIR,
  streamProvisionerEnv,
  streamProvisionerPasswordFrom,
} from '../../components/stream-provisioner';
import { manifestForTopology, type Topology } from '../../components/topology';
import { renderNatsConfig } from '../../nats/nats-config';
import type { MessagingManifest } from '../../nats/manifest';
import { assertManifest } from '../../nats/permissions';
import { databaseUrl, renderPostgresInit } from '../../postgres/init-sql';
import { APP_UID, IMAGES, platformOutputs, POSTGRES_UID } from '../catalogue';
import { type DockerObservability, defineDockerObservability } from './observability';

export type { PlatformSecrets };

export interface PlatformStackArgs {
  /** `dev`, `staging`, …: suffix of every name. */
  env: string;
  /** Folder of this program (holds `nats/Dockerfile`); defaults to the compiled program's folder. */
  platformDir?: string;
  /** Build context of the stream provisioner's image; defaults to `infra/streams`. */
  streamProvisionerDir?: string;
  /** What runs on the platform: one NATS user per process. */
  topology: Topology;
  /** The generated manifest: an entry per domain and the gateway's. */
  manifest: MessagingManifest;
  /** Per process its NATS password, per domain its database password (secrets). */
  secrets: PlatformSecrets;
  postgresPassword: pulumi.Input<string>;
  /** NATS password of the stream provisioner, the only user that creates streams (secret). */
  streamProvisionerPassword: pulumi.Input<string>;
  /** JetStream fsync interval, e.g. `2m` (server default) or `always`. */
  natsSyncInterval?: string;
  /**
   * Publish NATS (4222, 8222), Postgres (5432), and with observability Grafana (3000),
   * Prometheus (9090) and Jaeger's UI (16686) on the host at these ports (local use).
   */
  hostPorts?: {
    nats?: number;
    natsMonitor?: number;
    postgres?: number;
    grafana?: number;
    prometheus?: number;
    jaeger?: number;
  };
  natsMemoryMb?: number;
  postgresMemoryMb?: number;
  /**
   * The OpenTelemetry Collector, Jaeger, Prometheus and Grafana on the network (see
   * observability.ts); unset: none. The stack's config turns them on unless `observability: false`.
   */
  observability?: ObservabilityArgs;
}

export interface PlatformStackOutputs {
  /** Everything the stack exports, by output name (see `platformOutputs`). */
  exports: Record<string, pulumi.Output<string>>;
  network: docker.Network;
  nats: docker.Container;
  /** The one-shot that creates the streams; it has exited (0) when the stack is up. */
  streamProvisioner: docker.Container;
  postgres: docker.Container;
  natsConfig: pulumi.Output<string>;
  postgresInit: pulumi.Output<string>;
  /** Present when `observability` was given. */
  observability?: DockerObservability;
}

const NATS_CONFIG_PATH = '/etc/nats/nats.conf';
/** NATS's name on the platform network. */
const NATS_HOST = 'nats';
const NATS_DATA = '/data';
const POSTGRES_DATA = '/var/lib/postgresql/data';

/**
 * The shared platform on one Docker engine: a network, NATS with JetStream on a volume (config
 * generated from the messaging manifest: one user per process of the topology, least privilege —
 * a process hosting several domains gets the union of their rights), Postgres with one role and
 * one database per domain, and optionally the observability stack. Exports what each service
 * stack needs.
 */
export function definePlatform(args: PlatformStackArgs): PlatformStackOutputs {
  // Fail before creating anything when the manifest claims a subject a process does not own, or
  // a password is missing for a user of the topology.
  const manifest = manifestForTopology(args.manifest, args.topology);
  assertManifest(manifest);
  assertSecretsFit(args.secrets, args.topology);
  if (args.observability !== undefined) assertObservable(args.topology, args.observability);
  const databasePasswords = Object.entries(args.secrets.databases);

  const env = args.env;
  const labels = [{ label: 'switchboard.platform', value: env }];
  const network = new docker.Network('network', {
    name: `switchboard-${env}`,
    driver: 'bridge',
    labels,
  });

  // Built, not pulled: the upstream image with /data handed to uid 1000 (see nats/Dockerfile).
  const natsImage = new docker.Image('nats-image', {
    imageName: `switchboard/nats:${IMAGES.nats.split(':')[1]}`,
    build: {
      context: `${args.platformDir ?? __dirname}/nats`,
      args: { NATS_IMAGE: IMAGES.nats },
      platform: 'linux/amd64',
    },
    skipPush: true,
  });
  const postgresImage = new docker.RemoteImage('postgres-image', {
    name: IMAGES.postgres,
    keepLocally: true,
  });

  // ---- NATS
  const natsVolume = new docker.Volume('nats-data', { name: `switchboard-${env}-nats`, labels });
  const natsPasswords = pulumi.all(args.secrets.nats);
  const natsConfig = pulumi.secret(
    pulumi.all([natsPasswords, args.streamProvisionerPassword]).apply(([passwords, provisioner]) =>
      renderNatsConfig({
        manifest,
        passwords,
        provisionerPassword: provisioner,
        storeDir: `${NATS_DATA}/jetstream`,
        syncInterval: args.natsSyncInterval,
        serverName: `switchboard-${env}`,
      }),
    ),
  );
  const nats = new docker.Container('nats', {
    name: `switchboard-${env}-nats`,
    image: natsImage.imageName,
    command: ['nats-server', '-c', NATS_CONFIG_PATH],
    user: `${APP_UID}:${APP_UID}`,
    privileged: false,
    capabilities: { drops: ['ALL'] },
    securityOpts: ['no-new-privileges:true'],
    memory: args.natsMemoryMb ?? 512,
    restart: 'unless-stopped',
    uploads: [{ file: NATS_CONFIG_PATH, content: natsConfig }],
    volumes: [{ volumeName: natsVolume.name, containerPath: NATS_DATA }],
    healthcheck: {
      tests: ['CMD', 'wget', '-q', '-O', '/dev/null', 'http://127.0.0.1:8222/healthz'],
      interval: '5s',
      timeout: '3s',
      retries: 5,
      startPeriod: '10s',
    },
    networksAdvanced: [{ name: network.name, aliases: [NATS_HOST] }],
    ports: hostPorts([
      [4222, args.hostPorts?.nats],
      [8222, args.hostPorts?.natsMonitor],
    ]),
    labels,
  });

  // ---- JetStream streams: created by the provisioner, the only user allowed to; it waits for
  // NATS, applies the manifest's streams (one replica on a single server) and exits.
  const streamProvisionerImage = new docker.Image('stream-provisioner-image', {
    imageName: `switchboard/stream-provisioner:${env}`,
    build: {
      context: args.streamProvisionerDir ?? STREAM_PROVISIONER_DIR,
      platform: 'linux/amd64',
    },
    skipPush: true,
  });
  const provisionerEnv = Object.entries(
    streamProvisionerEnv({
      natsUrl: `nats://${NATS_HOST}:4222`,
      manifest,
      replicas: 1,
      connectTimeoutSeconds: 120,
    }),
  ).map(([key, value]) => `${key}=${value}`);
  const streamProvisioner = new docker.Container(
    'stream-provisioner',
    {
      name: `switchboard-${env}-stream-provisioner`,
      image: streamProvisionerImage.imageName,
      envs: pulumi
        .secret(args.streamProvisionerPassword)
        .apply((password) => [...provisionerEnv, `NATS_PASSWORD=${password}`]),
      user: `${APP_UID}:${APP_UID}`,
      privileged: false,
      readOnly: true,
      capabilities: { drops: ['ALL'] },
      securityOpts: ['no-new-privileges:true'],
      memory: 128,
      // A one-shot: Pulumi attaches, waits for it to exit and records the exit code. Any change
      // of its inputs (a stream definition, the password) replaces it, so it runs again.
      attach: true,
      mustRun: false,
      logs: true,
      restart: 'no',
      networksAdvanced: [{ name: network.name }],
      labels,
    },
    { dependsOn: [nats] },
  );
  // A failed run fails `pulumi up` here, with the provisioner's own words.
  const streamsProvisioned = pulumi
    .all([streamProvisioner.exitCode, streamProvisioner.containerLogs])
    .apply(([exitCode, logs]) => provisionerOutcome(exitCode, logs));

  // ---- Postgres
  const databases = pulumi.all(
    databasePasswords.map(([domain, password]) =>
      pulumi
        .output(password)
        .apply((clear) => ({ role: domain, database: domain, password: clear })),
    ),
  );
  const postgresInit = pulumi.secret(databases.apply((list) => renderPostgresInit(list)));
  const postgresVolume = new docker.Volume('postgres-data', {
    name: `switchboard-${env}-postgres`,
    labels,
  });
  const postgres = new docker.Container('postgres', {
    name: `switchboard-${env}-postgres`,
    image: postgresImage.imageId,
    // The image's data directory belongs to uid 999, so the entrypoint runs without gosu.
    user: `${POSTGRES_UID}:${POSTGRES_UID}`,
    privileged: false,
    capabilities: { drops: ['ALL'] },
    securityOpts: ['no-new-privileges:true'],
    memory: args.postgresMemoryMb ?? 1024,
    restart: 'unless-stopped',
    envs: [pulumi.interpolate`POSTGRES_PASSWORD=${pulumi.secret(args.postgresPassword)}`],
    uploads: [{ file: '/docker-entrypoint-initdb.d/10-switchboard.sql', content: postgresInit }],
    volumes: [{ volumeName: postgresVolume.name, containerPath: POSTGRES_DATA }],
    healthcheck: {
      tests: ['CMD', 'pg_isready', '-U', 'postgres', '-h', '127.0.0.1'],
      interval: '5s',
      timeout: '3s',
      retries: 5,
      startPeriod: '20s',
    },
    networksAdvanced: [{ name: network.name, aliases: ['postgres'] }],
    ports: hostPorts([[5432, args.hostPorts?.postgres]]),
    labels,
  });

  const exports: Record<string, pulumi.Output<string>> = {
    [platformOutputs.natsUrl]: pulumi.output(`nats://${NATS_HOST}:4222`),
    [platformOutputs.networkName]: network.name,
    [platformOutputs.streamsProvisioned]: streamsProvisioned,
    [platformOutputs.topology]: pulumi.output(args.topology.name),
  };
  Object.assign(
    exports,
    userOutputs(args.secrets, (domain, password) =>
      pulumi
        .output(password)
        .apply((clear) =>
          databaseUrl({ role: domain, database: domain, password: clear }, 'postgres'),
        ),
    ),
  );

  const observability =
    args.observability === undefined
      ? undefined
      : defineDockerObservability({
          ...args.observability,
          env,
          topology: args.topology,
          network,
          labels,
          hostPorts: args.hostPorts,
        });
  Object.assign(exports, observability?.exports);
  return {
    exports,
    network,
    nats,
    streamProvisioner,
    postgres,
    natsConfig,
    postgresInit,
    observability,
  };
}

function hostPorts(
  pairs: [number, number | undefined][],
): { internal: number; external: number }[] {
  return pairs
    .filter((pair): pair is [number, number] => pair[1] !== undefined)
    .map(([internal, external]) => ({ internal, external }));
}

/** Reads the stack's config (every password with `requireSecret`) and defines the platform. */
export function definePlatformFromConfig(manifest: MessagingManifest): PlatformStackOutputs {
  const config = new pulumi.Config();
  const topology = topologyFrom(config);
  return definePlatform({
    env: platformEnvOf(pulumi.getStack()),
    topology,
    manifest,
    secrets: platformSecretsFrom(config, topology),
    postgresPassword: config.requireSecret('postgresPassword'),
    streamProvisionerPassword: streamProvisionerPasswordFrom(config),
    natsSyncInterval: config.get('natsSyncInterval'),
    hostPorts: config.getObject('hostPorts'),
    observability: observabilityFrom(config),
  });
}
