import * as pulumi from '@pulumi/pulumi';
import { parse } from 'yaml';
import { alertRules, dashboardFiles } from '../../components/observability';
import { assertPinnedImage } from '../../components/pinned-image';
import {
  COLLECTOR_CONFIG_PATH,
  GRAFANA_DASHBOARDS_DIR,
  PROMETHEUS_CONFIG_PATH,
  PROMETHEUS_RULES_PATH,
} from '../../observability/prometheus';
import { fixtureManifest } from '../../testing/fixture-manifest';
import { isSecretValue, ofType, type RecordedResource, valueOf } from '../../testing/pulumi-mocks';
import { platformSecrets as secrets, SERVICES_TOPOLOGY } from '../../testing/topologies';
import { K8S_IMAGES } from '../catalogue';
import { AUTONAME_SUFFIX, installKubernetesMocks, K8S } from '../testing/kubernetes-mocks';
import { definePlatform, type KubernetesPlatformOutputs } from './platform-stack';

interface Container {
  image: string;
  args?: string[];
  env?: { name: string; value?: string; valueFrom?: { secretKeyRef: { name: string } } }[];
  securityContext: Record<string, unknown>;
  resources: { limits: { memory: string } };
  readinessProbe?: { httpGet: { path: string; port: number } };
  livenessProbe?: unknown;
  volumeMounts?: { name: string; mountPath: string }[];
}

interface PodSpec {
  serviceAccountName?: string;
  automountServiceAccountToken: boolean;
  securityContext: Record<string, unknown>;
  containers: Container[];
  volumes?: { name: string; configMap?: { name: string; items: { key: string }[] } }[];
}

const WORKLOADS = {
  'otel-collector': K8S_IMAGES.otelCollector,
  jaeger: K8S_IMAGES.jaeger,
  prometheus: K8S_IMAGES.prometheus,
  grafana: K8S_IMAGES.grafana,
};

