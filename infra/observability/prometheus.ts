import { stringify } from 'yaml';

// The configuration files of the observability stack, rendered from what the platform runs. Both
// platform programs mount exactly these (Docker uploads, Kubernetes ConfigMaps), so the scrape
// jobs, the collector pipeline and Grafana's data sources cannot drift between targets. Only how
// Prometheus finds a process's replicas differs (DNS on Docker, the API on Kubernetes).

/** The observability workloads' names: Docker network aliases and Kubernetes Service names alike. */
export const OBSERVABILITY_HOSTS = {
  collector: 'otel-collector',
  prometheus: 'prometheus',
  grafana: 'grafana',
  jaeger: 'jaeger',
} as const;

export const OBSERVABILITY_PORTS = {
  /** The collector's OTLP receivers: what services export to (`OTEL_EXPORTER_OTLP_ENDPOINT`). */
  otlpGrpc: 4317,
  otlpHttp: 4318,
  /** The collector's own Prometheus metrics. */
  collectorMetrics: 8888,
  /** The collector's `health_check` extension. */
  collectorHealth: 13133,
  prometheus: 9090,
  grafana: 3000,
  jaegerUi: 16686,
  /** Jaeger's admin port: health at `/`, its own metrics at `/metrics`. */
  jaegerAdmin: 14269,
} as const;

/** Where Prometheus reads its config and rules, the same path on both targets. */
export const PROMETHEUS_CONFIG_DIR = '/etc/prometheus/switchboard';
export const PROMETHEUS_CONFIG_PATH = `${PROMETHEUS_CONFIG_DIR}/prometheus.yml`;
export const PROMETHEUS_RULES_PATH = `${PROMETHEUS_CONFIG_DIR}/switchboard.rules.yml`;
export const COLLECTOR_CONFIG_PATH = '/etc/otelcol-contrib/config.yaml';
/** The folder Grafana's dashboard provider reads (the dashboards/*.json files). */
export const GRAFANA_DASHBOARDS_DIR = '/etc/grafana/dashboards/switchboard';
/** Grafana's provisioning files; distinct names, so one ConfigMap can hold both. */
export const GRAFANA_DATASOURCES_PATH =
  '/etc/grafana/provisioning/datasources/switchboard-datasources.yaml';
export const GRAFANA_PROVIDERS_PATH =
  '/etc/grafana/provisioning/dashboards/switchboard-dashboards.yaml';

/**
 * Fixed data source uids: the dashboards name their data source by uid, so a provisioned data
 * source and a dashboard file agree without an id Grafana picks.
 */
export const DATASOURCE_UIDS = { prometheus: 'prometheus', jaeger: 'jaeger' } as const;

/** A process Prometheus scrapes at `GET /metrics`: the `service` label of its series, its port. */
export interface ScrapeTarget {
  service: string;
  port: number;
}

/**
 * How Prometheus finds the replicas of a process. `docker`: DNS, every container carrying the
 * process's network alias (a static target would reach one replica at random, and its counters
 * would jump between replicas). `kubernetes`: the pods of the namespace, kept when they are the
 * process's serving pods (its name and `server` component labels, its HTTP port).
 */
export type ScrapeDiscovery = { kind: 'docker' } | { kind: 'kubernetes'; namespace: string };

export interface PrometheusConfigArgs {
  targets: ScrapeTarget[];
  discovery: ScrapeDiscovery;
  /** `external_labels.platform`: which environment an alert or a federated series comes from. */
  platform: string;
  scrapeIntervalSeconds?: number;
}

type Relabel = Record<string, unknown>;

/** `prometheus.yml`: a job per process (label `service`), the platform's own parts, the rules. */
export function renderPrometheusConfig(args: PrometheusConfigArgs): string {
  const interval = `${args.scrapeIntervalSeconds ?? 15}s`;
  const serviceJobs = args.targets.map((target) => {
    assertName(target.service);
    const service: Relabel = { target_label: 'service', replacement: target.service };
    if (args.discovery.kind === 'docker') {
      return {
        job_name: target.service,
        metrics_path: '/metrics',
        dns_sd_configs: [{ names: [target.service], type: 'A', port: target.port }],
        relabel_configs: [service],
      };
    }
    return {
      job_name: target.service,
      metrics_path: '/metrics',
      kubernetes_sd_configs: [{ role: 'pod', namespaces: { names: [args.discovery.namespace] } }],
      relabel_configs: [
        {
          action: 'keep',
          source_labels: [
            '__meta_kubernetes_pod_label_app_kubernetes_io_name',
            '__meta_kubernetes_pod_label_app_kubernetes_io_component',
            '__meta_kubernetes_pod_container_port_number',
          ],
          regex: `${target.service};server;${target.port}`,
        },
        service,
        // The pod's name reads better than its address in a legend or an alert.
        { source_labels: ['__meta_kubernetes_pod_name'], target_label: 'instance' },
      ],
    };
  });
  const staticJob = (job: string, target: string) => ({
    job_name: job,
    static_configs: [{ targets: [target] }],
  });
  const hosts = OBSERVABILITY_HOSTS;
  const ports = OBSERVABILITY_PORTS;
  return stringify({
    global: {
      scrape_interval: interval,
      evaluation_interval: interval,
      external_labels: { platform: args.platform },
    },
    rule_files: [PROMETHEUS_RULES_PATH],
    scrape_configs: [
      ...serviceJobs,
      // The pipeline itself: `up == 0` (TargetDown) covers the collector, whose image has no shell
      // for a container health check.
      staticJob('prometheus', `localhost:${ports.prometheus}`),
      staticJob(hosts.collector, `${hosts.collector}:${ports.collectorMetrics}`),
      staticJob(hosts.jaeger, `${hosts.jaeger}:${ports.jaegerAdmin}`),
    ],
  });
}

