import * as docker from '@pulumi/docker';
import * as pulumi from '@pulumi/pulumi';
import {
  type ServiceSpec,
  type ServiceTarget,
  type ServiceTargetOutputs,
  USER_ID,
} from './switchboard-service';

export interface DockerTargetArgs {
  /** Docker network shared with NATS and Postgres (from the platform stack). */
  network: pulumi.Input<string>;
  /**
   * Publish the first replica's port on the host at this port: what makes a service reachable from
   * outside the engine. Only the public service (the gateway) sets it; the others are reached on the
   * network by their alias.
   */
  hostPort?: pulumi.Input<number>;
  /** Docker restart policy. Default `unless-stopped`. */
  restart?: string;
}

/**
 * Runs a service as containers on one Docker engine: non-root, no new privileges, all
 * capabilities dropped, read-only root filesystem, memory and CPU limits, health check on the
 * readiness endpoint. Replica `i` is `<name>-<i>`; all share the network alias `<name>`.
 */
export class DockerTarget implements ServiceTarget {
  readonly kind = 'docker';

  constructor(private readonly args: DockerTargetArgs) {}

  deploy(spec: ServiceSpec, parent: pulumi.ComponentResource): ServiceTargetOutputs {
    // Replicas must be known while planning: resources are created per replica.
    const count = resolvedNumber(spec.replicas, 'replicas');
    const envs = spec.env.apply((env) =>
      Object.entries(env)
        .sort(([a], [b]) => a.localeCompare(b))
        .map(([key, value]) => `${key}=${value}`),
    );
    const probe = pulumi
      .all([spec.port, spec.healthCheck.path])
      .apply(
        ([port, path]) =>
          `fetch('http://127.0.0.1:${port}${path}').then((r) => process.exit(r.ok ? 0 : 1), () => process.exit(1))`,
      );
    const labels = Object.entries(spec.labels).map(([label, value]) => ({ label, value }));
    const containers: docker.Container[] = [];
    for (let index = 0; index < count; index += 1) {
      const containerName = `${spec.name}-${index}`;
      containers.push(
        new docker.Container(
          containerName,
          {
            name: containerName,
            image: spec.image,
            envs,
            user: `${USER_ID}:${USER_ID}`,
            privileged: false,
            readOnly: true,
            // The process writes nothing but temporary files.
            tmpfs: { '/tmp': 'rw,noexec,nosuid,size=64m' },
            capabilities: { drops: ['ALL'] },
            securityOpts: ['no-new-privileges:true'],
            memory: spec.resources.memoryMb,
            memorySwap: spec.resources.memoryMb,
            cpus: pulumi.output(spec.resources.cpu).apply(String),
            restart: this.args.restart ?? 'unless-stopped',
            init: true,
            // SIGTERM → not ready, finish in-flight work, drain NATS: give it time.
            stopSignal: 'SIGTERM',
            stopTimeout: 30,
            healthcheck: {
              tests: ['CMD', 'node', '-e', probe],
              interval: pulumi.output(spec.healthCheck.intervalSeconds).apply(seconds),
              timeout: pulumi.output(spec.healthCheck.timeoutSeconds).apply(seconds),
              retries: spec.healthCheck.retries,
              startPeriod: pulumi.output(spec.healthCheck.startPeriodSeconds).apply(seconds),
            },
            networksAdvanced: [{ name: this.args.network, aliases: [spec.name] }],
            ports:
              index === 0 && this.args.hostPort !== undefined
                ? [{ internal: spec.port, external: this.args.hostPort }]
                : [],
            labels,
          },
          { parent },
        ),
      );
    }
    return {
      resources: containers,
      instances: pulumi.all(containers.map((container) => container.name)),
      endpoint: this.addressOf(spec.name, spec.port),
    };
  }

  /** The network alias every replica of `name` carries: Docker's DNS answers with all of them. */
  addressOf(name: string, port: pulumi.Input<number>): pulumi.Output<string> {
    return pulumi.output(port).apply((value) => `http://${name}:${value}`);
  }
}

function seconds(value: number): string {
  return `${value}s`;
}

function resolvedNumber(value: pulumi.Input<number>, what: string): number {
  if (typeof value === 'number' && Number.isInteger(value) && value > 0) return value;
  throw new Error(`DockerTarget needs ${what} as a positive integer known at plan time`);
}
