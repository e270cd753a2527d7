import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import {
  type ServiceSpec,
  type ServiceTarget,
  type ServiceTargetOutputs,
  USER_ID,
} from './switchboard-service';

export interface KubernetesTargetArgs {
  /** Namespace of the stack (from the platform stack). */
  namespace: pulumi.Input<string>;
  /** Explicit provider (kubeconfig / context); the ambient one when unset. */
  provider?: k8s.Provider;
  /** HPA ceiling. Default: three times `spec.replicas`, at least 3. */
  maxReplicas?: pulumi.Input<number>;
  /** Average CPU utilisation (percent of the request) the HPA aims for. Default 70. */
  cpuUtilization?: pulumi.Input<number>;
  /** Liveness path: the process answers. Default `/health/live`. */
  livenessPath?: string;
  /**
   * Seconds between SIGTERM and SIGKILL. Must exceed the service's `SHUTDOWN_TIMEOUT_MS` (15 s by
   * default) plus its grace period, or Kubernetes kills a pod that is still draining. Default 30.
   */
  terminationGracePeriodSeconds?: number;
  /** Deadline of the migrations Job. Default 600 s. */
  migrationTimeoutSeconds?: number;
  /** Pull secrets for a private registry. */
  imagePullSecrets?: pulumi.Input<string>[];
  /**
   * Type of the service's Service. Default `ClusterIP`: reachable inside the cluster only.
   * `LoadBalancer` exposes it outside (the gateway): the cluster's load balancer gets an address,
   * which Pulumi waits for, and keeps the client's address (`externalTrafficPolicy: Local`).
   */
  serviceType?: ServiceType;
}

/** How a service's Service is reachable: inside the cluster only, or through a load balancer. */
export type ServiceType = 'ClusterIP' | 'LoadBalancer';

/** `http://<service>.<namespace>.svc.cluster.local:<port>`: a Service's in-cluster address. */
export function clusterAddress(service: string, namespace: string, port: number): string {
  return `http://${service}.${namespace}.svc.cluster.local:${port}`;
}

/** Label every child carries: the service name (Kubernetes' recommended labels). */
export const NAME_LABEL = 'app.kubernetes.io/name';
/** Tells the serving pods (`server`) apart from the migrations Job's pod (`migrations`). */
export const COMPONENT_LABEL = 'app.kubernetes.io/component';

/**
 * The migrations Job's command: the service's `--migrate` mode runs the pending migrations (under
 * the advisory lock) and exits — 0, or 1 on failure, which fails the Job and holds the rollout.
 */
export const MIGRATE_COMMAND = ['node', 'main.js', '--migrate'];

/**
 * Runs a service on Kubernetes, in the stack's namespace: a Secret holding the whole env; for a
 * service with a database, a migrations Job that must complete (Pulumi awaits Jobs) before the
 * Deployment rolls; a Deployment (non-root uid 1000, read-only root filesystem, no privilege
 * escalation, every capability dropped, requests = limits, readiness and liveness probes; pods of a
 * service with a database run with `DB_MIGRATE=false`), a Service (ClusterIP unless
 * `serviceType` says otherwise), a CPU HorizontalPodAutoscaler and a PodDisruptionBudget.
 */
export class KubernetesTarget implements ServiceTarget {
  readonly kind = 'kubernetes';

  constructor(private readonly args: KubernetesTargetArgs) {}

