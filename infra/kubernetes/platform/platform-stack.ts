import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  assertSecretsFit,
  platformEnvOf,
  platformSecretsFrom,
  type PlatformSecrets,
  topologyFrom,
  userOutputs,
} from '../../components/platform-config';
import { manifestForTopology, type Topology } from '../../components/topology';
import {
  assertObservable,
  type ObservabilityArgs,
  observabilityFrom,
} from '../../components/observability';
import { APP_UID, POSTGRES_UID } from '../../docker/catalogue';
import { assertPinnedImage } from '../../components/pinned-image';
import {
  streamProvisionerEnv,
  streamProvisionerPasswordFrom,
} from '../../components/stream-provisioner';
import type { MessagingManifest } from '../../nats/manifest';
import { natsUsersOf, type NatsUser, SERVICES_ACCOUNT } from '../../nats/nats-config';
import { assertManifest, STREAM_PROVISIONER_USER } from '../../nats/permissions';
import { databaseUrl, renderPostgresInit } from '../../postgres/init-sql';
import { CHARTS, K8S_IMAGES, kubernetesPlatformOutputs as outputs } from '../catalogue';
import { defineKubernetesObservability, type KubernetesObservability } from './observability';

export type { PlatformSecrets };

export interface KubernetesPlatformArgs {
  /** `dev`, `staging`, …: the namespace is `switchboard-<env>`. */
  env: string;
  /** What runs on the platform: one NATS user per process. */
  topology: Topology;
  /** The generated manifest: an entry per domain and the gateway's. */
  manifest: MessagingManifest;
  /** Per process its NATS password, per domain its database password (secrets). */
  secrets: PlatformSecrets;
  postgresPassword: pulumi.Input<string>;
  /** NATS password of the stream provisioner, the only user that creates streams (secret). */
  streamProvisionerPassword: pulumi.Input<string>;
  /**
   * The stream provisioner's image (built from `infra/streams`, pushed by CI), pinned by digest or
   * tag like the services' images.
   */
  streamProvisionerImage: string;
  imagePullSecrets?: string[];
  /** NATS servers (and JetStream replicas of every stream). Default 3. */
  natsReplicas?: number;
  /** JetStream file store per NATS server. Default `10Gi`. */
  natsStorage?: string;
  /** Postgres data volume. Default `20Gi`. */
  postgresStorage?: string;
  /** Storage class of the volumes; the cluster default when unset. */
  storageClass?: string;
  /** Explicit provider (kubeconfig / context); the ambient one when unset. */
  provider?: k8s.Provider;
  /**
   * The OpenTelemetry Collector, Jaeger, Prometheus and Grafana in the namespace (see
   * observability.ts); unset: none. The stack's config turns them on unless `observability: false`.
   */
  observability?: ObservabilityArgs & {
    /** Prometheus' data volume. Default `10Gi`. */
    storage?: string;
  };
}

export interface KubernetesPlatformOutputs {
  /** Everything the stack exports, by output name (see `kubernetesPlatformOutputs`). */
  exports: Record<string, pulumi.Output<string | number>>;
  namespace: k8s.core.v1.Namespace;
  nats: k8s.helm.v3.Release;
  /** The Job that creates the streams; Pulumi waits for it to complete. */
  streamProvisioner: k8s.batch.v1.Job;
  postgres: k8s.apps.v1.StatefulSet;
  /** The `config.merge` of the NATS chart: the services' account and users. */
  natsAccounts: pulumi.Output<NatsAccountsConfig>;
  postgresInit: pulumi.Output<string>;
  /** Present when `observability` was given. */
  observability?: KubernetesObservability;
}

/** The accounts block the NATS chart merges into its `nats.conf`. */
export interface NatsAccountsConfig {
  accounts: Record<
    string,
    {
      jetstream: 'enabled';
      users: NatsUser[];
    }
  >;
}

const NATS_FULLNAME = 'nats';
const POSTGRES_NAME = 'postgres';

/**
 * The NATS accounts config for the chart's `config.merge`: one account holding one user per
 * service and the stream provisioner — the same users `renderNatsConfig` writes for Docker.
 */
export function natsAccountsConfig(
  manifest: MessagingManifest,
  passwords: Record<string, string>,
  provisionerPassword: string,
): NatsAccountsConfig {
  const users = natsUsersOf(manifest, passwords, provisionerPassword);
  return { accounts: { [SERVICES_ACCOUNT]: { jetstream: 'enabled', users } } };
}

