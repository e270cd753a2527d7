import { parse } from 'yaml';
import {
  alertRules,
  assertObservable,
  dashboardFiles,
  observabilityFiles,
} from '../components/observability';
import { COMPONENT_LABEL, NAME_LABEL } from '../components/kubernetes-target';
import { MONOLITH_TOPOLOGY, SERVICES_TOPOLOGY } from '../testing/topologies';
import {
  COLLECTOR_CONFIG_PATH,
  GRAFANA_DASHBOARDS_DIR,
  GRAFANA_DATASOURCES_PATH,
  GRAFANA_PROVIDERS_PATH,
  PROMETHEUS_CONFIG_PATH,
  PROMETHEUS_RULES_PATH,
  renderCollectorConfig,
  renderGrafanaDashboardProviders,
  renderGrafanaDatasources,
  renderPrometheusConfig,
} from './prometheus';

interface ScrapeConfig {
  job_name: string;
  metrics_path?: string;
  static_configs?: { targets: string[] }[];
  dns_sd_configs?: { names: string[]; type: string; port: number }[];
  kubernetes_sd_configs?: { role: string; namespaces: { names: string[] } }[];
  relabel_configs?: Record<string, unknown>[];
}

interface PrometheusConfig {
  global: { scrape_interval: string; external_labels: Record<string, string> };
  rule_files: string[];
  scrape_configs: ScrapeConfig[];
}

const prometheusConfig = (yaml: string) => parse(yaml) as PrometheusConfig;
const targets = SERVICES_TOPOLOGY.processes.map((p) => ({ service: p.name, port: p.port }));

/** The `service` label a job's relabelling sets. */
function serviceLabelOf(job: ScrapeConfig): unknown {
  return job.relabel_configs?.find((relabel) => relabel['target_label'] === 'service')?.[
    'replacement'
  ];
}

describe('Prometheus config', () => {
  it('on Docker: a job per process, finding every replica by its network alias, labelled service', () => {
    const config = prometheusConfig(
      renderPrometheusConfig({ targets, discovery: { kind: 'docker' }, platform: 'dev' }),
    );
    expect(config.rule_files).toEqual([PROMETHEUS_RULES_PATH]);
    expect(config.global).toMatchObject({
      scrape_interval: '15s',
      external_labels: { platform: 'dev' },
    });
    for (const { service, port } of targets) {
      const job = config.scrape_configs.find((candidate) => candidate.job_name === service);
      expect(job).toMatchObject({
        metrics_path: '/metrics',
        dns_sd_configs: [{ names: [service], type: 'A', port }],
      });
      expect(serviceLabelOf(job as ScrapeConfig)).toBe(service);
    }
    expect(config.scrape_configs.find((job) => job.job_name === 'chat')?.dns_sd_configs).toEqual([
      { names: ['chat'], type: 'A', port: 3101 },
    ]);
  });

  it('on Kubernetes: the serving pods of each process in the namespace, by the labels its Deployment sets', () => {
    const config = prometheusConfig(
      renderPrometheusConfig({
        targets,
        discovery: { kind: 'kubernetes', namespace: 'switchboard-dev' },
        platform: 'dev',
      }),
    );
    const podLabel = (label: string) =>
      `__meta_kubernetes_pod_label_${label.replace(/[^a-zA-Z0-9_]/g, '_')}`;
    for (const { service, port } of targets) {
      const job = config.scrape_configs.find((candidate) => candidate.job_name === service);
      expect(job?.kubernetes_sd_configs).toEqual([
        { role: 'pod', namespaces: { names: ['switchboard-dev'] } },
      ]);
      expect(job?.relabel_configs?.[0]).toEqual({
        action: 'keep',
        source_labels: [
          podLabel(NAME_LABEL),
          podLabel(COMPONENT_LABEL),
          '__meta_kubernetes_pod_container_port_number',
        ],
        regex: `${service};server;${port}`,
      });
      expect(serviceLabelOf(job as ScrapeConfig)).toBe(service);
    }
  });

  it('scrapes the pipeline itself, so TargetDown covers the collector and Jaeger', () => {
    const config = prometheusConfig(
      renderPrometheusConfig({ targets, discovery: { kind: 'docker' }, platform: 'dev' }),
    );
    const statics = Object.fromEntries(
      config.scrape_configs
        .filter((job) => job.static_configs !== undefined)
        .map((job) => [job.job_name, job.static_configs?.[0].targets]),
    );
    expect(statics).toEqual({
      prometheus: ['localhost:9090'],
      'otel-collector': ['otel-collector:8888'],
      jaeger: ['jaeger:14269'],
    });
  });

  it('refuses a process name that is no job name or DNS label', () => {
    expect(() =>
      renderPrometheusConfig({
        targets: [{ service: 'Chat_1', port: 1 }],
        discovery: { kind: 'docker' },
        platform: 'dev',
      }),
    ).toThrow(/"Chat_1" cannot be a scrape job/);
  });
});

