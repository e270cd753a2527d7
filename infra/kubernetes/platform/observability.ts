import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  assertObservable,
  DEFAULT_RETENTION,
  GRAFANA_ENV,
  JAEGER_ENV,
  OBSERVABILITY_MEMORY_MB as MEMORY,
  type ObservabilityArgs,
  type ObservabilityFiles,
  observabilityFiles,
} from '../../components/observability';
import { assertPinnedImage } from '../../components/pinned-image';
import type { Topology } from '../../components/topology';
import { OBSERVABILITY_UIDS as UIDS } from '../../docker/catalogue';
import {
  COLLECTOR_CONFIG_PATH,
  OBSERVABILITY_HOSTS as HOSTS,
  OBSERVABILITY_PORTS as PORTS,
  PROMETHEUS_CONFIG_PATH,
} from '../../observability/prometheus';
import { K8S_IMAGES, kubernetesPlatformOutputs as outputs } from '../catalogue';
import {
  clusterService,
  configFiles,
  deployment,
  NAME_LABEL,
  type Placement,
  podTemplate,
} from './workload';

export interface KubernetesObservabilityArgs extends ObservabilityArgs {
  /** `dev`, `staging`, …: Prometheus' `external_labels.platform`. */
  env: string;
  topology: Topology;
  /** The platform's namespace: everything goes there, and Prometheus discovers pods only there. */
  namespace: k8s.core.v1.Namespace;
  /** Its name, known while planning: the scrape config names it. */
  namespaceName: string;
  labels: Record<string, string>;
  /** Prometheus' data volume. Default `10Gi`. */
  storage?: string;
  storageClass?: string;
  provider?: k8s.Provider;
}

export interface KubernetesObservability {
  collector: k8s.apps.v1.Deployment;
  jaeger: k8s.apps.v1.Deployment;
  prometheus: k8s.apps.v1.StatefulSet;
  grafana: k8s.apps.v1.Deployment;
  /** What each workload mounts (its ConfigMap). */
  files: ObservabilityFiles;
  /** `otlpEndpoint`, `grafanaUrl`, `prometheusUrl`, `jaegerUrl`: in-cluster addresses. */
  exports: Record<string, pulumi.Output<string>>;
}

const PROMETHEUS_DATA = '/prometheus';

/**
 * The observability stack in the platform's namespace: the OpenTelemetry Collector, Jaeger
 * all-in-one (traces in memory), Prometheus as a StatefulSet on a volume, discovering the serving
 * pods of each process of the topology through the API (a namespaced Role: list and watch pods,
 * nothing more), Grafana with both data sources and the committed dashboards. Each behind a
 * ClusterIP Service named like it (reach the UIs with `kubectl port-forward`).
 */