/**
 * The shared platform on Kubernetes: the `switchboard-<env>` namespace; NATS as a JetStream cluster
 * (3 servers by default) from the official Helm chart, pinned, its accounts generated from the
 * messaging manifest (a user per process of the topology, a process hosting several domains
 * holding the union of their rights); Postgres as a StatefulSet with one role and one database per
 * domain; optionally the observability stack. Exports what each service stack needs.
 */
export function definePlatform(args: KubernetesPlatformArgs): KubernetesPlatformOutputs {
  // Fail before creating anything when the manifest claims a subject a process does not own, or
  // a password is missing for a user of the topology.
  const manifest = manifestForTopology(args.manifest, args.topology);
  assertManifest(manifest);
  assertSecretsFit(args.secrets, args.topology);
  if (args.observability !== undefined) assertObservable(args.topology, args.observability);
  assertPinnedImage(args.streamProvisionerImage);
  const databasePasswords = Object.entries(args.secrets.databases);
  const replicas = args.natsReplicas ?? 3;
  if (!Number.isInteger(replicas) || replicas < 1 || replicas % 2 === 0) {
    throw new Error(
      `natsReplicas must be an odd positive integer (JetStream quorum), not ${replicas}`,
    );
  }

  const opts: pulumi.CustomResourceOptions = { provider: args.provider };
  const labels = { 'app.kubernetes.io/part-of': 'switchboard', 'switchboard.platform': args.env };
  const namespaceName = `switchboard-${args.env}`;
  const namespace = new k8s.core.v1.Namespace(
    'namespace',
    {
      metadata: {
        name: namespaceName,
        labels: { ...labels, 'pod-security.kubernetes.io/enforce': 'baseline' },
      },
    },
    opts,
  );
  const ns = namespace.metadata.name;
  const inNamespace: pulumi.CustomResourceOptions = { ...opts, dependsOn: [namespace] };

  // ---- NATS: 3-node JetStream cluster from the official chart.
  const natsPasswords = pulumi.all(args.secrets.nats);
  const natsAccounts = pulumi.secret(
    pulumi
      .all([natsPasswords, args.streamProvisionerPassword])
      .apply(([passwords, provisionerPassword]) =>
        natsAccountsConfig(manifest, passwords, provisionerPassword),
      ),
  );
  const nats = new k8s.helm.v3.Release(
    'nats',
    {
      name: NATS_FULLNAME,
      chart: CHARTS.nats.chart,
      version: CHARTS.nats.version,
      repositoryOpts: { repo: CHARTS.nats.repo },
      namespace: ns,
      // Waits for the StatefulSet to be ready; a failed upgrade rolls back.
      atomic: true,
      timeout: 600,
      values: {
        fullnameOverride: NATS_FULLNAME,
        config: {
          cluster: { enabled: replicas > 1, replicas },
          jetstream: {
            enabled: true,
            fileStore: {
              enabled: true,
              pvc: {
                enabled: true,
                size: args.natsStorage ?? '10Gi',
                ...(args.storageClass === undefined ? {} : { storageClassName: args.storageClass }),
              },
            },
          },
          monitor: { enabled: true, port: 8222 },
          merge: natsAccounts,
        },
        container: {
          image: { tag: CHARTS.nats.imageTag },
          merge: {
            securityContext: {
              allowPrivilegeEscalation: false,
              capabilities: { drop: ['ALL'] },
            },
          },
        },
        podTemplate: {
          // NATS never runs as root; fsGroup hands it the JetStream volume.
          merge: {
            spec: {
              securityContext: {
                runAsNonRoot: true,
                runAsUser: Number(APP_UID),
                runAsGroup: Number(APP_UID),
                fsGroup: Number(APP_UID),
              },
            },
          },
          // Spread the servers: losing a node loses one JetStream replica, not the quorum.
          topologySpreadConstraints: {
            'kubernetes.io/hostname': { maxSkew: 1, whenUnsatisfiable: 'DoNotSchedule' },
          },
        },
        // nats-box is a debugging shell; not deployed by default.
        natsBox: { enabled: false },
      },
    },
    inNamespace,
  );

  // ---- JetStream streams: a Job with the only user allowed to create them, after the NATS
  // release is ready (Helm `atomic` waits for the servers); every stream gets the cluster's
  // replica count. Pulumi waits for the Job to complete; a changed stream definition changes its
  // pod template, which replaces the Job, so it runs again.
  const host = (service: string) => pulumi.interpolate`${service}.${ns}.svc.cluster.local`;
  const natsUrl = pulumi.interpolate`nats://${host(NATS_FULLNAME)}:4222`;
  const provisionerLabels = { ...labels, 'app.kubernetes.io/name': STREAM_PROVISIONER_USER };
  const provisionerSecret = new k8s.core.v1.Secret(
    'stream-provisioner-secret',
    {
      metadata: { namespace: ns, labels: provisionerLabels },
      type: 'Opaque',
      stringData: { NATS_PASSWORD: pulumi.secret(args.streamProvisionerPassword) },
    },
    inNamespace,
  );
  const provisionerEnv = natsUrl.apply((url) =>
    Object.entries(
      streamProvisionerEnv({
        natsUrl: url,
        manifest,
        replicas,
        // A fresh cluster elects its JetStream meta leader after the pods are ready.
        connectTimeoutSeconds: 300,
      }),
    ).map(([name, value]) => ({ name, value })),
  );
  const streamProvisioner = new k8s.batch.v1.Job(
    'stream-provisioner',
    {
      metadata: {
        namespace: ns,
        labels: provisionerLabels,
        // A Job that failed (NATS down too long, a refused change) is replaced on the next
        // `pulumi up` instead of being waited for again.
        annotations: { 'pulumi.com/replaceUnready': 'true' },
      },
      spec: {
        backoffLimit: 3,
        // Below Pulumi's 10-minute wait for a Job, so the Job fails with its own reason first.
        activeDeadlineSeconds: 540,
        template: {
          metadata: { labels: provisionerLabels },
          spec: {
            restartPolicy: 'Never',
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: Number(APP_UID),
              runAsGroup: Number(APP_UID),
              seccompProfile: { type: 'RuntimeDefault' },
            },
            imagePullSecrets: args.imagePullSecrets?.map((name) => ({ name })),
            containers: [
              {
                name: STREAM_PROVISIONER_USER,
                image: args.streamProvisionerImage,
                env: provisionerEnv.apply((env) => [
                  ...env,
                  {
                    name: 'NATS_PASSWORD',
                    valueFrom: {
                      secretKeyRef: {
                        name: provisionerSecret.metadata.name,
                        key: 'NATS_PASSWORD',
                      },
                    },
                  },
                ]),
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  readOnlyRootFilesystem: true,
                  capabilities: { drop: ['ALL'] },
                },
                resources: {
                  requests: { cpu: '50m', memory: '64Mi' },
                  limits: { cpu: '250m', memory: '128Mi' },
                },
              },
            ],
          },
        },
      },
    },
    { ...opts, dependsOn: [namespace, nats] },
  );

  // ---- Postgres: one role and one database per service that has one, the same init SQL as Docker.
  const databases = pulumi.all(
    databasePasswords.map(([service, password]) =>
      pulumi
        .output(password)
        .apply((clear) => ({ role: service, database: service, password: clear })),
    ),
  );
  const postgresInit = pulumi.secret(databases.apply((list) => renderPostgresInit(list)));
  const postgresLabels = { ...labels, 'app.kubernetes.io/name': POSTGRES_NAME };
  const postgresSecret = new k8s.core.v1.Secret(
    'postgres-secret',
    {
      metadata: { namespace: ns, labels: postgresLabels },
      type: 'Opaque',
      stringData: {
        POSTGRES_PASSWORD: pulumi.secret(args.postgresPassword),
        '10-switchboard.sql': postgresInit,
      },
    },
    inNamespace,
  );
  const postgresService = new k8s.core.v1.Service(
    'postgres-service',
    {
      metadata: { name: POSTGRES_NAME, namespace: ns, labels: postgresLabels },
      spec: {
        type: 'ClusterIP',
        selector: { 'app.kubernetes.io/name': POSTGRES_NAME },
        ports: [{ name: 'postgres', port: 5432, targetPort: 'postgres' }],
      },
    },
    inNamespace,
  );
  const uid = Number(POSTGRES_UID);
  const postgres = new k8s.apps.v1.StatefulSet(
    'postgres',
    {
      metadata: { name: POSTGRES_NAME, namespace: ns, labels: postgresLabels },
      spec: {
        serviceName: postgresService.metadata.name,
        replicas: 1,
        selector: { matchLabels: { 'app.kubernetes.io/name': POSTGRES_NAME } },
        template: {
          metadata: { labels: postgresLabels },
          spec: {
            automountServiceAccountToken: false,
            securityContext: {
              runAsNonRoot: true,
              runAsUser: uid,
              runAsGroup: uid,
              fsGroup: uid,
              seccompProfile: { type: 'RuntimeDefault' },
            },
            containers: [
              {
                name: POSTGRES_NAME,
                image: K8S_IMAGES.postgres,
                ports: [{ name: 'postgres', containerPort: 5432 }],
                env: [
                  {
                    name: 'POSTGRES_PASSWORD',
                    valueFrom: {
                      secretKeyRef: {
                        name: postgresSecret.metadata.name,
                        key: 'POSTGRES_PASSWORD',
                      },
                    },
                  },
                  // A subdirectory: the volume's root holds lost+found.
                  { name: 'PGDATA', value: '/var/lib/postgresql/data/pgdata' },
                ],
                securityContext: {
                  allowPrivilegeEscalation: false,
                  privileged: false,
                  capabilities: { drop: ['ALL'] },
                },
                resources: {
                  requests: { cpu: '500m', memory: '1Gi' },
                  limits: { cpu: '1', memory: '1Gi' },
                },
                readinessProbe: {
                  exec: { command: ['pg_isready', '-U', 'postgres', '-h', '127.0.0.1'] },
                  periodSeconds: 5,
                },
                livenessProbe: {
                  exec: { command: ['pg_isready', '-U', 'postgres', '-h', '127.0.0.1'] },
                  periodSeconds: 10,
                  failureThreshold: 6,
                },
                volumeMounts: [
                  { name: 'data', mountPath: '/var/lib/postgresql/data' },
                  { name: 'run', mountPath: '/var/run/postgresql' },
                  {
                    name: 'init',
                    mountPath: '/docker-entrypoint-initdb.d/10-switchboard.sql',
                    subPath: '10-switchboard.sql',
                    readOnly: true,
                  },
                ],
              },
            ],
            volumes: [
              { name: 'run', emptyDir: {} },
              {
                name: 'init',
                secret: {
                  secretName: postgresSecret.metadata.name,
                  items: [{ key: '10-switchboard.sql', path: '10-switchboard.sql' }],
                },
              },
            ],
          },
        },
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: args.storageClass,
              resources: { requests: { storage: args.postgresStorage ?? '20Gi' } },
            },
          },
        ],
      },
    },
    inNamespace,
  );

  const exports: Record<string, pulumi.Output<string | number>> = {
    [outputs.namespace]: ns,
    [outputs.natsUrl]: natsUrl,
    // Resolves once the Job has completed: services only check the streams it created.
    [outputs.streamsProvisioned]: streamProvisioner.metadata.name.apply(() => 'true'),
    [outputs.topology]: pulumi.output(args.topology.name),
  };
  Object.assign(
    exports,
    userOutputs(args.secrets, (domain, password) =>
      pulumi
        .all([password, host(POSTGRES_NAME)])
        .apply(([clear, postgresHost]) =>
          databaseUrl({ role: domain, database: domain, password: clear }, postgresHost),
        ),
    ),
  );

  const observability =
    args.observability === undefined
      ? undefined
      : defineKubernetesObservability({
          ...args.observability,
          env: args.env,
          topology: args.topology,
          namespace,
          namespaceName,
          labels,
          storageClass: args.storageClass,
          provider: args.provider,
        });
  Object.assign(exports, observability?.exports);
  return {
    exports,
    namespace,
    nats,
    streamProvisioner,
    postgres,
    natsAccounts,
    postgresInit,
    observability,
  };
}

/** Reads the stack's config (every password with `requireSecret`) and defines the platform. */
export function definePlatformFromConfig(manifest: MessagingManifest): KubernetesPlatformOutputs {
  const config = new pulumi.Config();
  const topology = topologyFrom(config);
  return definePlatform({
    env: platformEnvOf(pulumi.getStack()),
    topology,
    manifest,
    secrets: platformSecretsFrom(config, topology),
    postgresPassword: config.requireSecret('postgresPassword'),
    streamProvisionerPassword: streamProvisionerPasswordFrom(config),
    streamProvisionerImage: config.require('streamProvisionerImage'),
    imagePullSecrets: config.getObject<string[]>('imagePullSecrets'),
    natsReplicas: config.getNumber('natsReplicas'),
    natsStorage: config.get('natsStorage'),
    postgresStorage: config.get('postgresStorage'),
    storageClass: config.get('storageClass'),
    observability: observabilityWithStorage(config),
  });
}

/** The shared observability settings plus Prometheus' volume size (`prometheusStorage`). */
function observabilityWithStorage(
  config: pulumi.Config,
): KubernetesPlatformArgs['observability'] | undefined {
  const observability = observabilityFrom(config);
  return observability && { ...observability, storage: config.get('prometheusStorage') };
}
