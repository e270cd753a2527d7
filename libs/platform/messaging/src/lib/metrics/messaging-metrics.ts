import { AppError } from '@switchboard/contracts';
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** Injection token of the service's Prometheus registry (`/metrics` serves it). */
export const METRICS_REGISTRY = Symbol('METRICS_REGISTRY');

/** Latency buckets, in seconds: from half a millisecond (an RPC on one host) to 10 s. */
export const DURATION_BUCKETS = [
  0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10,
];

/** A durable consumer as the server counts it: what waits for it, and what it holds unacked. */
export interface ConsumerState {
  consumer: string;
  /** Messages in its stream it has not been given yet: its lag. */
  pending: number;
  /** Given to it and not acked yet. */
  ackPending: number;
}

/** An outbox at scrape time: rows not published yet, and the age of the oldest. */
export interface OutboxState {
  backlog: number;
  oldestAgeSeconds: number;
}

type Source<T> = () => Promise<T>;

/**
 * The messaging layer's Prometheus metrics, one set per registry (`messagingMetricsOf`): counters
 * and histograms recorded as work happens, and gauges read from their sources at scrape time — the
 * outboxes (`watchOutbox`), the consumers' state on the server and the DLQ (the JetStream
 * transport). A source that fails during a scrape (NATS or a database down) leaves its series out
 * of that scrape rather than failing `/metrics`.
 */
export class MessagingMetrics {
  /** `rpc_client_duration_seconds{subject, code}`: calls made; `code` is `OK` or the error code. */
  readonly rpcClient: Histogram<'subject' | 'code'>;
  /** `rpc_server_duration_seconds{subject, code}`: requests answered. */
  readonly rpcServer: Histogram<'subject' | 'code'>;
  /** `events_process_duration_seconds{consumer, outcome}`: deliveries handled, by what became of them. */
  readonly eventsProcessed: Histogram<'consumer' | 'outcome'>;
  /** `events_redeliveries_total{consumer}`: deliveries that were not an event's first. */
  readonly redeliveries: Counter<'consumer'>;
  /** `events_published_total{subject}`: events the outbox relay published (PubAck received). */
  readonly eventsPublished: Counter<'subject'>;
  /** `nats_reconnects_total`: times the NATS connection came back after a loss. */
  readonly natsReconnects: Counter;

  private readonly outboxes = new Map<string, Source<OutboxState>>();
  private readonly consumers = new Set<Source<ConsumerState[]>>();
  private readonly deadLetters = new Set<Source<Map<string, number>>>();

  constructor(readonly registry: Registry) {
    const registers = [registry];
    const duration = <L extends string>(name: string, help: string, labelNames: L[]) =>
      new Histogram<L>({ name, help, labelNames, buckets: DURATION_BUCKETS, registers });
    this.rpcClient = duration(
      'rpc_client_duration_seconds',
      'RPC calls this service made, by subject and outcome (OK or the error code)',
      ['subject', 'code'],
    );
    this.rpcServer = duration(
      'rpc_server_duration_seconds',
      'RPC requests this service answered, by subject and outcome (OK or the error code)',
      ['subject', 'code'],
    );
    this.eventsProcessed = duration(
      'events_process_duration_seconds',
      'Event deliveries handled, by consumer and outcome (ack, duplicate, retry, dead-lettered, …)',
      ['consumer', 'outcome'],
    );
    this.redeliveries = new Counter({
      name: 'events_redeliveries_total',
      help: 'Event deliveries that were not the first of their event, by consumer',
      labelNames: ['consumer'],
      registers,
    });
    this.eventsPublished = new Counter({
      name: 'events_published_total',
      help: 'Events the outbox relay published to JetStream (PubAck received), by subject',
      labelNames: ['subject'],
      registers,
    });
    this.natsReconnects = new Counter({
      name: 'nats_reconnects_total',
      help: 'Times the NATS connection was re-established after a loss',
      registers,
    });

    // The gauges of one source are collected in parallel: they share one read per scrape.
    const outboxes = sharedRead(() => this.readOutboxes());
    const consumers = sharedRead(() => this.readConsumers());
    new Gauge({
      name: 'outbox_backlog_events',
      help: 'Outbox rows written and not published yet, by domain',
      labelNames: ['domain'],
      registers,
      async collect() {
        this.reset();
        for (const [domain, state] of await outboxes()) this.set({ domain }, state.backlog);
      },
    });
    new Gauge({
      name: 'outbox_oldest_event_age_seconds',
      help: 'Age of the oldest unpublished outbox row (0 when empty), by domain',
      labelNames: ['domain'],
      registers,
      async collect() {
        this.reset();
        for (const [domain, state] of await outboxes())
          this.set({ domain }, state.oldestAgeSeconds);
      },
    });
    new Gauge({
      name: 'events_consumer_pending',
      help: 'Messages waiting for a durable consumer (its lag), as the server counts them',
      labelNames: ['consumer'],
      registers,
      async collect() {
        this.reset();
        for (const state of await consumers())
          this.set({ consumer: state.consumer }, state.pending);
      },
    });
    new Gauge({
      name: 'events_consumer_ack_pending',
      help: 'Messages given to a durable consumer and not acked yet',
      labelNames: ['consumer'],
      registers,
      async collect() {
        this.reset();
        for (const state of await consumers()) {
          this.set({ consumer: state.consumer }, state.ackPending);
        }
      },
    });
    const deadLetters = () => this.readDeadLetters();
    new Gauge({
      name: 'dlq_events',
      help: "Dead letters in the DLQ stream, by the consumer that gave up (this service's consumers)",
      labelNames: ['consumer'],
      registers,
      async collect() {
        this.reset();
        for (const [consumer, count] of await deadLetters()) this.set({ consumer }, count);
      },
    });
  }