  deploy(spec: ServiceSpec, parent: pulumi.ComponentResource): ServiceTargetOutputs {
    const name = spec.name;
    const opts: pulumi.CustomResourceOptions = { parent, provider: this.args.provider };
    const namespace = this.args.namespace;
    const labels = {
      ...spec.labels,
      [NAME_LABEL]: name,
      'app.kubernetes.io/part-of': 'switchboard',
    };
    const serverSelector = { [NAME_LABEL]: name, [COMPONENT_LABEL]: 'server' };
    const serverLabels = { ...labels, ...serverSelector };
    const uid = Number(USER_ID);

    // Auto-named: a changed env replaces the Secret under a new name, which rolls the pods.
    const secret = new k8s.core.v1.Secret(
      `${name}-env`,
      {
        metadata: { namespace, labels },
        type: 'Opaque',
        stringData: pulumi.secret(spec.env),
      },
      opts,
    );

    const cpu = pulumi.output(spec.resources.cpu).apply((value) => `${Math.round(value * 1000)}m`);
    const memory = pulumi.output(spec.resources.memoryMb).apply((value) => `${value}Mi`);
    // Requests = limits: Guaranteed QoS, and the HPA's percentages mean what they say.
    const resources = { requests: { cpu, memory }, limits: { cpu, memory } };
    const securityContext: k8s.types.input.core.v1.SecurityContext = {
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: uid,
      readOnlyRootFilesystem: true,
      allowPrivilegeEscalation: false,
      privileged: false,
      capabilities: { drop: ['ALL'] },
    };
    const podSecurity: k8s.types.input.core.v1.PodSecurityContext = {
      runAsNonRoot: true,
      runAsUser: uid,
      runAsGroup: uid,
      fsGroup: uid,
      seccompProfile: { type: 'RuntimeDefault' },
    };
    // The process writes nothing but temporary files.
    const tmp = { name: 'tmp', emptyDir: { medium: 'Memory', sizeLimit: '64Mi' } };
    const tmpMount = { name: 'tmp', mountPath: '/tmp' };
    const envFrom = [{ secretRef: { name: secret.metadata.name } }];
    const imagePullSecrets = this.args.imagePullSecrets?.map((secretName) => ({
      name: secretName,
    }));
    const port = pulumi.output(spec.port);

    // Only a service with a database has migrations to run before it serves.
    const job = !spec.database
      ? undefined
      : new k8s.batch.v1.Job(
          `${name}-migrations`,
          {
            metadata: { namespace, labels: { ...labels, [COMPONENT_LABEL]: 'migrations' } },
            spec: {
              backoffLimit: 2,
              activeDeadlineSeconds: this.args.migrationTimeoutSeconds ?? 600,
              template: {
                metadata: { labels: { ...labels, [COMPONENT_LABEL]: 'migrations' } },
                spec: {
                  restartPolicy: 'Never',
                  automountServiceAccountToken: false,
                  securityContext: podSecurity,
                  imagePullSecrets,
                  containers: [
                    {
                      name: 'migrate',
                      image: spec.image,
                      command: MIGRATE_COMMAND,
                      envFrom,
                      resources,
                      securityContext,
                      volumeMounts: [tmpMount],
                    },
                  ],
                  volumes: [tmp],
                },
              },
            },
          },
          opts,
        );

    const probe = (path: pulumi.Input<string>) => ({
      httpGet: { path, port },
      periodSeconds: spec.healthCheck.intervalSeconds,
      timeoutSeconds: spec.healthCheck.timeoutSeconds,
      failureThreshold: spec.healthCheck.retries,
    });
    const livenessPath = this.args.livenessPath ?? '/health/live';
    const deployment = new k8s.apps.v1.Deployment(
      `${name}-deployment`,
      {
        metadata: { name, namespace, labels: serverLabels },
        spec: {
          replicas: spec.replicas,
          selector: { matchLabels: serverSelector },
          strategy: { type: 'RollingUpdate', rollingUpdate: { maxSurge: 1, maxUnavailable: 0 } },
          template: {
            metadata: { labels: serverLabels },
            spec: {
              automountServiceAccountToken: false,
              terminationGracePeriodSeconds: this.args.terminationGracePeriodSeconds ?? 30,
              securityContext: podSecurity,
              imagePullSecrets,
              containers: [
                {
                  name,
                  image: spec.image,
                  ports: [{ name: 'http', containerPort: port, protocol: 'TCP' }],
                  envFrom,
                  env: spec.database ? [{ name: 'DB_MIGRATE', value: 'false' }] : [],
                  resources,
                  securityContext,
                  readinessProbe: probe(spec.healthCheck.path),
                  livenessProbe: probe(livenessPath),
                  // First NATS connection: no liveness restarts before the process is up.
                  startupProbe: {
                    httpGet: { path: livenessPath, port },
                    periodSeconds: 2,
                    failureThreshold: pulumi
                      .output(spec.healthCheck.startPeriodSeconds)
                      .apply((seconds) => Math.max(1, Math.ceil(seconds / 2))),
                  },
                  volumeMounts: [tmpMount],
                },
              ],
              volumes: [tmp],
            },
          },
        },
      },
      // The HPA owns the replica count once the Deployment exists.
      { ...opts, dependsOn: job === undefined ? [] : [job], ignoreChanges: ['spec.replicas'] },
    );

    const serviceType = this.args.serviceType ?? 'ClusterIP';
    const service = new k8s.core.v1.Service(
      `${name}-service`,
      {
        metadata: { name, namespace, labels },
        spec: {
          type: serviceType,
          selector: serverSelector,
          ports: [{ name: 'http', port, targetPort: 'http', protocol: 'TCP' }],
          // The client's own address reaches the pods (per-address rate limits, logs), not a node's.
          ...(serviceType === 'LoadBalancer' ? { externalTrafficPolicy: 'Local' } : {}),
        },
      },
      opts,
    );

    const minReplicas = pulumi.output(spec.replicas);
    const hpa = new k8s.autoscaling.v2.HorizontalPodAutoscaler(
      `${name}-hpa`,
      {
        metadata: { name, namespace, labels },
        spec: {
          scaleTargetRef: {
            apiVersion: 'apps/v1',
            kind: 'Deployment',
            name: deployment.metadata.name,
          },
          minReplicas,
          maxReplicas:
            this.args.maxReplicas ?? minReplicas.apply((replicas) => Math.max(3, replicas * 3)),
          metrics: [
            {
              type: 'Resource',
              resource: {
                name: 'cpu',
                target: { type: 'Utilization', averageUtilization: this.args.cpuUtilization ?? 70 },
              },
            },
          ],
        },
      },
      opts,
    );

    // maxUnavailable 1: a drain takes one pod at a time, and never hangs on a single replica.
    const pdb = new k8s.policy.v1.PodDisruptionBudget(
      `${name}-pdb`,
      {
        metadata: { name, namespace, labels },
        spec: { maxUnavailable: 1, selector: { matchLabels: serverSelector } },
      },
      opts,
    );

    return {
      resources: [secret, ...(job === undefined ? [] : [job]), deployment, service, hpa, pdb],
      instances: pulumi.all([deployment.metadata.name]),
      endpoint: pulumi
        .all([service.metadata.name, service.metadata.namespace, port])
        .apply(([svc, ns, p]) => clusterAddress(svc, ns, p)),
    };
  }

  /** The Service `name` of the same namespace (`KubernetesTarget` names each Service after its service). */
  addressOf(name: string, port: pulumi.Input<number>): pulumi.Output<string> {
    return pulumi.all([this.args.namespace, port]).apply(([ns, p]) => clusterAddress(name, ns, p));
  }
}
