import { installMocks, type RecordedResource } from '../../testing/pulumi-mocks';

/** Suffix the mocked provider appends to an auto-named object, like the real one's random suffix. */
export const AUTONAME_SUFFIX = 'x1y2z3';

/** Resource type tokens of the Kubernetes objects the programs create. */
export const K8S = {
  namespace: 'kubernetes:core/v1:Namespace',
  secret: 'kubernetes:core/v1:Secret',
  job: 'kubernetes:batch/v1:Job',
  deployment: 'kubernetes:apps/v1:Deployment',
  service: 'kubernetes:core/v1:Service',
  hpa: 'kubernetes:autoscaling/v2:HorizontalPodAutoscaler',
  pdb: 'kubernetes:policy/v1:PodDisruptionBudget',
  statefulSet: 'kubernetes:apps/v1:StatefulSet',
  helmRelease: 'kubernetes:helm.sh/v3:Release',
  configMap: 'kubernetes:core/v1:ConfigMap',
  serviceAccount: 'kubernetes:core/v1:ServiceAccount',
  role: 'kubernetes:rbac.authorization.k8s.io/v1:Role',
  roleBinding: 'kubernetes:rbac.authorization.k8s.io/v1:RoleBinding',
} as const;

/** What `KubernetesTarget` creates for a service, once each. */
export const SERVICE_TYPES: string[] = [
  K8S.secret,
  K8S.job,
  K8S.deployment,
  K8S.service,
  K8S.hpa,
  K8S.pdb,
];

/**
 * `installMocks` plus what the Kubernetes provider does that the programs rely on: an object
 * without `metadata.name` gets `<resource name>-<suffix>`, so references to auto-named Secrets
 * resolve.
 */
export function installKubernetesMocks(options: {
  project: string;
  stack: string;
  stackOutputs?: Record<string, Record<string, unknown>>;
}): RecordedResource[] {
  return installMocks({
    ...options,
    completeState(args, state) {
      if (!args.type.startsWith('kubernetes:') || args.type === K8S.helmRelease) return;
      const metadata = { ...((state['metadata'] ?? {}) as Record<string, unknown>) };
      metadata['name'] ??= `${args.name}-${AUTONAME_SUFFIX}`;
      state['metadata'] = metadata;
    },
  });
}
