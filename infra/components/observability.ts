import { readdirSync, readFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import * as pulumi from '@pulumi/pulumi';
import {
  COLLECTOR_CONFIG_PATH,
  GRAFANA_DASHBOARDS_DIR,
  GRAFANA_DATASOURCES_PATH,
  GRAFANA_PROVIDERS_PATH,
  OBSERVABILITY_HOSTS,
  PROMETHEUS_CONFIG_PATH,
  PROMETHEUS_RULES_PATH,
  renderCollectorConfig,
  renderGrafanaDashboardProviders,
  renderGrafanaDatasources,
  renderPrometheusConfig,
  type ScrapeDiscovery,
} from '../observability/prometheus';
import type { Topology } from './topology';

// What both platform programs share of the observability stack (OpenTelemetry Collector,
// Prometheus, Grafana, Jaeger): the files each workload reads, its memory, and the stack's config.
// Each program turns these into its own resources (containers and uploads, or Deployments and
// ConfigMaps).

/** The plain files: `dashboards/*.json` and `alerts/switchboard.rules.yml`. */
export const OBSERVABILITY_DIR = join(__dirname, '..', 'observability');

/** A file as a workload reads it: its absolute path in the container, and its content. */
export interface MountedFile {
  path: string;
  content: string;
}

/** Each workload's files. Jaeger keeps traces in memory and reads none. */
export interface ObservabilityFiles {
  collector: MountedFile[];
  prometheus: MountedFile[];
  grafana: MountedFile[];
}

/** Memory limit of each workload, in MiB. Jaeger's bounds its in-memory store (`MEMORY_MAX_TRACES`). */
export const OBSERVABILITY_MEMORY_MB = {
  collector: 256,
  prometheus: 1024,
  grafana: 256,
  jaeger: 512,
} as const;

/** Jaeger all-in-one: OTLP in from the collector, traces in memory, bounded. */
export const JAEGER_ENV: Record<string, string> = {
  COLLECTOR_OTLP_ENABLED: 'true',
  SPAN_STORAGE_TYPE: 'memory',
  MEMORY_MAX_TRACES: '20000',
};

/** Grafana hardening shared by both targets; the admin password comes separately, as a secret. */
export const GRAFANA_ENV: Record<string, string> = {
  GF_USERS_ALLOW_SIGN_UP: 'false',
  GF_AUTH_ANONYMOUS_ENABLED: 'false',
  GF_ANALYTICS_REPORTING_ENABLED: 'false',
  GF_ANALYTICS_CHECK_FOR_UPDATES: 'false',
  GF_DASHBOARDS_DEFAULT_HOME_DASHBOARD_PATH: `${GRAFANA_DASHBOARDS_DIR}/switchboard-red.json`,
};

/** What the stack's config says of observability; `undefined` when it is off. */
export interface ObservabilityArgs {
  /** Password of Grafana's `admin` (secret). */
  grafanaAdminPassword: pulumi.Input<string>;
  /** How long Prometheus keeps samples (`--storage.tsdb.retention.time`). Default `7d`. */
  retention?: string;
}

export const DEFAULT_RETENTION = '7d';

/**
 * The stack's observability settings: on unless config `observability` is `false`; then
 * `grafanaAdminPassword` is required, as a secret, like every password of the platform.
 */
export function observabilityFrom(config: pulumi.Config): ObservabilityArgs | undefined {
  if (config.getBoolean('observability') === false) return undefined;
  return {
    grafanaAdminPassword: config.requireSecret('grafanaAdminPassword'),
    retention: config.get('prometheusRetention'),
  };
}

/**
 * Refuses, before anything is created, what would break the stack at run time: a process named
 * like an observability workload (the two would share a network alias or a Service name), or a
 * retention Prometheus would not parse.
 */
export function assertObservable(topology: Topology, args: ObservabilityArgs): void {
  const taken: string[] = Object.values(OBSERVABILITY_HOSTS);
  const clashes = topology.processes.filter((process) => taken.includes(process.name));
  if (clashes.length > 0) {
    throw new Error(
      `Observability: process ${clashes.map((process) => process.name).join(', ')} of topology ${topology.name} has the name of an observability workload (${taken.join(', ')})`,
    );
  }
  const retention = args.retention ?? DEFAULT_RETENTION;
  if (!/^(\d+(ms|s|m|h|d|w|y))+$/.test(retention)) {
    throw new Error(
      `prometheusRetention must be a duration such as 15d or 12h, not "${retention}"`,
    );
  }
}

/** The Grafana dashboards (`dashboards/*.json`), by file name, in name order. */
export function dashboardFiles(): { name: string; content: string }[] {
  const dir = join(OBSERVABILITY_DIR, 'dashboards');
  return readdirSync(dir)
    .filter((file) => file.endsWith('.json'))
    .sort()
    .map((name) => ({ name, content: readFileSync(join(dir, name), 'utf8') }));
}

/** The Prometheus alerting rules, as committed. */
export function alertRules(): string {
  return readFileSync(join(OBSERVABILITY_DIR, 'alerts', 'switchboard.rules.yml'), 'utf8');
}

/**
 * Every file of every workload for a platform: Prometheus scrapes each process of the topology
 * (label `service` = the process name) as `discovery` says, with the committed rules; the collector
 * sends traces to Jaeger; Grafana provisions both data sources and the committed dashboards.
 */
export function observabilityFiles(args: {
  topology: Topology;
  discovery: ScrapeDiscovery;
  /** The platform's env (`dev`, …): Prometheus' `external_labels.platform`. */
  platform: string;
}): ObservabilityFiles {
  return {
    collector: [
      {
        path: COLLECTOR_CONFIG_PATH,
        content: renderCollectorConfig({ memoryLimitMib: OBSERVABILITY_MEMORY_MB.collector }),
      },
    ],
    prometheus: [
      {
        path: PROMETHEUS_CONFIG_PATH,
        content: renderPrometheusConfig({
          targets: args.topology.processes.map((process) => ({
            service: process.name,
            port: process.port,
          })),
          discovery: args.discovery,
          platform: args.platform,
        }),
      },
      { path: PROMETHEUS_RULES_PATH, content: alertRules() },
    ],
    grafana: [
      { path: GRAFANA_DATASOURCES_PATH, content: renderGrafanaDatasources() },
      { path: GRAFANA_PROVIDERS_PATH, content: renderGrafanaDashboardProviders() },
      ...dashboardFiles().map(({ name, content }) => ({
        path: `${GRAFANA_DASHBOARDS_DIR}/${name}`,
        content,
      })),
    ],
  };
}

/** The files' names must differ within a workload: Kubernetes keys a ConfigMap by them. */
export function fileKey(file: MountedFile): string {
  return basename(file.path);
}