  /** Reads `domain`'s outbox at each scrape (one source per domain; a second replaces the first). */
  addOutbox(domain: string, source: Source<OutboxState>): void {
    this.outboxes.set(domain, source);
  }

  /** Reads consumers' state on the server at each scrape; returns a function that stops it. */
  addConsumers(source: Source<ConsumerState[]>): () => void {
    this.consumers.add(source);
    return () => this.consumers.delete(source);
  }

  /** Counts dead letters per consumer at each scrape; returns a function that stops it. */
  addDeadLetters(source: Source<Map<string, number>>): () => void {
    this.deadLetters.add(source);
    return () => this.deadLetters.delete(source);
  }

  private async readOutboxes(): Promise<[string, OutboxState][]> {
    const states = await Promise.all(
      [...this.outboxes].map(async ([domain, source]) => {
        const state = await source().catch(() => undefined);
        return state === undefined ? [] : [[domain, state] as [string, OutboxState]];
      }),
    );
    return states.flat();
  }

  private async readConsumers(): Promise<ConsumerState[]> {
    const states = await Promise.all(
      [...this.consumers].map((source) => source().catch(() => [] as ConsumerState[])),
    );
    return states.flat();
  }

  private async readDeadLetters(): Promise<[string, number][]> {
    const counts = await Promise.all(
      [...this.deadLetters].map((source) => source().catch(() => new Map<string, number>())),
    );
    return counts.flatMap((perConsumer) => [...perConsumer]);
  }
}

/** One read shared by every caller while it is in flight. */
function sharedRead<T>(read: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= read().finally(() => {
      pending = undefined;
    });
    return pending;
  };
}

/** The `code` label of a failed RPC: the `AppError`'s code, `INTERNAL` for anything else. */
export function errorCodeOf(error: unknown): string {
  return error instanceof AppError ? error.code : 'INTERNAL';
}

/** Seconds since `start` (a `performance.now()` reading). */
export function secondsSince(start: number): number {
  return (performance.now() - start) / 1_000;
}

const byRegistry = new WeakMap<Registry, MessagingMetrics>();

/** The messaging metrics of `registry`, created on first use: every component of a service shares them. */
export function messagingMetricsOf(registry: Registry): MessagingMetrics {
  let metrics = byRegistry.get(registry);
  if (!metrics) {
    metrics = new MessagingMetrics(registry);
    byRegistry.set(registry, metrics);
  }
  return metrics;
}

/** Metrics nobody scrapes, for components built without a registry (a test, a tool). */
export function unscrapedMetrics(): MessagingMetrics {
  return new MessagingMetrics(new Registry());
}
