import * as pulumi from '@pulumi/pulumi';
import { platformOutputs } from '../docker/catalogue';
import { DEFAULT_TOPOLOGY, domainsOf, loadTopology, type Topology } from './topology';

/** What the platform creates its users with, all secrets. */
export interface PlatformSecrets {
  /** Per process of the topology: the password of its NATS user. */
  nats: Record<string, pulumi.Input<string>>;
  /** Per domain: the password of its Postgres role (a database per domain in every topology). */
  databases: Record<string, pulumi.Input<string>>;
}

/** `platform-dev` → `dev`; any other stack name is refused. */
export function platformEnvOf(stack: string): string {
  const match = /^platform-([a-z0-9-]+)$/.exec(stack);
  if (!match) throw new Error(`Stack "${stack}" must be named platform-<env>`);
  return match[1];
}

/** The stack's topology: config `topology` (topologies/<name>.json), `services` when unset. */
export function topologyFrom(config: pulumi.Config): Topology {
  return loadTopology(config.get('topology') ?? DEFAULT_TOPOLOGY);
}

/**
 * The passwords of the topology's users, from the stack's config — only ever as secrets:
 * `<process>NatsPassword` for each process, `<domain>DatabasePassword` for each domain.
 */
export function platformSecretsFrom(config: pulumi.Config, topology: Topology): PlatformSecrets {
  return {
    nats: Object.fromEntries(
      topology.processes.map((process) => [
        process.name,
        config.requireSecret(`${process.name}NatsPassword`),
      ]),
    ),
    databases: Object.fromEntries(
      domainsOf(topology).map((domain) => [
        domain,
        config.requireSecret(`${domain}DatabasePassword`),
      ]),
    ),
  };
}

/**
 * Checks the passwords against the topology before anything is created: one NATS password per
 * process, one database password per domain, none for a user that would not exist.
 */
export function assertSecretsFit(secrets: PlatformSecrets, topology: Topology): void {
  const problems: string[] = [];
  const compare = (what: string, given: string[], expected: string[]) => {
    for (const name of expected.filter((name) => !given.includes(name))) {
      problems.push(`no ${what} password for ${name}`);
    }
    for (const name of given.filter((name) => !expected.includes(name))) {
      problems.push(
        `a ${what} password for ${name}, which topology ${topology.name} does not have`,
      );
    }
  };
  compare(
    'NATS',
    Object.keys(secrets.nats),
    topology.processes.map((process) => process.name),
  );
  compare('database', Object.keys(secrets.databases), domainsOf(topology));
  if (problems.length > 0) throw new Error(`Platform secrets: ${problems.join('; ')}`);
}

/**
 * The outputs each service stack reads, the same on every target: per process `<process>NatsUser`
 * and `<process>NatsPassword`, per domain `<domain>DatabaseUrl` (the target knows Postgres's
 * address), the passwords and URLs as secrets.
 */
export function userOutputs(
  secrets: PlatformSecrets,
  databaseUrlOf: (domain: string, password: pulumi.Input<string>) => pulumi.Output<string>,
): Record<string, pulumi.Output<string>> {
  const exports: Record<string, pulumi.Output<string>> = {};
  for (const [process, password] of Object.entries(secrets.nats)) {
    exports[platformOutputs.natsUser(process)] = pulumi.output(process);
    exports[platformOutputs.natsPassword(process)] = pulumi.secret(password);
  }
  for (const [domain, password] of Object.entries(secrets.databases)) {
    exports[platformOutputs.databaseUrl(domain)] = pulumi.secret(databaseUrlOf(domain, password));
  }
  return exports;
}