describe('kubernetes platform-dev with observability', () => {
  let recorded: RecordedResource[];
  let platform: KubernetesPlatformOutputs;
  const named = (type: string, name: string) =>
    ofType(recorded, type).find(
      (resource) => (resource.inputs['metadata'] as { name?: string }).name === name,
    ) as RecordedResource;
  const podOf = (name: string) => {
    const workload = named(K8S.deployment, name) ?? named(K8S.statefulSet, name);
    return (workload.inputs['spec'] as { template: { spec: PodSpec } }).template.spec;
  };
  /** The files a workload's container sees: each mounted ConfigMap item at its mount path. */
  const mountedFiles = (name: string): Record<string, string> => {
    const pod = podOf(name);
    const files: Record<string, string> = {};
    for (const volume of pod.volumes ?? []) {
      if (volume.configMap === undefined) continue;
      const configMap = ofType(recorded, K8S.configMap).find(
        (candidate) => `${candidate.name}-${AUTONAME_SUFFIX}` === volume.configMap?.name,
      ) as RecordedResource;
      const data = configMap.inputs['data'] as Record<string, string>;
      const mount = pod.containers[0].volumeMounts?.find((m) => m.name === volume.name);
      for (const { key } of volume.configMap.items) files[`${mount?.mountPath}/${key}`] = data[key];
    }
    return files;
  };

  beforeAll(async () => {
    recorded = installKubernetesMocks({ project: 'platform-k8s', stack: 'platform-dev' });
    platform = definePlatform({
      env: 'dev',
      topology: SERVICES_TOPOLOGY,
      manifest: fixtureManifest(),
      secrets: secrets(),
      postgresPassword: pulumi.secret('admin-pw'),
      streamProvisionerPassword: pulumi.secret('provisioner-pw'),
      streamProvisionerImage: `acme/stream-provisioner@sha256:${'b'.repeat(64)}`,
      observability: { grafanaAdminPassword: pulumi.secret('grafana-pw'), storage: '5Gi' },
      storageClass: 'standard',
    });
    await Promise.all(Object.values(platform.exports).map((output) => valueOf(output)));
    await valueOf(platform.observability?.prometheus.id);
    await valueOf(platform.observability?.grafana.id);
  });

  it('runs the collector, Jaeger, Grafana (Deployments) and Prometheus (StatefulSet) from pinned images', () => {
    for (const [name, image] of Object.entries(WORKLOADS)) {
      expect(() => assertPinnedImage(image)).not.toThrow();
      expect(podOf(name).containers[0].image).toBe(image);
    }
    expect(named(K8S.statefulSet, 'prometheus')).toBeDefined();
  });

  it('puts everything in the namespace, each workload behind a ClusterIP Service of its name', () => {
    for (const resource of recorded.filter((r) => r.type !== K8S.namespace)) {
      if (resource.type === K8S.helmRelease) continue;
      expect((resource.inputs['metadata'] as { namespace: string }).namespace).toBe(
        'switchboard-dev',
      );
    }
    for (const name of Object.keys(WORKLOADS)) {
      expect(named(K8S.service, name).inputs['spec']).toMatchObject({ type: 'ClusterIP' });
    }
  });

  it('runs every pod non-root, without privilege escalation or capabilities, probed and limited', () => {
    for (const name of Object.keys(WORKLOADS)) {
      const pod = podOf(name);
      expect(pod.securityContext).toMatchObject({
        runAsNonRoot: true,
        seccompProfile: { type: 'RuntimeDefault' },
      });
      expect(pod.securityContext['runAsUser']).toBeGreaterThan(0);
      const [container] = pod.containers;
      expect(container.securityContext).toMatchObject({
        allowPrivilegeEscalation: false,
        privileged: false,
        capabilities: { drop: ['ALL'] },
      });
      expect(container.resources.limits.memory).toMatch(/^\d+Mi$/);
      expect(container.readinessProbe?.httpGet.path).toMatch(/^\//);
      expect(container.livenessProbe).toBeDefined();
      // Only Prometheus talks to the API server.
      expect(pod.automountServiceAccountToken).toBe(name === 'prometheus');
    }
  });

  it('lets Prometheus list and watch the namespace’s pods, and nothing else', () => {
    const [role] = ofType(recorded, K8S.role);
    expect(role.inputs['rules']).toEqual([
      { apiGroups: [''], resources: ['pods'], verbs: ['get', 'list', 'watch'] },
    ]);
    const [binding] = ofType(recorded, K8S.roleBinding);
    const [account] = ofType(recorded, K8S.serviceAccount);
    const accountName = `${account.name}-${AUTONAME_SUFFIX}`;
    expect(binding.inputs).toMatchObject({
      roleRef: { kind: 'Role', name: `${role.name}-${AUTONAME_SUFFIX}` },
      subjects: [{ kind: 'ServiceAccount', name: accountName, namespace: 'switchboard-dev' }],
    });
    expect(podOf('prometheus').serviceAccountName).toBe(accountName);
    // Alive while it replays its WAL, ready after.
    const [container] = podOf('prometheus').containers;
    expect(container.readinessProbe?.httpGet.path).toBe('/-/ready');
    expect(container.livenessProbe).toMatchObject({ httpGet: { path: '/-/healthy' } });
  });

  it('mounts Prometheus’ config, scraping each process’s pods labelled service, and the committed rules', () => {
    const files = mountedFiles('prometheus');
    expect(files[PROMETHEUS_RULES_PATH]).toBe(alertRules());
    expect(podOf('prometheus').containers[0].args).toContain(
      `--config.file=${PROMETHEUS_CONFIG_PATH}`,
    );
    const config = parse(files[PROMETHEUS_CONFIG_PATH]) as {
      rule_files: string[];
      scrape_configs: {
        job_name: string;
        kubernetes_sd_configs?: { namespaces: { names: string[] } }[];
        relabel_configs?: { target_label?: string; replacement?: string }[];
      }[];
    };
    expect(config.rule_files).toEqual([PROMETHEUS_RULES_PATH]);
    for (const process of SERVICES_TOPOLOGY.processes) {
      const job = config.scrape_configs.find((candidate) => candidate.job_name === process.name);
      expect(job?.kubernetes_sd_configs?.[0].namespaces.names).toEqual(['switchboard-dev']);
      expect(job?.relabel_configs).toContainEqual({
        target_label: 'service',
        replacement: process.name,
      });
    }
    const spec = named(K8S.statefulSet, 'prometheus').inputs['spec'] as {
      volumeClaimTemplates: { spec: { storageClassName: string; resources: unknown } }[];
    };
    expect(spec.volumeClaimTemplates[0].spec).toMatchObject({
      storageClassName: 'standard',
      resources: { requests: { storage: '5Gi' } },
    });
  });

  it('mounts the committed dashboards where Grafana’s provider reads them', () => {
    const files = mountedFiles('grafana');
    for (const { name, content } of dashboardFiles()) {
      expect(files[`${GRAFANA_DASHBOARDS_DIR}/${name}`]).toBe(content);
    }
    const providers = Object.entries(files).find(([path]) =>
      path.includes('/provisioning/dashboards/'),
    )?.[1];
    expect(
      (parse(providers ?? '') as { providers: { options: { path: string } }[] }).providers[0]
        .options.path,
    ).toBe(GRAFANA_DASHBOARDS_DIR);
  });

  it('gives Grafana its admin password from a Secret, never inline', () => {
    const env = podOf('grafana').containers[0].env ?? [];
    const password = env.find((entry) => entry.name === 'GF_SECURITY_ADMIN_PASSWORD');
    expect(password?.value).toBeUndefined();
    const secret = ofType(recorded, K8S.secret).find((candidate) =>
      String(candidate.name).startsWith('grafana'),
    ) as RecordedResource;
    expect(password?.valueFrom?.secretKeyRef.name).toBe(`${secret.name}-${AUTONAME_SUFFIX}`);
    expect(isSecretValue(secret.rawInputs['stringData'])).toBe(true);
    expect(secret.inputs['stringData']).toEqual({ GF_SECURITY_ADMIN_PASSWORD: 'grafana-pw' });
  });

  it('mounts the collector’s config, names ConfigMaps by content, and exports in-cluster addresses', async () => {
    expect(Object.keys(mountedFiles('otel-collector'))).toEqual([COLLECTOR_CONFIG_PATH]);
    expect(podOf('otel-collector').containers[0].args).toEqual([
      `--config=${COLLECTOR_CONFIG_PATH}`,
    ]);
    // Auto-named: a changed config is a new ConfigMap, so the pods that mount it roll.
    for (const configMap of ofType(recorded, K8S.configMap)) {
      expect((configMap.inputs['metadata'] as { name?: string }).name).toBeUndefined();
    }
    const address = (host: string, port: number) =>
      `http://${host}.switchboard-dev.svc.cluster.local:${port}`;
    expect(await valueOf(platform.exports['otlpEndpoint'])).toBe(address('otel-collector', 4318));
    expect(await valueOf(platform.exports['grafanaUrl'])).toBe(address('grafana', 3000));
    expect(await valueOf(platform.exports['prometheusUrl'])).toBe(address('prometheus', 9090));
    expect(await valueOf(platform.exports['jaegerUrl'])).toBe(address('jaeger', 16686));
  });
});
