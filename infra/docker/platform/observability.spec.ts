import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { alertRules, dashboardFiles } from '../../components/observability';
import { assertPinnedImage } from '../../components/pinned-image';
import type { Topology } from '../../components/topology';
import {
  COLLECTOR_CONFIG_PATH,
  GRAFANA_DASHBOARDS_DIR,
  GRAFANA_PROVIDERS_PATH,
  PROMETHEUS_CONFIG_PATH,
  PROMETHEUS_RULES_PATH,
} from '../../observability/prometheus';
import { fixtureManifest } from '../../testing/fixture-manifest';
import {
  CONTAINER,
  envOf,
  installMocks,
  isSecretValue,
  ofType,
  type RecordedResource,
  REMOTE_IMAGE,
  valueOf,
  VOLUME,
} from '../../testing/pulumi-mocks';
import {
  DOMAIN_NAMES,
  MONOLITH_TOPOLOGY,
  platformSecrets as secrets,
  SERVICES_TOPOLOGY,
} from '../../testing/topologies';
import { IMAGES } from '../catalogue';
import { definePlatform, definePlatformFromConfig, type PlatformStackArgs } from './platform-stack';

const OBSERVABILITY = ['otel-collector', 'prometheus', 'grafana', 'jaeger'];

/** The provider's view: a one-shot exited 0; a pulled image's id (here, its reference). */
function completeState(args: pulumi.runtime.MockResourceArgs, state: Record<string, unknown>) {
  if (args.type === CONTAINER && args.inputs['attach'] === true) {
    state['exitCode'] = 0;
    state['containerLogs'] = '';
  }
  if (args.type === REMOTE_IMAGE) state['imageId'] = args.inputs['name'];
}

async function platformWith(
  extra: Partial<PlatformStackArgs>,
  topology: Topology = SERVICES_TOPOLOGY,
): Promise<{ recorded: RecordedResource[]; exports: Record<string, string> }> {
  const recorded = installMocks({ project: 'platform', stack: 'platform-dev', completeState });
  const platform = definePlatform({
    env: 'dev',
    topology,
    manifest: fixtureManifest(),
    secrets: secrets(topology),
    postgresPassword: pulumi.secret('admin-pw'),
    streamProvisionerPassword: pulumi.secret('provisioner-pw'),
    ...extra,
  });
  const exports: Record<string, string> = {};
  for (const [key, output] of Object.entries(platform.exports))
    exports[key] = await valueOf(output);
  for (const container of Object.values(platform.observability ?? {})) {
    if (container instanceof pulumi.CustomResource) await valueOf(container.id);
  }
  return { recorded, exports };
}

const uploadsOf = (container: RecordedResource) =>
  Object.fromEntries(
    ((container.inputs['uploads'] ?? []) as { file: string; content: string }[]).map((upload) => [
      upload.file,
      upload.content,
    ]),
  );

