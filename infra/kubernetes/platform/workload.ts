import * as k8s from '@pulumi/kubernetes';
import * as pulumi from '@pulumi/pulumi';
import { dirname } from 'node:path';
import { fileKey, type MountedFile } from '../../components/observability';

// Building blocks of the Kubernetes observability workloads: the files of a workload as one
// ConfigMap mounted folder by folder, a hardened pod template, and a ClusterIP Service.

type Volume = k8s.types.input.core.v1.Volume;
type VolumeMount = k8s.types.input.core.v1.VolumeMount;

export interface Placement {
  namespace: pulumi.Input<string>;
  /** The platform's labels (`part-of`, `switchboard.platform`). */
  labels: Record<string, string>;
  opts: pulumi.CustomResourceOptions;
}

export const NAME_LABEL = 'app.kubernetes.io/name';

/**
 * The files as one ConfigMap, each folder mounted read-only with just its files. Auto-named: the
 * Kubernetes provider replaces a ConfigMap whose data changes, so the new name rolls the pods
 * that mount it and they read the new files (Prometheus and the collector read theirs once).
 */
export function configFiles(
  name: string,
  files: MountedFile[],
  at: Placement,
): { configMap: k8s.core.v1.ConfigMap; volumes: Volume[]; mounts: VolumeMount[] } {
  const keys = files.map(fileKey);
  const duplicate = keys.find((key, index) => keys.indexOf(key) !== index);
  if (duplicate !== undefined) throw new Error(`${name}: two files are named ${duplicate}`);
  const configMap = new k8s.core.v1.ConfigMap(
    `${name}-config`,
    {
      metadata: { namespace: at.namespace, labels: { ...at.labels, [NAME_LABEL]: name } },
      data: Object.fromEntries(files.map((file) => [fileKey(file), file.content])),
    },
    at.opts,
  );
  const folders = [...new Set(files.map((file) => dirname(file.path)))];
  const volumes = folders.map((folder, index) => ({
    name: `config-${index}`,
    configMap: {
      name: configMap.metadata.name,
      items: files
        .filter((file) => dirname(file.path) === folder)
        .map((file) => ({ key: fileKey(file), path: fileKey(file) })),
    },
  }));
  const mounts = folders.map((folder, index) => ({
    name: `config-${index}`,
    mountPath: folder,
    readOnly: true,
  }));
  return { configMap, volumes, mounts };
}

export interface PodArgs {
  name: string;
  image: string;
  /** The image's own non-root user; also the group and the volumes' fsGroup. */
  uid: number;
  memoryMb: number;
  cpu: string;
  args?: string[];
  env?: pulumi.Input<pulumi.Input<k8s.types.input.core.v1.EnvVar>[]>;
  ports: { name: string; port: number }[];
  /** HTTP readiness endpoint, and liveness unless `livenessPath` names another. */
  probe: { path: string; port: number; livenessPath?: string };
  readOnlyRootFilesystem: boolean;
  volumes?: Volume[];
  mounts?: VolumeMount[];
  /** Only Prometheus talks to the API server (pod discovery). */
  serviceAccountName?: pulumi.Input<string>;
}

/** A pod template: non-root, no privilege escalation, every capability dropped, probed, limited. */
export function podTemplate(pod: PodArgs, at: Placement) {
  const memory = `${pod.memoryMb}Mi`;
  const probe = (path: string) => ({ httpGet: { path, port: pod.probe.port } });
  return {
    metadata: { labels: { ...at.labels, [NAME_LABEL]: pod.name } },
    spec: {
      serviceAccountName: pod.serviceAccountName,
      automountServiceAccountToken: pod.serviceAccountName !== undefined,
      securityContext: {
        runAsNonRoot: true,
        runAsUser: pod.uid,
        runAsGroup: pod.uid,
        fsGroup: pod.uid,
        seccompProfile: { type: 'RuntimeDefault' },
      },
      containers: [
        {
          name: pod.name,
          image: pod.image,
          args: pod.args,
          env: pod.env,
          ports: pod.ports.map((port) => ({ name: port.name, containerPort: port.port })),
          securityContext: {
            allowPrivilegeEscalation: false,
            privileged: false,
            readOnlyRootFilesystem: pod.readOnlyRootFilesystem,
            capabilities: { drop: ['ALL'] },
          },
          resources: {
            requests: { cpu: '50m', memory },
            limits: { cpu: pod.cpu, memory },
          },
          readinessProbe: { ...probe(pod.probe.path), periodSeconds: 10 },
          livenessProbe: {
            ...probe(pod.probe.livenessPath ?? pod.probe.path),
            periodSeconds: 20,
            failureThreshold: 6,
          },
          volumeMounts: pod.mounts,
        },
      ],
      volumes: pod.volumes,
    },
  };
}

/** A ClusterIP Service named like the workload: its address in the namespace is its name. */
export function clusterService(
  name: string,
  ports: { name: string; port: number }[],
  at: Placement,
): k8s.core.v1.Service {
  return new k8s.core.v1.Service(
    `${name}-service`,
    {
      metadata: { name, namespace: at.namespace, labels: { ...at.labels, [NAME_LABEL]: name } },
      spec: {
        type: 'ClusterIP',
        selector: { [NAME_LABEL]: name },
        ports: ports.map((port) => ({ name: port.name, port: port.port, targetPort: port.name })),
      },
    },
    at.opts,
  );
}

/** A single-replica Deployment of `pod`. */
export function deployment(
  pod: PodArgs,
  at: Placement,
  extra: pulumi.CustomResourceOptions = {},
): k8s.apps.v1.Deployment {
  return new k8s.apps.v1.Deployment(
    pod.name,
    {
      metadata: {
        name: pod.name,
        namespace: at.namespace,
        labels: { ...at.labels, [NAME_LABEL]: pod.name },
      },
      spec: {
        replicas: 1,
        selector: { matchLabels: { [NAME_LABEL]: pod.name } },
        template: podTemplate(pod, at),
      },
    },
    { ...at.opts, ...extra },
  );
}