/**
 * The collector's config: OTLP in (gRPC 4317, HTTP 4318, on every interface: since 0.104 the
 * receivers default to localhost, unreachable from other containers), the memory limiter first so
 * a burst is refused rather than kills it, batches, then OTLP out to Jaeger.
 */
export function renderCollectorConfig(args: { memoryLimitMib: number }): string {
  const ports = OBSERVABILITY_PORTS;
  // Headroom for the Go runtime above the limiter's ceiling: the container limit is the hard one.
  const limit = Math.floor(args.memoryLimitMib * 0.8);
  return stringify({
    receivers: {
      otlp: {
        protocols: {
          grpc: { endpoint: `0.0.0.0:${ports.otlpGrpc}` },
          http: { endpoint: `0.0.0.0:${ports.otlpHttp}` },
        },
      },
    },
    processors: {
      memory_limiter: {
        check_interval: '1s',
        limit_mib: limit,
        spike_limit_mib: Math.floor(limit / 4),
      },
      batch: {},
    },
    exporters: {
      'otlp/jaeger': {
        endpoint: `${OBSERVABILITY_HOSTS.jaeger}:${ports.otlpGrpc}`,
        // On the platform's own network; Jaeger's OTLP receiver serves plain gRPC.
        tls: { insecure: true },
      },
    },
    extensions: { health_check: { endpoint: `0.0.0.0:${ports.collectorHealth}` } },
    service: {
      extensions: ['health_check'],
      telemetry: { metrics: { address: `0.0.0.0:${ports.collectorMetrics}` } },
      pipelines: {
        traces: {
          receivers: ['otlp'],
          processors: ['memory_limiter', 'batch'],
          exporters: ['otlp/jaeger'],
        },
      },
    },
  });
}

/** Grafana's data sources: Prometheus (the default) and Jaeger, read-only, by fixed uid. */
export function renderGrafanaDatasources(): string {
  const hosts = OBSERVABILITY_HOSTS;
  const ports = OBSERVABILITY_PORTS;
  return stringify({
    apiVersion: 1,
    datasources: [
      {
        name: 'Prometheus',
        uid: DATASOURCE_UIDS.prometheus,
        type: 'prometheus',
        access: 'proxy',
        url: `http://${hosts.prometheus}:${ports.prometheus}`,
        isDefault: true,
        editable: false,
        jsonData: { timeInterval: '15s' },
      },
      {
        name: 'Jaeger',
        uid: DATASOURCE_UIDS.jaeger,
        type: 'jaeger',
        access: 'proxy',
        url: `http://${hosts.jaeger}:${ports.jaegerUi}`,
        editable: false,
      },
    ],
  });
}

/**
 * Grafana's dashboard provider: the files of `GRAFANA_DASHBOARDS_DIR`, in a Switchboard folder.
 * Dashboards are code: no edits saved from the UI, none deleted there.
 */
export function renderGrafanaDashboardProviders(): string {
  return stringify({
    apiVersion: 1,
    providers: [
      {
        name: 'switchboard',
        folder: 'Switchboard',
        type: 'file',
        disableDeletion: true,
        allowUiUpdates: false,
        updateIntervalSeconds: 60,
        options: { path: GRAFANA_DASHBOARDS_DIR, foldersFromFilesStructure: false },
      },
    ],
  });
}

/** A process name is a DNS label and a job name: refuse anything that would not scrape. */
function assertName(name: string): void {
  if (!/^[a-z][a-z0-9-]*$/.test(name)) {
    throw new Error(`"${name}" cannot be a scrape job: a process name is [a-z][a-z0-9-]*`);
  }
}
