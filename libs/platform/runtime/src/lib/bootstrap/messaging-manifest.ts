import { type DynamicModule, type Type } from '@nestjs/common';
import { MODULE_METADATA } from '@nestjs/common/constants';
import { PATTERN_EXTRAS_METADATA } from '@nestjs/microservices/constants';
import * as contracts from '@switchboard/contracts';
import { type EventContract, type PushContract, type RpcContract } from '@switchboard/contracts';
import {
  CONTRACT_EXTRA,
  consumerName,
  streamDefinitions,
  streamOf,
} from '@switchboard/platform-messaging';
import { type StreamConfig } from 'nats';
import { type ServiceDefinition } from './service-definition';

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
 * Everything a service does on NATS, derived from its code — handlers' decorators, the declared
 * `calls` (enforced by `RpcClient`) and the contracts of its own domain — never typed by hand. The
 * deployment generates the service's NATS permissions from it (`infra/`).
 */
export interface MessagingManifest {
  /** The service's domain: the second token of the subjects it owns. */
  domain: string;
  /** RPC subjects it answers (`@RpcHandler`). */
  answers: string[];
  /** RPC subjects of other services it calls (`DomainDefinition.calls`). */
  calls: string[];
  /** Event subjects it may publish through its outbox: its domain's event contracts. */
  publishes: string[];
  /** Push subject prefixes of its domain (`push.<domain>.<name>.v<N>`, a user token follows). */
  pushes: string[];
  /** Events it consumes (`@EventHandler`), with their stream and durable consumer. */
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

type AnyContract = RpcContract | EventContract | PushContract;

/** Builds the manifest of a service from its definition, without starting anything. */
export function messagingManifestOf(definition: ServiceDefinition): MessagingManifest {
  const domain = definition.name;
  const handled = definition.domains.flatMap((hosted) => handlersOf(hosted.module));
  const owned = contractsOf(domain);
  const answers = handled.filter((contract): contract is RpcContract => contract.kind === 'rpc');
  const foreign = answers.filter((contract) => contract.domain !== domain);
  if (foreign.length > 0) {
    throw new Error(
      `${domain} answers RPCs of other domains: ${foreign.map((c) => c.subject).join(', ')}`,
    );
  }
  return {
    domain,
    answers: sorted(answers.map((contract) => contract.subject)),
    calls: sorted(definition.domains.flatMap((hosted) => hosted.calls ?? []).map((c) => c.subject)),
    publishes: sorted(
      owned.filter((contract) => contract.kind === 'event').map((contract) => contract.subject),
    ),
    pushes: sorted(
      owned
        .filter((contract): contract is PushContract => contract.kind === 'push')
        .map((contract) => contract.subjectPrefix),
    ),
    consumes: handled
      .filter((contract): contract is EventContract => contract.kind === 'event')
      .map((contract) => ({
        subject: contract.subject,
        stream: streamOf(contract.subject),
        consumer: consumerName(domain, contract.subject),
      }))
      .sort((a, b) => a.subject.localeCompare(b.subject)),
    reads: sorted(
      definition.domains.flatMap((hosted) => hosted.reads ?? []).map((c) => streamOf(c.subject)),
    ),
    receives: sorted(
      definition.domains.flatMap((hosted) => hosted.receives ?? []).map((c) => c.subjectPrefix),
    ),
    streams: streamDefinitions().map(expectedStream),
  };
}

/** Whether the domain has any event contract, i.e. its outbox may publish to its stream. */
export function publishesEvents(domain: string): boolean {
  return contractsOf(domain).some((contract) => contract.kind === 'event');
}

function contractsOf(domain: string): AnyContract[] {
  return allContracts().filter((contract) => contract.domain === domain);
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

function allContracts(): AnyContract[] {
  return Object.values(contracts).flatMap((namespace) =>
    typeof namespace === 'object' && namespace !== null
      ? Object.values(namespace as Record<string, unknown>).filter((value): value is AnyContract =>
          ['rpc', 'event', 'push'].includes((value as { kind?: unknown } | null)?.kind as string),
        )
      : [],
  );
}

function sorted(subjects: string[]): string[] {
  return [...new Set(subjects)].sort();
}
