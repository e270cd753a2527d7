import * as pulumi from '@pulumi/pulumi';
import type { NatsCredentialsArgs } from './switchboard-service';
import { DEFAULT_TOPOLOGY, type Topology, type TopologyProcess } from './topology';

/** The platform's output names a service stack reads (the same on every target). */
export interface PlatformOutputNames {
  natsUrl: string;
  topology: string;
  /** The collector's OTLP endpoint; exported only by a platform with observability on. */
  otlpEndpoint: string;
  natsUser(process: string): string;
  natsPassword(process: string): string;
  databaseUrl(domain: string): string;
}

/** What a process of a topology gets from the platform stack, on any target. */
export interface ProcessWiring {
  /** `SERVICE_NAME` and `HOST_DOMAINS` for a host that carries a choice of domains (the monolith). */
  env: Record<string, string>;
  /** The platform's NATS; fails the update when the platform was set up for another topology. */
  natsUrl: pulumi.Output<string>;
  /** The process's own NATS user: the union of its domains' rights. */
  natsCredentials: NatsCredentialsArgs;
  /** Per domain it hosts, that domain's database. */
  databases: Record<string, pulumi.Output<string>>;
  /**
   * `OTEL_EXPORTER_OTLP_ENDPOINT` when the platform runs a collector (traces are off in a service
   * without it), with the sampler when a ratio is set; empty otherwise, so a platform without
   * observability changes nothing.
   */
  telemetryEnv: pulumi.Output<Record<string, string>>;
}

export function processWiring(
  process: TopologyProcess,
  topology: Topology,
  platform: pulumi.StackReference,
  names: PlatformOutputNames,
  options: { traceSampleRatio?: number } = {},
): ProcessWiring {
  const sampler = samplerEnv(options.traceSampleRatio);
  const ref = (name: string) => platform.requireOutput(name) as pulumi.Output<string>;
  const platformTopology = platform.getOutput(names.topology) as pulumi.Output<unknown>;
  const natsUrl = pulumi
    .all([ref(names.natsUrl), platformTopology])
    .apply(([url, platformName]) => {
      assertSameTopology(platformName, topology, process.name);
      return url;
    });
  const choosesDomains = !(
    process.domains.length <= 1 && process.domains.every((d) => d === process.host)
  );
  return {
    env: choosesDomains
      ? { SERVICE_NAME: process.name, HOST_DOMAINS: process.domains.join(',') }
      : {},
    natsUrl,
    natsCredentials: {
      user: ref(names.natsUser(process.name)),
      password: ref(names.natsPassword(process.name)),
    },
    databases: Object.fromEntries(
      process.domains.map((domain) => [domain, ref(names.databaseUrl(domain))]),
    ),
    telemetryEnv: platform
      .getOutput(names.otlpEndpoint)
      .apply((endpoint: unknown): Record<string, string> =>
        typeof endpoint === 'string' && endpoint !== ''
          ? { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint, ...sampler }
          : {},
      ),
  };
}

/**
 * The standard sampler variables for a ratio: a trace this process starts is recorded with that
 * probability, and one a caller started follows the caller's decision (`parentbased_`), so a
 * trace is whole or absent. Throws at preview for a ratio outside 0–1.
 */
export function samplerEnv(ratio: number | undefined): Record<string, string> {
  if (ratio === undefined) return {};
  if (!Number.isFinite(ratio) || ratio < 0 || ratio > 1) {
    throw new Error(
      `traceSampleRatio must be a number from 0 to 1 (0.1 records one trace in ten), got ${ratio}`,
    );
  }
  return {
    OTEL_TRACES_SAMPLER: 'parentbased_traceidratio',
    OTEL_TRACES_SAMPLER_ARG: String(ratio),
  };
}

/**
 * Refuses to deploy a process for another topology than the platform's: its NATS user would not
 * exist there (or have other rights). A platform stack from before topologies exports none: it
 * runs the default one.
 */
export function assertSameTopology(
  platformTopology: unknown,
  topology: Topology,
  processName: string,
): void {
  const platformName = typeof platformTopology === 'string' ? platformTopology : DEFAULT_TOPOLOGY;
  if (platformName !== topology.name) {
    throw new Error(
      `${processName} is deployed for topology ${topology.name}, but the platform runs ${platformName}: set the same \`topology\` in both stacks`,
    );
  }
}
