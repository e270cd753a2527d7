import { type NatsConnection } from 'nats';
import { type DataSource } from 'typeorm';
import { type MessagingMetrics } from '../metrics/messaging-metrics';

/** A hosted domain whose `@EventHandler`s the transport runs. */
export interface EventDomain {
  /**
   * The prefix of its durable consumers' names: one consumer per domain × event type, whichever
   * process hosts the domain, so moving it to another process keeps each consumer's position.
   */
  name: string;
  /** Its database: each event is handled in a transaction of it, together with its inbox row. */
  dataSource: DataSource;
  /**
   * The subjects its handlers consume (Nest hands a transport every event handler of the app).
   * Default, for a process hosting one domain: every event handler.
   */
  subjects?: readonly string[];
  /** Whether the domain publishes events, whose stream `verify` then checks. Default false. */
  publishesEvents?: boolean;
}

export interface JetStreamTransportOptions {
  connection: NatsConnection;
  /** The domains the process hosts that consume or publish events. */
  domains: readonly EventDomain[];
  /** Deliveries before an event goes to the DLQ. Default 5. */
  maxDeliver?: number;
  /** Unacknowledged messages a consumer may hold: bounds memory and in-flight work. Default 256. */
  maxAckPending?: number;
  /** Handlers running at once per consumer. Default 16. */
  concurrency?: number;
  /**
   * Most events handled in one transaction by a handler declared with `@EventHandler(C, { batch:
   * true })`. Default 64.
   */
  maxBatch?: number;
  /** First redelivery delay; doubles each attempt up to `maxBackoffMs`. Default 500 ms. */
  backoffMs?: number;
  maxBackoffMs?: number;
  /**
   * Replicas of the streams this service ensures at boot: 1 on a single server, 3 on a clustered
   * JetStream (every service must agree, since each brings the streams to its definition). Used in
   * `ensure` mode only: in `verify` mode the provisioner decides.
   */
  streamReplicas?: number;
  /**
   * `ensure` (default): create and update every stream at boot (`ensureStreams`), for local runs and
   * tests. `verify`: only check that the streams this service uses exist with their subjects
   * (`verifyStreams`); the platform provisions them in deployments.
   */
  streams?: 'ensure' | 'verify';
  /** Time the server waits for an ack before redelivering. Default 30 s. */
  ackWaitMs?: number;
  /**
   * Where `events_*` and `dlq_events` go: deliveries as they are handled, and the consumers' lag
   * and dead letters read from the server at each scrape. Default: metrics nobody scrapes.
   */
  metrics?: MessagingMetrics;
}

/** The options with every default filled in. */
export type TransportSettings = Required<
  Omit<JetStreamTransportOptions, 'connection' | 'domains' | 'metrics'>
>;

export function transportSettings(options: JetStreamTransportOptions): TransportSettings {
  return {
    maxDeliver: options.maxDeliver ?? 5,
    maxAckPending: options.maxAckPending ?? 256,
    concurrency: options.concurrency ?? 16,
    maxBatch: options.maxBatch ?? 64,
    backoffMs: options.backoffMs ?? 500,
    maxBackoffMs: options.maxBackoffMs ?? 30_000,
    ackWaitMs: options.ackWaitMs ?? 30_000,
    streamReplicas: options.streamReplicas ?? 1,
    streams: options.streams ?? 'ensure',
  };
}