export function defineKubernetesObservability(
  args: KubernetesObservabilityArgs,
): KubernetesObservability {
  assertObservable(args.topology, args);
  for (const image of Object.values(K8S_IMAGES)) assertPinnedImage(image);
  const ns = args.namespace.metadata.name;
  const at: Placement = {
    namespace: ns,
    labels: args.labels,
    opts: { provider: args.provider, dependsOn: [args.namespace] },
  };
  const files = observabilityFiles({
    topology: args.topology,
    discovery: { kind: 'kubernetes', namespace: args.namespaceName },
    platform: args.env,
  });

  // ---- Jaeger: OTLP in from the collector, the UI on 16686.
  const jaegerPorts = [
    { name: 'otlp-grpc', port: PORTS.otlpGrpc },
    { name: 'ui', port: PORTS.jaegerUi },
    { name: 'admin', port: PORTS.jaegerAdmin },
  ];
  const tmp = { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } };
  const jaeger = deployment(
    {
      name: HOSTS.jaeger,
      image: K8S_IMAGES.jaeger,
      uid: UIDS.jaeger,
      memoryMb: MEMORY.jaeger,
      cpu: '500m',
      env: Object.entries(JAEGER_ENV).map(([name, value]) => ({ name, value })),
      ports: jaegerPorts,
      probe: { path: '/', port: PORTS.jaegerAdmin },
      readOnlyRootFilesystem: true,
      volumes: [tmp],
      mounts: [{ name: 'tmp', mountPath: '/tmp' }],
    },
    at,
  );
  clusterService(HOSTS.jaeger, jaegerPorts, at);

  // ---- Collector
  const collectorPorts = [
    { name: 'otlp-grpc', port: PORTS.otlpGrpc },
    { name: 'otlp-http', port: PORTS.otlpHttp },
    { name: 'metrics', port: PORTS.collectorMetrics },
    { name: 'health', port: PORTS.collectorHealth },
  ];
  const collectorConfig = configFiles(HOSTS.collector, files.collector, at);
  const collector = deployment(
    {
      name: HOSTS.collector,
      image: K8S_IMAGES.otelCollector,
      uid: UIDS.otelCollector,
      memoryMb: MEMORY.collector,
      cpu: '500m',
      args: [`--config=${COLLECTOR_CONFIG_PATH}`],
      ports: collectorPorts,
      probe: { path: '/', port: PORTS.collectorHealth },
      readOnlyRootFilesystem: true,
      volumes: collectorConfig.volumes,
      mounts: collectorConfig.mounts,
    },
    at,
  );
  clusterService(HOSTS.collector, collectorPorts, at);

  // ---- Prometheus: reads the pods of its namespace, no more.
  const serviceAccount = new k8s.core.v1.ServiceAccount(
    'prometheus-account',
    { metadata: { namespace: ns, labels: { ...args.labels, [NAME_LABEL]: HOSTS.prometheus } } },
    at.opts,
  );
  const role = new k8s.rbac.v1.Role(
    'prometheus-role',
    {
      metadata: { namespace: ns, labels: args.labels },
      rules: [{ apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] }],
    },
    at.opts,
  );
  const binding = new k8s.rbac.v1.RoleBinding(
    'prometheus-role-binding',
    {
      metadata: { namespace: ns, labels: args.labels },
      roleRef: { apiGroup: 'rbac.authorization.k8s.io', kind: 'Role', name: role.metadata.name },
      subjects: [{ kind: 'ServiceAccount', name: serviceAccount.metadata.name, namespace: ns }],
    },
    at.opts,
  );
  const prometheusPorts = [{ name: 'http', port: PORTS.prometheus }];
  const prometheusConfig = configFiles(HOSTS.prometheus, files.prometheus, at);
  const prometheusService = clusterService(HOSTS.prometheus, prometheusPorts, at);
  const prometheusPod = podTemplate(
    {
      name: HOSTS.prometheus,
      image: K8S_IMAGES.prometheus,
      uid: UIDS.prometheus,
      memoryMb: MEMORY.prometheus,
      cpu: '1',
      args: [
        `--config.file=${PROMETHEUS_CONFIG_PATH}`,
        `--storage.tsdb.path=${PROMETHEUS_DATA}`,
        `--storage.tsdb.retention.time=${args.retention ?? DEFAULT_RETENTION}`,
      ],
      ports: prometheusPorts,
      // Not ready while it replays its WAL, which can take minutes: alive all the same.
      probe: { path: '/-/ready', port: PORTS.prometheus, livenessPath: '/-/healthy' },
      readOnlyRootFilesystem: true,
      volumes: prometheusConfig.volumes,
      mounts: [...prometheusConfig.mounts, { name: 'data', mountPath: PROMETHEUS_DATA }],
      serviceAccountName: serviceAccount.metadata.name,
    },
    at,
  );
  const prometheus = new k8s.apps.v1.StatefulSet(
    HOSTS.prometheus,
    {
      metadata: {
        name: HOSTS.prometheus,
        namespace: ns,
        labels: { ...args.labels, [NAME_LABEL]: HOSTS.prometheus },
      },
      spec: {
        serviceName: prometheusService.metadata.name,
        replicas: 1,
        selector: { matchLabels: { [NAME_LABEL]: HOSTS.prometheus } },
        template: prometheusPod,
        volumeClaimTemplates: [
          {
            metadata: { name: 'data' },
            spec: {
              accessModes: ['ReadWriteOnce'],
              storageClassName: args.storageClass,
              resources: { requests: { storage: args.storage ?? '10Gi' } },
            },
          },
        ],
      },
    },
    { ...at.opts, dependsOn: [args.namespace, binding] },
  );

  // ---- Grafana: its database on an emptyDir; everything worth keeping is provisioned from files.
  const grafanaSecret = new k8s.core.v1.Secret(
    'grafana-secret',
    {
      metadata: { namespace: ns, labels: { ...args.labels, [NAME_LABEL]: HOSTS.grafana } },
      type: 'Opaque',
      stringData: { GF_SECURITY_ADMIN_PASSWORD: pulumi.secret(args.grafanaAdminPassword) },
    },
    at.opts,
  );
  const grafanaPorts = [{ name: 'http', port: PORTS.grafana }];
  const grafanaConfig = configFiles(HOSTS.grafana, files.grafana, at);
  const grafana = deployment(
    {
      name: HOSTS.grafana,
      image: K8S_IMAGES.grafana,
      uid: UIDS.grafana,
      memoryMb: MEMORY.grafana,
      cpu: '500m',
      env: [
        ...Object.entries(GRAFANA_ENV).map(([name, value]) => ({ name, value })),
        {
          name: 'GF_SECURITY_ADMIN_PASSWORD',
          valueFrom: {
            secretKeyRef: { name: grafanaSecret.metadata.name, key: 'GF_SECURITY_ADMIN_PASSWORD' },
          },
        },
      ],
      ports: grafanaPorts,
      probe: { path: '/api/health', port: PORTS.grafana },
      // Grafana's image expects to write outside its data folder too (its log folder, temporary
      // files): the root stays writable, as in Grafana's own chart.
      readOnlyRootFilesystem: false,
      volumes: [...grafanaConfig.volumes, { name: 'data', emptyDir: {} }],
      mounts: [...grafanaConfig.mounts, { name: 'data', mountPath: '/var/lib/grafana' }],
    },
    at,
  );
  clusterService(HOSTS.grafana, grafanaPorts, at);

  const address = (host: string, port: number) =>
    pulumi.interpolate`http://${host}.${ns}.svc.cluster.local:${port}`;
  const exports: Record<string, pulumi.Output<string>> = {
    [outputs.otlpEndpoint]: address(HOSTS.collector, PORTS.otlpHttp),
    [outputs.grafanaUrl]: address(HOSTS.grafana, PORTS.grafana),
    [outputs.prometheusUrl]: address(HOSTS.prometheus, PORTS.prometheus),
    [outputs.jaegerUrl]: address(HOSTS.jaeger, PORTS.jaegerUi),
  };
  return { collector, jaeger, prometheus, grafana, files, exports };
}
