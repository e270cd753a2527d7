import { type DynamicModule, type Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants';
import {
  type AnyContract,
  contractsOf,
  type EventContract,
  type PushContract,
  type RpcContract,
} from '@switchboard/contracts';
import {
  CONTRACT_EXTRA,
  consumerName,
  streamDefinitions,
  streamOf,
} from '@switchboard/platform-messaging';
import { type StreamConfig } from 'nats';
import { type DomainDefinition, type ServiceDefinition } from './service-definition';

/** One durable consumer: what a service reads from JetStream. */
export interface ConsumedEvent {
  subject: string;
  stream: string;
  consumer: string;
}

/**
 * One JetStream stream as the platform defines it (`streamDefinitions`), without the replicas, which
 * are a deployment decision. Plain JSON: the provisioner passes it to the JetStream API as is.
 */
export interface ExpectedStream {
  name: string;
  subjects: string[];
  /** `limits`, `interest` or `workqueue`. */
  retention: string;
  /** `file` or `memory`. */
  storage: string;
  /** Nanoseconds. */
  max_age: number;
  /** Nanoseconds. */
  duplicate_window: number;
  /** `old` or `new`. */
  discard: string;
}

/**
 * Everything a process does on NATS, derived from its code — handlers' decorators, the declared
 * `calls` (enforced by `RpcClient`) and the contracts of the domains it hosts — never typed by
 * hand. The deployment generates the process's NATS permissions from it (`infra/`): a process
 * hosting several domains gets the union of theirs.
 */
export interface MessagingManifest {
  /** The domains it hosts: the second token of the subjects they own. */
  domains: string[];
  /** RPC subjects it answers (`@RpcHandler`). */
  answers: string[];
  /** RPC subjects of other services it calls (`DomainDefinition.calls`). */
  calls: string[];
  /** Event subjects it may publish through its outbox: its domains' event contracts. */
  publishes: string[];
  /** Push subject prefixes of its domains (`push.<domain>.<name>.v<N>`, a user token follows). */
  pushes: string[];
  /**
   * Events it consumes (`@EventHandler`), with their stream and durable consumer — named for the
   * consuming domain, so the consumer's position moves with the domain from process to process.
   */
  consumes: ConsumedEvent[];
  /**
   * Streams it reads as a live feed with ephemeral ordered consumers (`DomainDefinition.reads`): no
   * durable consumer, no acks; the realtime edge.
   */
  reads: string[];
  /** Push subject prefixes of other domains it subscribes to for any user (`.<user>` follows). */
  receives: string[];
  /**
   * The streams the service expects, in the platform's order; the deployment creates them from this
   * list (with `EVENTS_STREAMS=verify` the service only checks the ones it uses).
   */
  streams: ExpectedStream[];
}

/** What one hosted domain does on NATS, from the decorators of its module's handlers. */
export interface HostedDomain {
  name: string;
  /** RPC subjects its handlers answer. */
  answers: string[];
  /** Event subjects its handlers consume. */
  consumes: string[];
  /** Whether its contracts define events (its outbox publishes them). */
  publishesEvents: boolean;
}

/**
 * The domains a process hosts, each with its handlers. Refuses what cannot work in one process:
 * a domain hosted twice, a domain answering another domain's RPC, and two domains consuming the
 * same event (a process runs one handler per subject).
 */
export function hostedDomainsOf(definition: ServiceDefinition): HostedDomain[] {
  const names = definition.domains.map((domain) => domain.name);
  const twice = names.filter((name, index) => names.indexOf(name) !== index);
  if (twice.length > 0) throw new Error(`${definition.name} hosts ${twice.join(', ')} twice`);
  const consumedBy = new Map<string, string>();
  return definition.domains.map((domain: DomainDefinition): HostedDomain => {
    const handled = handlersOf(domain.module);
    const answers = handled.filter((contract): contract is RpcContract => contract.kind === 'rpc');
    const foreign = answers.filter((contract) => contract.domain !== domain.name);
    if (foreign.length > 0) {
      throw new Error(
        `${domain.name} answers RPCs of other domains: ${foreign.map((c) => c.subject).join(', ')}`,
      );
    }
    const consumes = sorted(
      handled
        .filter((contract): contract is EventContract => contract.kind === 'event')
        .map((contract) => contract.subject),
    );
    for (const subject of consumes) {
      const other = consumedBy.get(subject);
      if (other !== undefined) {
        throw new Error(
          `${other} and ${domain.name} both consume ${subject}: a process runs one handler per ` +
            'subject, so host them in different processes',
        );
      }
      consumedBy.set(subject, domain.name);
    }
    return {
      name: domain.name,
      answers: sorted(answers.map((contract) => contract.subject)),
      consumes,
      publishesEvents: contractsOf(domain.name).some((contract) => contract.kind === 'event'),
    };
  });
}

/** Builds the manifest of a process from its definition, without starting anything. */
export function messagingManifestOf(definition: ServiceDefinition): MessagingManifest {
  const hosted = hostedDomainsOf(definition);
  const owned = hosted.flatMap((domain) => contractsOf(domain.name));
  const declared = <T>(pick: (domain: DomainDefinition) => readonly T[] | undefined): T[] =>
    definition.domains.flatMap((domain) => pick(domain) ?? []);
  return {
    domains: hosted.map((domain) => domain.name),
    answers: sorted(hosted.flatMap((domain) => domain.answers)),
    calls: sorted(declared((domain) => domain.calls).map((contract) => contract.subject)),
    publishes: sorted(
      owned.filter((contract) => contract.kind === 'event').map((contract) => contract.subject),
    ),
    pushes: sorted(
      owned
        .filter((contract): contract is PushContract => contract.kind === 'push')
        .map((contract) => contract.subjectPrefix),
    ),
    consumes: hosted
      .flatMap((domain) =>
        domain.consumes.map((subject) => ({
          subject,
          stream: streamOf(subject),
          consumer: consumerName(domain.name, subject),
        })),
      )
      .sort((a, b) => a.subject.localeCompare(b.subject)),
    reads: sorted(declared((domain) => domain.reads).map((contract) => streamOf(contract.subject))),
    receives: sorted(
      declared((domain) => domain.receives).map((contract) => contract.subjectPrefix),
    ),
    streams: streamDefinitions().map(expectedStream),
  };
}

function expectedStream(definition: Partial<StreamConfig>): ExpectedStream {
  const { name, subjects, retention, storage, max_age, duplicate_window, discard } = definition;
  if (
    name === undefined ||
    subjects === undefined ||
    retention === undefined ||
    storage === undefined ||
    max_age === undefined ||
    duplicate_window === undefined ||
    discard === undefined
  ) {
    // The provisioner must never fill a gap with a server default.
    throw new Error(`The definition of stream ${name ?? '(unnamed)'} is incomplete`);
  }
  return { name, subjects, retention, storage, max_age, duplicate_window, discard };
}

/** The contracts of `@RpcHandler` / `@EventHandler` methods in a module and the modules it imports. */
function handlersOf(module: Type | DynamicModule, seen = new Set<unknown>()): AnyContract[] {
  const type = 'module' in module ? module.module : module;
  if (seen.has(type)) return [];
  seen.add(type);
  const controllers: Type[] = [
    ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, type) as Type[] | undefined) ?? []),
    ...('module' in module ? ((module.controllers ?? []) as Type[]) : []),
  ];
  const imports = [
    ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, type) as unknown[] | undefined) ?? []),
    ...('module' in module ? (module.imports ?? []) : []),
  ].filter(
    (imported): imported is Type | DynamicModule =>
      typeof imported === 'function' ||
      (typeof imported === 'object' && imported !== null && 'module' in imported),
  );
  const found: AnyContract[] = [];
  for (const controller of controllers) {
    const prototype = controller.prototype as Record<string, unknown>;
    for (const key of Object.getOwnPropertyNames(prototype)) {
      const method = prototype[key];
      if (key === 'constructor' || typeof method !== 'function') continue;
      const extras = Reflect.getMetadata(PATTERN_EXTRAS_METADATA, method) as
        Record<string, unknown> | undefined;
      const contract = extras?.[CONTRACT_EXTRA] as AnyContract | undefined;
      if (contract) found.push(contract);
    }
  }
  return [...found, ...imports.flatMap((imported) => handlersOf(imported, seen))];
}

function sorted(subjects: string[]): string[] {
  return [...new Set(subjects)].sort();
}