describe('platform-dev with observability', () => {
  let recorded: RecordedResource[];
  let exports: Record<string, string>;
  const container = (name: string) =>
    ofType(recorded, CONTAINER).find(
      (candidate) => candidate.inputs['name'] === `switchboard-dev-${name}`,
    ) as RecordedResource;

  beforeAll(async () => {
    ({ recorded, exports } = await platformWith({
      observability: { grafanaAdminPassword: pulumi.secret('grafana-pw'), retention: '15d' },
      hostPorts: { grafana: 3001 },
    }));
  });

  it('runs the collector, Prometheus, Grafana and Jaeger from the pinned images of the catalogue', () => {
    const expected: Record<string, string> = {
      'otel-collector': IMAGES.otelCollector,
      prometheus: IMAGES.prometheus,
      grafana: IMAGES.grafana,
      jaeger: IMAGES.jaeger,
    };
    for (const [name, image] of Object.entries(expected)) {
      expect(() => assertPinnedImage(image)).not.toThrow();
      expect(image).not.toMatch(/:latest$/);
      expect(container(name).inputs['image']).toBe(image);
    }
    const pulled = ofType(recorded, REMOTE_IMAGE).map((image) => image.inputs['name']);
    expect(pulled).toEqual(expect.arrayContaining(Object.values(expected)));
    expect(pulled).toEqual([...new Set(pulled)]);
  });

  it('puts each on the platform network under its own name, hardened and limited', () => {
    for (const name of OBSERVABILITY) {
      const inputs = container(name).inputs;
      expect(inputs['networksAdvanced']).toEqual([{ name: 'switchboard-dev', aliases: [name] }]);
      expect(inputs['privileged']).toBe(false);
      expect(inputs['user']).toMatch(/^[1-9]\d*:[1-9]\d*$/);
      expect(inputs['capabilities']).toEqual({ drops: ['ALL'] });
      expect(inputs['securityOpts']).toContain('no-new-privileges:true');
      expect(inputs['memory']).toBeGreaterThan(0);
      expect(inputs['restart']).toBe('unless-stopped');
    }
  });

  it('checks the health of each over HTTP, but the collector’s (no shell), which Prometheus scrapes', () => {
    for (const name of ['prometheus', 'grafana', 'jaeger']) {
      const healthcheck = container(name).inputs['healthcheck'] as { tests: string[] };
      expect(healthcheck.tests.slice(0, 2)).toEqual(['CMD', 'wget']);
      expect(healthcheck.tests.at(-1)).toMatch(/^http:\/\/127\.0\.0\.1:\d+\//);
    }
    expect(container('otel-collector').inputs['healthcheck']).toBeUndefined();
    const config = parse(uploadsOf(container('prometheus'))[PROMETHEUS_CONFIG_PATH]) as {
      scrape_configs: { job_name: string; static_configs?: { targets: string[] }[] }[];
    };
    expect(
      config.scrape_configs.find((job) => job.job_name === 'otel-collector')?.static_configs,
    ).toEqual([{ targets: ['otel-collector:8888'] }]);
  });

  it('gives Prometheus its config, with a job per process labelled service, and the committed rules', () => {
    const prometheus = container('prometheus');
    const uploads = uploadsOf(prometheus);
    expect(prometheus.inputs['command']).toEqual([
      `--config.file=${PROMETHEUS_CONFIG_PATH}`,
      '--storage.tsdb.path=/prometheus',
      '--storage.tsdb.retention.time=15d',
    ]);
    const config = parse(uploads[PROMETHEUS_CONFIG_PATH]) as {
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        dns_sd_configs?: { names: string[]; port: number }[];
        relabel_configs?: { target_label: string; replacement: string }[];
      }[];
    };
    expect(config.rule_files).toEqual([PROMETHEUS_RULES_PATH]);
    expect(uploads[PROMETHEUS_RULES_PATH]).toBe(alertRules());
    for (const process of SERVICES_TOPOLOGY.processes) {
      const job = config.scrape_configs.find((candidate) => candidate.job_name === process.name);
      expect(job?.dns_sd_configs).toEqual([
        { names: [process.name], type: 'A', port: process.port },
      ]);
      expect(job?.relabel_configs).toContainEqual({
        target_label: 'service',
        replacement: process.name,
      });
    }
    expect(prometheus.inputs['volumes']).toEqual([
      { volumeName: 'switchboard-dev-prometheus', containerPath: '/prometheus' },
    ]);
    expect(ofType(recorded, VOLUME).map((volume) => volume.inputs['name'])).toContain(
      'switchboard-dev-prometheus',
    );
  });

  it('gives Grafana the committed dashboards where its provider reads them, and its password as a secret', () => {
    const grafana = container('grafana');
    const uploads = uploadsOf(grafana);
    const provider = parse(uploads[GRAFANA_PROVIDERS_PATH]) as {
      providers: { options: { path: string } }[];
    };
    expect(provider.providers[0].options.path).toBe(GRAFANA_DASHBOARDS_DIR);
    const dashboards = dashboardFiles();
    expect(dashboards.length).toBe(2);
    for (const { name, content } of dashboards) {
      expect(uploads[`${GRAFANA_DASHBOARDS_DIR}/${name}`]).toBe(content);
    }
    expect(envOf(grafana)['GF_SECURITY_ADMIN_PASSWORD']).toBe('grafana-pw');
    expect(isSecretValue(grafana.rawInputs['envs'])).toBe(true);
    expect(grafana.inputs['ports']).toEqual([{ internal: 3000, external: 3001 }]);
  });

  it('runs the collector with its config, and Jaeger read-only with OTLP on, published nowhere', () => {
    const collector = container('otel-collector');
    expect(collector.inputs['command']).toEqual([`--config=${COLLECTOR_CONFIG_PATH}`]);
    expect(Object.keys(uploadsOf(collector))).toEqual([COLLECTOR_CONFIG_PATH]);
    const jaeger = container('jaeger');
    expect(envOf(jaeger)).toMatchObject({ COLLECTOR_OTLP_ENABLED: 'true' });
    expect(jaeger.inputs['readOnly']).toBe(true);
    for (const name of ['otel-collector', 'prometheus', 'jaeger']) {
      expect(container(name).inputs['ports'] ?? []).toEqual([]);
    }
  });

  it('exports the collector’s OTLP endpoint and where Grafana, Prometheus and Jaeger are', () => {
    expect(exports).toMatchObject({
      otlpEndpoint: 'http://otel-collector:4318',
      // Published on the host: its address there; the others on the platform network.
      grafanaUrl: 'http://localhost:3001',
      prometheusUrl: 'http://prometheus:9090',
      jaegerUrl: 'http://jaeger:16686',
    });
  });
});

