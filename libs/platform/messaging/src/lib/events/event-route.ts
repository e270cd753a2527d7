import { type Logger } from '@nestjs/common';
import { type MessageHandler } from '@nestjs/microservices';
import { type EventContract } from '@switchboard/contracts';
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  type JetStreamManager,
  type JsMsg,
  nanos,
} from 'nats';
import { type DataSource } from 'typeorm';
import { BATCH_EXTRA, CONCURRENCY_EXTRA } from '../handler.decorators';
import { isJetStreamApiError, JetStreamApiError } from '../jetstream/api-errors';
import { streamOf } from '../jetstream/streams';
import { type EventDomain, type TransportSettings } from './jetstream-transport.options';
import { Semaphore } from './semaphore';

/** One event type a hosted domain consumes: its handler, durable consumer and running state. */
export interface Route {
  contract: EventContract;
  dataSource: DataSource;
  handler: MessageHandler;
  stream: string;
  consumer: string;
  /** The consumer's `max_ack_pending`: delivered, not yet acked. */
  maxAckPending: number;
  /** Its handlers running at once; closed on shutdown, which wakes a message waiting for a slot. */
  slots: Semaphore;
  /** Events per transaction: 1, unless the handler asked for batches. */
  maxBatch: number;
  /** Batched handlers: delivered and not started yet, in order of arrival. */
  waiting: JsMsg[];
  dispatchScheduled: boolean;
  messages?: ConsumerMessages;
  /** The pull loop: ends once every message the client received is started or handed back. */
  pulling?: Promise<void>;
}

/** `bots` + `evt.chat.message.created.v1` → `bots_evt-chat-message-created-v1`. */
export function consumerName(domain: string, subject: string): string {
  return `${domain}_${subject.replace(/\./g, '-')}`;
}

/** The route of an `@EventHandler` of `domain`, with the limits its options and the service's set. */
export function routeFor(
  contract: EventContract,
  handler: MessageHandler,
  domain: EventDomain,
  settings: TransportSettings,
): Route {
  const batch = handler.extras?.[BATCH_EXTRA] as true | number | undefined;
  const batchSize = batch === true ? settings.maxBatch : (batch ?? 1);
  // A handler's own limit narrows the service's; delivered-but-unacked follows it (a turn of a
  // batched handler takes up to a batch), so nothing waits in the buffer for a turn while its
  // ack wait runs out.
  const own = (handler.extras?.[CONCURRENCY_EXTRA] as number | undefined) ?? Infinity;
  const maxAckPending = Math.min(own * batchSize, settings.maxAckPending);
  return {
    contract,
    handler,
    stream: streamOf(contract.subject),
    dataSource: domain.dataSource,
    consumer: consumerName(domain.name, contract.subject),
    maxAckPending,
    slots: new Semaphore(Math.min(own, settings.concurrency)),
    maxBatch: Math.min(batchSize, maxAckPending),
    waiting: [],
    dispatchScheduled: false,
  };
}

/** The hosted domain that consumes `subject`: the one whose handlers list it, or the only one. */
export function domainOf(domains: readonly EventDomain[], subject: string): EventDomain {
  const listing = domains.find((domain) => domain.subjects?.includes(subject));
  if (listing) return listing;
  const only = domains.length === 1 ? domains[0] : undefined;
  if (only !== undefined && only.subjects === undefined) return only;
  throw new Error(
    `No hosted domain consumes ${subject}: list it in the subjects of one of ${domains.map((d) => d.name).join(', ')}`,
  );
}

/** Creates the route's durable consumer, or brings an existing one to the route's settings. */
export async function ensureConsumer(
  jsm: JetStreamManager,
  route: Route,
  ackWaitMs: number,
  log: Logger,
): Promise<void> {
  const config: Partial<ConsumerConfig> = {
    durable_name: route.consumer,
    filter_subject: route.contract.subject,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(ackWaitMs),
    max_ack_pending: route.maxAckPending,
    // We count deliveries and dead-letter ourselves; the server must keep redelivering until then.
    max_deliver: -1,
    deliver_policy: DeliverPolicy.All,
  };
  try {
    await jsm.consumers.info(route.stream, route.consumer);
    await jsm.consumers.update(route.stream, route.consumer, config);
  } catch (error) {
    if (!isJetStreamApiError(error, JetStreamApiError.ConsumerNotFound)) throw error;
    await jsm.consumers.add(route.stream, config);
  }
  log.log(`Consuming ${route.contract.subject} as ${route.consumer} (stream ${route.stream})`);
}
