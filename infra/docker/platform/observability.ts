import * as docker from '@pulumi/docker';
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
import {
  COLLECTOR_CONFIG_PATH,
  OBSERVABILITY_HOSTS as HOSTS,
  OBSERVABILITY_PORTS as PORTS,
  PROMETHEUS_CONFIG_PATH,
} from '../../observability/prometheus';
import { IMAGES, OBSERVABILITY_UIDS as UIDS, platformOutputs } from '../catalogue';

export interface DockerObservabilityArgs extends ObservabilityArgs {
  env: string;
  topology: Topology;
  /** The platform's network: the services export traces and are scraped on it. */
  network: docker.Network;
  labels: { label: string; value: string }[];
  /** Publish Grafana (3000), Prometheus (9090) and Jaeger's UI (16686) on the host at these ports. */
  hostPorts?: { grafana?: number; prometheus?: number; jaeger?: number };
}

export interface DockerObservability {
  collector: docker.Container;
  prometheus: docker.Container;
  grafana: docker.Container;
  jaeger: docker.Container;
  /** What each container was given (uploads). */
  files: ObservabilityFiles;
  /** `otlpEndpoint`, `grafanaUrl`, `prometheusUrl`, `jaegerUrl`. */
  exports: Record<string, pulumi.Output<string>>;
}

const PROMETHEUS_DATA = '/prometheus';

/**
 * The observability stack on the platform's Docker network: the OpenTelemetry Collector (OTLP from
 * the services, to Jaeger), Jaeger all-in-one (traces in memory), Prometheus (scrapes every
 * process of the topology by its network alias, evaluates the committed alerting rules; its data
 * on a volume) and Grafana (both as data sources, the committed dashboards). Every image pinned,
 * every container non-root with all capabilities dropped and a memory limit.
 */
export function defineDockerObservability(args: DockerObservabilityArgs): DockerObservability {
  assertObservable(args.topology, args);
  for (const image of [IMAGES.otelCollector, IMAGES.prometheus, IMAGES.grafana, IMAGES.jaeger]) {
    assertPinnedImage(image);
  }
  const env = args.env;
  const files = observabilityFiles({
    topology: args.topology,
    discovery: { kind: 'docker' },
    platform: env,
  });
  const image = (name: string, ref: string) =>
    new docker.RemoteImage(`${name}-image`, { name: ref, keepLocally: true });
  const common = (name: string, uid: number, memory: number) => ({
    name: `switchboard-${env}-${name}`,
    user: `${uid}:${uid}`,
    privileged: false,
    capabilities: { drops: ['ALL'] },
    securityOpts: ['no-new-privileges:true'],
    memory,
    restart: 'unless-stopped',
    networksAdvanced: [{ name: args.network.name, aliases: [name] }],
    labels: args.labels,
  });
  // Busybox's wget is in the Prometheus, Grafana and Jaeger images (not in the collector's).
  const httpCheck = (url: string) => ({
    tests: ['CMD', 'wget', '-q', '-O', '/dev/null', url],
    interval: '10s',
    timeout: '3s',
    retries: 5,
    startPeriod: '20s',
  });

  // Containers that are given files cannot be read-only: Docker refuses to copy into a read-only
  // root filesystem, and uploads are how a remote engine gets them.
  const jaeger = new docker.Container(HOSTS.jaeger, {
    ...common(HOSTS.jaeger, UIDS.jaeger, MEMORY.jaeger),
    image: image(HOSTS.jaeger, IMAGES.jaeger).imageId,
    envs: Object.entries(JAEGER_ENV).map(([key, value]) => `${key}=${value}`),
    readOnly: true,
    tmpfs: { '/tmp': 'rw,noexec,nosuid,size=64m' },
    healthcheck: httpCheck(`http://127.0.0.1:${PORTS.jaegerAdmin}/`),
    ports: published(PORTS.jaegerUi, args.hostPorts?.jaeger),
  });

  // The collector's image is FROM scratch: nothing to run a health check with. Prometheus scrapes
  // its own metrics, so TargetDown (`up == 0`) reports it down instead.
  const collector = new docker.Container(HOSTS.collector, {
    ...common(HOSTS.collector, UIDS.otelCollector, MEMORY.collector),
    image: image(HOSTS.collector, IMAGES.otelCollector).imageId,
    command: [`--config=${COLLECTOR_CONFIG_PATH}`],
    uploads: files.collector.map((file) => ({ file: file.path, content: file.content })),
  });

  const prometheusVolume = new docker.Volume('prometheus-data', {
    name: `switchboard-${env}-prometheus`,
    labels: args.labels,
  });
  const prometheus = new docker.Container(HOSTS.prometheus, {
    ...common(HOSTS.prometheus, UIDS.prometheus, MEMORY.prometheus),
    image: image(HOSTS.prometheus, IMAGES.prometheus).imageId,
    // The image's entrypoint is the binary: these replace its default flags.
    command: [
      `--config.file=${PROMETHEUS_CONFIG_PATH}`,
      `--storage.tsdb.path=${PROMETHEUS_DATA}`,
      `--storage.tsdb.retention.time=${args.retention ?? DEFAULT_RETENTION}`,
    ],
    uploads: files.prometheus.map((file) => ({ file: file.path, content: file.content })),
    // The image's /prometheus belongs to nobody: a new volume takes its ownership.
    volumes: [{ volumeName: prometheusVolume.name, containerPath: PROMETHEUS_DATA }],
    healthcheck: httpCheck(`http://127.0.0.1:${PORTS.prometheus}/-/ready`),
    ports: published(PORTS.prometheus, args.hostPorts?.prometheus),
  });

  // Grafana keeps its own database in the container: dashboards and data sources are provisioned
  // from files at every start, so replacing the container loses nothing that is not code.
  const grafana = new docker.Container(HOSTS.grafana, {
    ...common(HOSTS.grafana, UIDS.grafana, MEMORY.grafana),
    image: image(HOSTS.grafana, IMAGES.grafana).imageId,
    envs: pulumi
      .secret(args.grafanaAdminPassword)
      .apply((password) => [
        ...Object.entries(GRAFANA_ENV).map(([key, value]) => `${key}=${value}`),
        `GF_SECURITY_ADMIN_PASSWORD=${password}`,
      ]),
    uploads: files.grafana.map((file) => ({ file: file.path, content: file.content })),
    healthcheck: httpCheck(`http://127.0.0.1:${PORTS.grafana}/api/health`),
    ports: published(PORTS.grafana, args.hostPorts?.grafana),
  });

  // Published on the host: its address there (the engine is local). Otherwise: on the network.
  const url = (host: string, port: number, hostPort: number | undefined) =>
    pulumi.output(
      hostPort === undefined ? `http://${host}:${port}` : `http://localhost:${hostPort}`,
    );
  const exports: Record<string, pulumi.Output<string>> = {
    [platformOutputs.otlpEndpoint]: pulumi.output(`http://${HOSTS.collector}:${PORTS.otlpHttp}`),
    [platformOutputs.grafanaUrl]: url(HOSTS.grafana, PORTS.grafana, args.hostPorts?.grafana),
    [platformOutputs.prometheusUrl]: url(
      HOSTS.prometheus,
      PORTS.prometheus,
      args.hostPorts?.prometheus,
    ),
    [platformOutputs.jaegerUrl]: url(HOSTS.jaeger, PORTS.jaegerUi, args.hostPorts?.jaeger),
  };
  return { collector, prometheus, grafana, jaeger, files, exports };
}

function published(internal: number, external: number | undefined) {
  return external === undefined ? [] : [{ internal, external }];
}