describe('platform observability settings', () => {
  it('scrapes the processes of the platform’s topology', async () => {
    const { recorded } = await platformWith(
      { observability: { grafanaAdminPassword: 'g' } },
      MONOLITH_TOPOLOGY,
    );
    const prometheus = ofType(recorded, CONTAINER).find(
      (container) => container.inputs['name'] === 'switchboard-dev-prometheus',
    ) as RecordedResource;
    const config = parse(uploadsOf(prometheus)[PROMETHEUS_CONFIG_PATH]) as {
      scrape_configs: { job_name: string; dns_sd_configs?: unknown }[];
    };
    expect(
      config.scrape_configs.filter((job) => job.dns_sd_configs).map((job) => job.job_name),
    ).toEqual(['monolith', 'gateway']);
    expect(prometheus.inputs['command']).toContain('--storage.tsdb.retention.time=7d');
  });

  it('creates none of it when not asked, and exports no endpoint for the services', async () => {
    const { recorded, exports } = await platformWith({});
    const names = ofType(recorded, CONTAINER).map((container) => container.inputs['name']);
    for (const name of OBSERVABILITY) expect(names).not.toContain(`switchboard-dev-${name}`);
    expect(exports).not.toHaveProperty('otlpEndpoint');
    expect(exports).not.toHaveProperty('grafanaUrl');
  });

  it('is on in a stack unless its config says observability: false', async () => {
    installMocks({ project: 'platform', stack: 'platform-dev', completeState });
    for (const process of SERVICES_TOPOLOGY.processes) {
      pulumi.runtime.setConfig(`platform:${process.name}NatsPassword`, 'n');
    }
    // Config as the default topology's platform stack needs it: a database password per domain.
    for (const domain of DOMAIN_NAMES) {
      pulumi.runtime.setConfig(`platform:${domain}DatabasePassword`, 'd');
    }
    pulumi.runtime.setConfig('platform:postgresPassword', 'p');
    pulumi.runtime.setConfig('platform:streamProvisionerNatsPassword', 's');
    pulumi.runtime.setConfig('platform:grafanaAdminPassword', 'g');
    const on = definePlatformFromConfig(fixtureManifest());
    expect(on.observability).toBeDefined();
    expect(await valueOf(on.exports['otlpEndpoint'])).toBe('http://otel-collector:4318');

    pulumi.runtime.setConfig('platform:observability', 'false');
    const off = definePlatformFromConfig(fixtureManifest());
    expect(off.observability).toBeUndefined();
    expect(off.exports).not.toHaveProperty('otlpEndpoint');
    pulumi.runtime.setConfig('platform:observability', 'true');
  });
});
