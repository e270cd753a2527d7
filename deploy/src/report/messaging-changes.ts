import {
  type ConsumedStream,
  manifestForTopology,
  natsPermissionsFor,
  type ServiceMessaging,
} from '@switchboard/infra';
import { join } from 'node:path';
import { type PlannedTopology } from '../plan/topology';

/** What a list gained and lost between two commits. */
export interface ListChange {
  added: string[];
  removed: string[];
}

/** A deployable's messaging at base and head, as the manifest says, and the NATS rights that follow. */
export interface MessagingChanges {
  answers: ListChange;
  calls: ListChange;
  publishes: ListChange;
  pushes: ListChange;
  receives: ListChange;
  reads: ListChange;
  consumes: { added: ConsumedStream[]; removed: ConsumedStream[] };
  /**
   * The NATS permissions of its user, derived as the stacks derive them (`natsPermissionsFor` of
   * infra): a subject it may now publish to is what an operator must see before it ships.
   */
  permissions: { publish: ListChange; subscribe: ListChange };
}

export function listChange(before: readonly string[], after: readonly string[]): ListChange {
  const old = new Set(before);
  const current = new Set(after);
  return {
    added: [...current].filter((item) => !old.has(item)).sort(),
    removed: [...old].filter((item) => !current.has(item)).sort(),
  };
}

export function isEmptyChange(change: ListChange): boolean {
  return change.added.length === 0 && change.removed.length === 0;
}

/**
 * The manifest entry of one host of the topology (the union of its processes' domains, as a
 * process carrying several domains gets it), named by its first process; undefined when the
 * manifest has no entry for one of its parts (the host did not exist at that commit).
 */
export function hostEntry(
  manifest: { services: Record<string, ServiceMessaging> },
  topology: PlannedTopology,
  host: string,
): { process: string; entry: ServiceMessaging } | undefined {
  const processes = topology.processes.filter((process) => process.host === host);
  if (processes.length === 0) return undefined;
  const name = processes[0].name;
  const domains = [...new Set(processes.flatMap((process) => process.domains))];
  const parts = domains.length === 0 ? [host] : domains;
  if (parts.some((part) => manifest.services[part] === undefined)) return undefined;
  const merged = manifestForTopology(
    { services: manifest.services, streams: [] },
    {
      name: topology.name,
      processes: [{ name, host, port: 0, domains }],
    },
  );
  return { process: name, entry: merged.services[name] };
}

const NOTHING: ServiceMessaging = {
  domains: [],
  answers: [],
  calls: [],
  publishes: [],
  pushes: [],
  consumes: [],
  reads: [],
  receives: [],
};

/** How a service's NATS rights follow from its manifest entry (infra's `natsPermissionsFor`). */
export type PermissionRule = (
  service: string,
  entry: ServiceMessaging,
) => { publish: { allow: string[] }; subscribe: { allow: string[] } };

/**
 * How a process's messaging and NATS rights change from `before` to `after` (absent: none). The
 * rights are derived by each commit's own rule: a change to the derivation (a right every service
 * gains) is a permission change as much as a new subject is.
 */
export function messagingChanges(
  process: string,
  before: ServiceMessaging | undefined,
  after: ServiceMessaging | undefined,
  rules: { before: PermissionRule; after: PermissionRule } = {
    before: natsPermissionsFor,
    after: natsPermissionsFor,
  },
): MessagingChanges {
  const a = before ?? NOTHING;
  const b = after ?? NOTHING;
  const key = (consumed: ConsumedStream): string => `${consumed.stream}/${consumed.consumer}`;
  const consumers = listChange(a.consumes.map(key), b.consumes.map(key));
  const rights = (entry: ServiceMessaging | undefined, rule: PermissionRule) =>
    entry === undefined
      ? { publish: { allow: [] }, subscribe: { allow: [] } }
      : rule(process, entry);
  const old = rights(before, rules.before);
  const current = rights(after, rules.after);
  return {
    answers: listChange(a.answers, b.answers),
    calls: listChange(a.calls, b.calls),
    publishes: listChange(a.publishes, b.publishes),
    pushes: listChange(a.pushes, b.pushes),
    receives: listChange(a.receives, b.receives),
    reads: listChange(a.reads, b.reads),
    consumes: {
      added: b.consumes.filter((consumed) => consumers.added.includes(key(consumed))),
      removed: a.consumes.filter((consumed) => consumers.removed.includes(key(consumed))),
    },
    permissions: {
      publish: listChange(old.publish.allow, current.publish.allow),
      subscribe: listChange(old.subscribe.allow, current.subscribe.allow),
    },
  };
}

/** True when nothing in the messaging or the rights changed. */
export function messagingUnchanged(changes: MessagingChanges): boolean {
  const { consumes, permissions, ...lists } = changes;
  return (
    Object.values(lists).every(isEmptyChange) &&
    consumes.added.length === 0 &&
    consumes.removed.length === 0 &&
    isEmptyChange(permissions.publish) &&
    isEmptyChange(permissions.subscribe)
  );
}

/**
 * The permission rule of the tree at `root` (its `infra/nats/permissions.ts`), or undefined when it
 * has none or it does not load: the caller then judges both commits by the current rule.
 */
export function permissionRuleAt(root: string): PermissionRule | undefined {
  try {
    const module = require(join(root, 'infra', 'nats', 'permissions.ts')) as {
      natsPermissionsFor?: PermissionRule;
    };
    return module.natsPermissionsFor;
  } catch {
    return undefined;
  }
}
