import { IMAGES, platformOutputs } from '../docker/catalogue';

/**
 * Output names of the Kubernetes platform stack: the Docker platform's (`natsUrl`,
 * `streamsProvisioned`, `topology`, per process `<process>NatsUser` and `<process>NatsPassword`,
 * per domain `<domain>DatabaseUrl`, the last two secrets, and with observability on
 * `otlpEndpoint`, `grafanaUrl`, `prometheusUrl`, `jaegerUrl`) plus the `namespace` every service
 * stack deploys into.
 */
export const kubernetesPlatformOutputs = {
  natsUrl: platformOutputs.natsUrl,
  natsUser: platformOutputs.natsUser,
  natsPassword: platformOutputs.natsPassword,
  databaseUrl: platformOutputs.databaseUrl,
  streamsProvisioned: platformOutputs.streamsProvisioned,
  topology: platformOutputs.topology,
  otlpEndpoint: platformOutputs.otlpEndpoint,
  grafanaUrl: platformOutputs.grafanaUrl,
  prometheusUrl: platformOutputs.prometheusUrl,
  jaegerUrl: platformOutputs.jaegerUrl,
  namespace: 'namespace',
};

/** Pinned charts and images of the Kubernetes platform; never `latest`. */
export const CHARTS = {
  /**
   * The official NATS chart (nats-io/k8s), 3-node JetStream cluster. Bump deliberately, after
   * `helm search repo nats/nats --versions` and reading the chart's values changes.
   */
  nats: {
    chart: 'nats',
    repo: 'https://nats-io.github.io/k8s/helm/charts/',
    version: '1.2.8',
    /** Same server as the Docker platform's `nats:2.10.22-alpine`. */
    imageTag: '2.10.22-alpine',
  },
} as const;

export const K8S_IMAGES = {
  postgres: 'postgres:16.4-bookworm',
  // The Docker platform's: both mount the same configs (infra/observability), written for these.
  otelCollector: IMAGES.otelCollector,
  prometheus: IMAGES.prometheus,
  grafana: IMAGES.grafana,
  jaeger: IMAGES.jaeger,
} as const;
