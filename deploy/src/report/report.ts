import { type Plan, type Reason } from '../plan/plan';
import { type MeasuredLoad, type BenchSource } from './bench-load';
import { type ConfigChanges } from './config-keys';
import { type DependencyChanges, type RuntimeDependency } from './dependencies';
import { type ListChange, type MessagingChanges } from './messaging-changes';
import { type MigrationReport } from './migrations';
import { type RequiredSecret, type StackResources } from './stack-facts';

/**
 * `deploy report`: what operations needs to know about a change before it ships, per deployable
 * it redeploys. Generated from the two commits, never written by hand; `attention` holds the lines
 * someone must read (a new right, a native module, a breaking change, a risky migration, a key
 * that must be set).
 */
export interface ChangeReport {
  format: 'switchboard-change-report/1';
  base: string;
  head: string;
  topology: string;
  services: ServiceReport[];
  /** Deployables the change reaches that the topology does not run (e.g. the monolith). */
  outsideTopology: string[];
  /** Every message whose contract changed, and what of it breaks a user of the base's version. */
  contracts: ContractChange[];
  stacks: {
    /** Pulumi stacks whose program or config changed. */
    changed: Plan['stacks'];
    /** Secrets the Pulumi programs require at head that they did not at base, and the reverse. */
    secrets: { added: RequiredSecret[]; removed: RequiredSecret[] };
  };
  /** Changed files that deploy nothing, and why. */
  ignored: Plan['ignored'];
  /** The benchmark report the load figures come from, if one was found. */
  benchmark?: BenchSource;
}

export interface ContractChange {
  subject: string;
  status: 'added' | 'changed' | 'removed';
  /** Each change that breaks a user of the base's version (the contracts gate's rules). */
  breaking: string[];
}

export interface ServiceReport {
  name: string;
  attention: string[];
  /** Why it is redeployed: the changed files and the dependency path to it in the Nx graph. */
  affectedBy: Reason[];
  /** Its generated package.json: runtime dependencies added, removed or changed. */
  dependencies: DependencyChanges;
  messaging: MessagingChanges;
  /** The changed messages it uses, how, and what of each breaks. */
  contracts: (ContractChange & { use: string })[];
  migrations: {
    added: MigrationReport[];
    /** Migrations edited after they were committed: databases that ran them never run them again. */
    edited: string[];
  };
  configuration: {
    /** Environment keys of the zod config schemas its code reads. */
    keys: ConfigChanges;
    /** Secrets the service stacks' programs newly require (set them on each stack first). */
    secrets: RequiredSecret[];
  };
  load: {
    /** The last measured capacity of the system through it, per benchmark scenario. */
    measured: MeasuredLoad[];
    /** Per-replica resources of its stacks. */
    resources: StackResources[];
  };
}

/** Licences a dependency may carry without someone reading it first. */
const PERMISSIVE = new Set([
  '0BSD',
  'Apache-2.0',
  'BlueOak-1.0.0',
  'BSD-2-Clause',
  'BSD-3-Clause',
  'ISC',
  'MIT',
  'Python-2.0',
  'Unlicense',
]);

function licenceWorry(dependency: RuntimeDependency): string | undefined {
  if (dependency.license === undefined) return 'no licence declared';
  const parts = dependency.license.replace(/[()]/g, '').split(/\s+(?:OR|AND)\s+/);
  return parts.every((part) => PERMISSIVE.has(part)) ? undefined : `licence ${dependency.license}`;
}

function describeDependency(dependency: RuntimeDependency): string[] {
  return [
    ...(dependency.native ? ['a native module, compiled or downloaded at install'] : []),
    ...(dependency.installScript && !dependency.native ? ['runs an install script'] : []),
    ...[licenceWorry(dependency)].filter((worry): worry is string => worry !== undefined),
  ];
}

const publishRight = (change: ListChange): string[] =>
  change.added.filter((subject) => !subject.startsWith('$JS.'));

/** The lines of a service's report someone must read before it ships, most serious first. */
export function attentionOf(
  service: Omit<ServiceReport, 'attention'>,
  /** Each stream's `max_age` in nanoseconds (0: kept forever), from the manifest. */
  retention: ReadonlyMap<string, number> = new Map(),
): string[] {
  const lines: string[] = [];
  for (const contract of service.contracts) {
    for (const breaking of contract.breaking)
      lines.push(`breaking: ${contract.subject} ${breaking}`);
  }
  for (const migration of service.migrations.added) {
    for (const risk of migration.risks) lines.push(`migration ${migration.name}: ${risk.why}`);
  }
  for (const file of service.migrations.edited) {
    lines.push(
      `migration edited after it was committed: ${file} (databases that ran it keep the old one)`,
    );
  }
  for (const key of service.configuration.keys.added.filter((added) => added.required)) {
    lines.push(
      `new required environment key ${key.key}: the service does not start until it is set`,
    );
  }
  for (const secret of service.configuration.secrets) {
    lines.push(`new Pulumi secret ${secret.key} (${secret.program}): set it on every stack first`);
  }
  for (const dependency of [
    ...service.dependencies.added,
    ...service.dependencies.transitive.added,
  ]) {
    const worries = describeDependency(dependency);
    if (worries.length > 0)
      lines.push(`dependency ${dependency.name}@${dependency.version}: ${worries.join(', ')}`);
  }
  for (const { name, from, to } of service.dependencies.changed) {
    if (from.license !== to.license)
      lines.push(`dependency ${name}: licence ${from.license ?? 'none'} → ${to.license ?? 'none'}`);
    if (!from.native && to.native)
      lines.push(`dependency ${name}@${to.version}: now a native module`);
  }
  for (const subject of publishRight(service.messaging.permissions.publish)) {
    lines.push(`NATS: may now publish to ${subject}`);
  }
  for (const consumed of service.messaging.consumes.added) {
    // The platform creates durable consumers with deliver policy "all": the first start of the
    // release works through every event of that subject the stream still holds.
    lines.push(
      `new durable consumer ${consumed.consumer} on stream ${consumed.stream}: its first start ` +
        `processes every ${consumed.subject} the stream holds (${kept(retention.get(consumed.stream))})`,
    );
  }
  return lines;
}

/** How long a stream keeps events, from its `max_age` in nanoseconds. */
function kept(maxAgeNs: number | undefined): string {
  if (maxAgeNs === undefined) return 'retention unknown';
  if (maxAgeNs === 0) return 'kept until deleted';
  const hours = maxAgeNs / 3.6e12;
  return hours >= 48 ? `up to ${Math.round(hours / 24)} days` : `up to ${Math.round(hours)} h`;
}