describe('OpenTelemetry Collector config', () => {
  const config = parse(renderCollectorConfig({ memoryLimitMib: 256 })) as {
    receivers: { otlp: { protocols: Record<string, { endpoint: string }> } };
    processors: { memory_limiter: { limit_mib: number; spike_limit_mib: number } };
    exporters: Record<string, { endpoint: string; tls: { insecure: boolean } }>;
    extensions: Record<string, { endpoint: string }>;
    service: {
      extensions: string[];
      telemetry: { metrics: { address: string } };
      pipelines: Record<string, { receivers: string[]; processors: string[]; exporters: string[] }>;
    };
  };

  it('receives OTLP over HTTP (4318) and gRPC (4317) on every interface', () => {
    expect(config.receivers.otlp.protocols).toEqual({
      grpc: { endpoint: '0.0.0.0:4317' },
      http: { endpoint: '0.0.0.0:4318' },
    });
  });

  it('sends traces, limited then batched, to Jaeger’s OTLP endpoint', () => {
    expect(config.service.pipelines).toEqual({
      traces: {
        receivers: ['otlp'],
        processors: ['memory_limiter', 'batch'],
        exporters: ['otlp/jaeger'],
      },
    });
    expect(config.exporters['otlp/jaeger']).toEqual({
      endpoint: 'jaeger:4317',
      tls: { insecure: true },
    });
    // Below the container's limit, with room for a spike.
    expect(config.processors.memory_limiter.limit_mib).toBeLessThan(256);
    expect(config.processors.memory_limiter.spike_limit_mib).toBeLessThan(
      config.processors.memory_limiter.limit_mib,
    );
  });

  it('answers health checks and serves its own metrics to Prometheus', () => {
    expect(config.service.extensions).toEqual(['health_check']);
    expect(config.extensions['health_check'].endpoint).toBe('0.0.0.0:13133');
    expect(config.service.telemetry.metrics.address).toBe('0.0.0.0:8888');
  });
});

describe('Grafana provisioning', () => {
  it('has Prometheus (default) and Jaeger as read-only data sources at their service names', () => {
    const { datasources } = parse(renderGrafanaDatasources()) as {
      datasources: Record<string, unknown>[];
    };
    expect(datasources).toEqual([
      expect.objectContaining({
        type: 'prometheus',
        url: 'http://prometheus:9090',
        isDefault: true,
        editable: false,
      }),
      expect.objectContaining({ type: 'jaeger', url: 'http://jaeger:16686', editable: false }),
    ]);
  });

  it('provisions the dashboards from their folder, no UI edits kept', () => {
    const { providers } = parse(renderGrafanaDashboardProviders()) as {
      providers: Record<string, unknown>[];
    };
    expect(providers).toEqual([
      expect.objectContaining({
        type: 'file',
        allowUiUpdates: false,
        options: expect.objectContaining({ path: GRAFANA_DASHBOARDS_DIR }),
      }),
    ]);
  });
});

describe('the files of each workload', () => {
  it('are the rendered configs and the committed rules and dashboards, at the paths the configs name', () => {
    const files = observabilityFiles({
      topology: MONOLITH_TOPOLOGY,
      discovery: { kind: 'docker' },
      platform: 'solo',
    });
    const byPath = (list: { path: string; content: string }[]) =>
      Object.fromEntries(list.map((file) => [file.path, file.content]));
    expect(Object.keys(byPath(files.collector))).toEqual([COLLECTOR_CONFIG_PATH]);
    const prometheus = byPath(files.prometheus);
    expect(prometheus[PROMETHEUS_RULES_PATH]).toBe(alertRules());
    const jobs = prometheusConfig(prometheus[PROMETHEUS_CONFIG_PATH]).scrape_configs;
    // The topology's processes: the monolith at 3100 and the gateway.
    expect(jobs.filter((job) => job.dns_sd_configs).map((job) => job.dns_sd_configs)).toEqual([
      [{ names: ['monolith'], type: 'A', port: 3100 }],
      [{ names: ['gateway'], type: 'A', port: 3000 }],
    ]);
    const grafana = byPath(files.grafana);
    expect(grafana[GRAFANA_DATASOURCES_PATH]).toBe(renderGrafanaDatasources());
    expect(grafana[GRAFANA_PROVIDERS_PATH]).toBe(renderGrafanaDashboardProviders());
    for (const { name, content } of dashboardFiles()) {
      expect(grafana[`${GRAFANA_DASHBOARDS_DIR}/${name}`]).toBe(content);
    }
  });

  it('refuses a process named like an observability workload, and a retention Prometheus rejects', () => {
    const clash = {
      name: 'odd',
      processes: [
        ...SERVICES_TOPOLOGY.processes,
        { ...SERVICES_TOPOLOGY.processes[0], name: 'grafana' },
      ],
    };
    expect(() => assertObservable(clash, { grafanaAdminPassword: 'x' })).toThrow(
      /process grafana of topology odd has the name of an observability workload/,
    );
    expect(() =>
      assertObservable(SERVICES_TOPOLOGY, { grafanaAdminPassword: 'x', retention: '2 weeks' }),
    ).toThrow('prometheusRetention must be a duration such as 15d or 12h, not "2 weeks"');
    expect(() =>
      assertObservable(SERVICES_TOPOLOGY, { grafanaAdminPassword: 'x', retention: '1w2d' }),
    ).not.toThrow();
  });
});
