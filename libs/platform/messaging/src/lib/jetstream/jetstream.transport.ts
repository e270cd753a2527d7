import { isJetStreamApiError, JetStreamApiError } from './api-errors';
import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import { describeIssues, type EventContract } from '@switchboard/contracts';
import {
  AckPolicy,
  type ConsumerConfig,
  type ConsumerMessages,
  DeliverPolicy,
  headers as natsHeaders,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type NatsConnection,
  nanos,
  type Subscription,
} from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { lastValueFrom } from 'rxjs';
import { type DataSource, type EntityManager } from 'typeorm';
import { isUniqueViolation, pingDatabase } from '@switchboard/platform-persistence';
import { runWithCallContext } from '../call-context';
import { BATCH_EXTRA, CONCURRENCY_EXTRA, CONTRACT_EXTRA } from '../handler.decorators';
import { decodeJson } from '../json-codec';
import { recordInInbox } from '../outbox/inbox';
import { newTraceContext, readTraceHeaders } from '../trace-context';
import { EventContext, UnprocessableEvent } from './event-context';
import { EventHeaders } from './event-headers';
import {
  DLQ_SUBJECT_PREFIX,
  ensureStreams,
  streamDefinitions,
  streamOf,
  streamsUsedBy,
  verifyStreams,
} from './streams';
import { JETSTREAM_TRANSPORT } from './transport-ids';

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
}

interface Route {
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

/** Redelivery delay while the database is unreachable: short, so work resumes soon after it is back. */
const DATABASE_DOWN_RETRY_MS = 2_000;

/** Past this, closing stops waiting for the server to confirm a pull subscription's end. */
const DRAIN_TIMEOUT_MS = 2_000;

class PoisonMessage extends Error {
  override readonly name = 'PoisonMessage';
}

/** A delivered message with its event id and validated payload. */
interface Delivery {
  msg: JsMsg;
  eventId: string;
  payload: unknown;
}

/** `bots` + `evt.chat.message.created.v1` → `bots_evt-chat-message-created-v1`. */
export function consumerName(domain: string, subject: string): string {
  return `${domain}_${subject.replace(/\./g, '-')}`;
}

/**
 * Nest transport for `@EventHandler`s over durable JetStream pull consumers. Each message is
 * handled in a database transaction together with its inbox row and acked only after the commit;
 * a failure is nak'd with exponential backoff; after `maxDeliver` attempts (or at once for a payload
 * that breaks its contract, or an `UnprocessableEvent` thrown by the handler) it is published to the
 * DLQ with what went wrong, then terminated.
 * While the database itself is unreachable nothing is acked and attempts do not count.
 *
 * A handler declared with `batch` has the events of its type that are waiting handled together,
 * in one transaction (see `processBatch`); a batch that fails is handled again event by event.
 */
export class JetStreamTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = JETSTREAM_TRANSPORT;
  private readonly log = new Logger('JetStreamTransport');
  private readonly routes: Route[] = [];
  private readonly inFlight = new Set<Promise<void>>();
  private running = false;
  /** Cuts short the pause before a re-attach when close() runs. */
  private readonly stopPulling = new AbortController();
  private readonly settings: Required<Omit<JetStreamTransportOptions, 'connection' | 'domains'>>;
  private js?: JetStreamClient;
  private jsm?: JetStreamManager;

  constructor(private readonly options: JetStreamTransportOptions) {
    super();
    this.settings = {
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

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  private async start(): Promise<void> {
    this.jsm = await this.options.connection.jetstreamManager();
    this.js = this.options.connection.jetstream();
    const routes: Route[] = [];
    for (const [subject, handler] of this.getHandlers()) {
      const contract = handler.extras?.[CONTRACT_EXTRA] as EventContract | undefined;
      if (contract?.kind !== 'event') continue; // RPC handlers belong to NatsTransport
      const domain = this.domainOf(subject);
      const batch = handler.extras?.[BATCH_EXTRA] as true | number | undefined;
      const batchSize = batch === true ? this.settings.maxBatch : (batch ?? 1);
      // A handler's own limit narrows the service's; delivered-but-unacked follows it (a turn of a
      // batched handler takes up to a batch), so nothing waits in the buffer for a turn while its
      // ack wait runs out.
      const own = (handler.extras?.[CONCURRENCY_EXTRA] as number | undefined) ?? Infinity;
      const maxAckPending = Math.min(own * batchSize, this.settings.maxAckPending);
      routes.push({
        contract,
        handler,
        stream: streamOf(subject),
        dataSource: domain.dataSource,
        consumer: consumerName(domain.name, subject),
        maxAckPending,
        slots: new Semaphore(Math.min(own, this.settings.concurrency)),
        maxBatch: Math.min(batchSize, maxAckPending),
        waiting: [],
        dispatchScheduled: false,
      });
    }
    await this.prepareStreams(routes.map((route) => route.contract.subject));
    for (const route of routes) {
      await this.ensureConsumer(route);
      this.routes.push(route);
    }
    this.running = true;
    for (const route of this.routes) route.pulling = this.pull(route);
  }

  private async prepareStreams(consumedSubjects: string[]): Promise<void> {
    const jsm = this.jsm as JetStreamManager;
    const definitions = streamDefinitions(this.settings.streamReplicas);
    if (this.settings.streams === 'ensure') {
      await ensureStreams(jsm, definitions);
      return;
    }
    // Least privilege: in deployments the service's NATS user may only read the info of the streams
    // it uses (no STREAM.CREATE/UPDATE), so it checks exactly those and never writes a stream.
    const used = streamsUsedBy({
      publishing: this.options.domains
        .filter((domain) => domain.publishesEvents)
        .map((domain) => domain.name),
      consumes: consumedSubjects,
    });
    await verifyStreams(
      jsm,
      // A stream outside the platform's definitions (a test domain) is checked for existence only.
      used.map((name) => definitions.find((definition) => definition.name === name) ?? { name }),
    );
  }

  /** The hosted domain that consumes `subject`: the one whose handlers list it, or the only one. */
  private domainOf(subject: string): EventDomain {
    const { domains } = this.options;
    const listing = domains.find((domain) => domain.subjects?.includes(subject));
    if (listing) return listing;
    const only = domains.length === 1 ? domains[0] : undefined;
    if (only !== undefined && only.subjects === undefined) return only;
    throw new Error(
      `No hosted domain consumes ${subject}: list it in the subjects of one of ${domains.map((d) => d.name).join(', ')}`,
    );
  }

  /**
   * Stops pulling, hands every message pulled but not started back to the server at once (a nak
   * without delay: another instance of the same durable consumer gets it now, not after the ack
   * wait), then waits for the handlers already running to commit and ack.
   */
  async close(): Promise<void> {
    this.running = false;
    this.stopPulling.abort();
    // A message waiting for a handler slot gets none: pull() hands it back instead.
    for (const route of this.routes) {
      route.slots.close();
      handBack(route);
    }
    await Promise.all(this.routes.map((route) => stopConsuming(route.messages)));
    await Promise.allSettled(this.routes.map((route) => route.pulling));
    await Promise.allSettled([...this.inFlight]);
  }

  on(): never {
    throw new Error('JetStreamTransport does not emit events');
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }

  /** Consumers and their lag, for readiness and diagnostics. */
  get consumers(): { consumer: string; stream: string; pulling: boolean }[] {
    return this.routes.map((route) => ({
      consumer: route.consumer,
      stream: route.stream,
      pulling: this.running && route.messages !== undefined,
    }));
  }

  private async ensureConsumer(route: Route): Promise<void> {
    const config: Partial<ConsumerConfig> = {
      durable_name: route.consumer,
      filter_subject: route.contract.subject,
      ack_policy: AckPolicy.Explicit,
      ack_wait: nanos(this.settings.ackWaitMs),
      max_ack_pending: route.maxAckPending,
      // We count deliveries and dead-letter ourselves; the server must keep redelivering until then.
      max_deliver: -1,
      deliver_policy: DeliverPolicy.All,
    };
    const jsm = this.jsm as JetStreamManager;
    try {
      await jsm.consumers.info(route.stream, route.consumer);
      await jsm.consumers.update(route.stream, route.consumer, config);
    } catch (error) {
      if (!isJetStreamApiError(error, JetStreamApiError.ConsumerNotFound)) throw error;
      await jsm.consumers.add(route.stream, config);
    }
    this.log.log(
      `Consuming ${route.contract.subject} as ${route.consumer} (stream ${route.stream})`,
    );
  }

  /**
   * Pulls for as long as the transport runs, re-attaching if the consumer's iterator ends. Once
   * close() has begun it only hands back: every message the iterator still yields is nak'd.
   */
  private async pull(route: Route): Promise<void> {
    const js = this.js as JetStreamClient;
    const { slots } = route;
    while (this.running) {
      try {
        const consumer = await js.consumers.get(route.stream, route.consumer);
        const messages = await consumer.consume({
          max_messages: Math.min(route.maxAckPending, 256),
        });
        route.messages = messages;
        if (!this.running) {
          // close() ran while this (re-)attach was under way and could not stop this iterator. Its
          // first pull request is only sent once iterated, so nothing was delivered to it.
          messages.stop();
          break;
        }
        for await (const msg of messages) {
          // The client pulls ahead of the handlers (up to max_ack_pending), so on shutdown its
          // buffer can hold many messages the server counts as delivered. Left alone they would
          // wait out the ack wait (30 s by default) before the server gave them to another
          // instance; a nak without delay hands each back at once.
          if (route.maxBatch > 1) {
            if (this.running) this.enqueue(route, msg);
            else msg.nak();
            continue;
          }
          const acquired = await slots.acquire();
          if (!acquired || !this.running) {
            if (acquired) slots.release();
            msg.nak();
            continue;
          }
          this.track(this.process(msg, route).finally(() => slots.release()));
        }
      } catch (error) {
        if (!this.running) break;
        this.log.warn(`Consumer ${route.consumer} stopped: ${String(error)}; re-attaching`);
      }
      if (this.running) {
        await sleep(1_000, undefined, { signal: this.stopPulling.signal }).catch(() => undefined);
      }
    }
    // Stopped: what still waits for a batch goes back to the server (it arrived after close()).
    handBack(route);
  }

  private track(work: Promise<void>): void {
    this.inFlight.add(work);
    void work.finally(() => this.inFlight.delete(work));
  }

  /**
   * A batched handler's message joins the queue; the batches are formed once the messages that
   * arrived together are all in it (the client yields a read's worth of messages in microtasks,
   * `setImmediate` runs after them), so nothing waits for messages still to come.
   */
  private enqueue(route: Route, msg: JsMsg): void {
    route.waiting.push(msg);
    if (route.dispatchScheduled) return;
    route.dispatchScheduled = true;
    setImmediate(() => {
      route.dispatchScheduled = false;
      this.dispatch(route);
    });
  }

  /** Starts a batch in every free slot; a finishing batch looks again. */
  private dispatch(route: Route): void {
    while (route.waiting.length > 0) {
      if (!this.running) {
        handBack(route);
        return;
      }
      if (!route.slots.tryAcquire()) return;
      const batch = takeBatch(route.waiting, route.maxBatch);
      this.track(
        this.processBatch(batch, route).finally(() => {
          route.slots.release();
          this.dispatch(route);
        }),
      );
    }
  }

  private async process(msg: JsMsg, route: Route): Promise<void> {
    let delivery: Delivery;
    try {
      delivery = { msg, eventId: eventIdOf(msg), payload: this.parse(msg, route.contract) };
    } catch (error) {
      await this.fail(msg, route, error);
      return;
    }
    await this.processAlone(delivery, route);
  }

  /** One event, one transaction: BEGIN, inbox row, the handler's effects, COMMIT, then the ack. */
  private async processAlone(delivery: Delivery, route: Route): Promise<void> {
    const { msg, eventId } = delivery;
    try {
      await route.dataSource.transaction(async (manager) => {
        const fresh = await recordInInbox(manager, route.consumer, [
          { eventId, subject: msg.subject },
        ]);
        if (fresh.size > 0) await this.handle(route, manager, delivery);
      });
      msg.ack();
    } catch (error) {
      await this.fail(msg, route, error);
    }
  }

  /**
   * Several events of a batched handler in one transaction: one statement inserts their inbox rows
   * and tells which are new, the handler runs for each new one, one COMMIT, then every message is
   * acked (a duplicate too: it had its effect before, or has it in this very transaction). If
   * anything fails the whole batch rolls back, and each event is handled again alone
   * ({@link processAlone}), so a failing event is retried and dead-lettered on its own while the
   * others commit.
   */
  private async processBatch(msgs: JsMsg[], route: Route): Promise<void> {
    if (msgs.length === 1) return this.process(msgs[0] as JsMsg, route);
    const deliveries: Delivery[] = [];
    for (const msg of msgs) {
      try {
        deliveries.push({ msg, eventId: eventIdOf(msg), payload: this.parse(msg, route.contract) });
      } catch (error) {
        await this.fail(msg, route, error); // a payload that breaks its contract goes alone
      }
    }
    if (deliveries.length === 0) return;
    try {
      await route.dataSource.transaction(async (manager) => {
        // The same event delivered twice in one batch (published again with a new Nats-Msg-Id)
        // has one inbox row and one effect.
        const firsts = new Map<string, Delivery>();
        for (const delivery of deliveries) {
          if (!firsts.has(delivery.eventId)) firsts.set(delivery.eventId, delivery);
        }
        const fresh = await recordInInbox(
          manager,
          route.consumer,
          [...firsts.values()].map(({ msg, eventId }) => ({ eventId, subject: msg.subject })),
        );
        for (const delivery of firsts.values()) {
          if (fresh.has(delivery.eventId)) await this.handle(route, manager, delivery);
        }
      });
    } catch (error) {
      await this.retryAlone(deliveries, route, error);
      return;
    }
    for (const { msg } of deliveries) msg.ack();
  }

  private async retryAlone(deliveries: Delivery[], route: Route, error: unknown): Promise<void> {
    if (!(await this.databaseReachable(route))) {
      // What each event would get alone: not its fault, retry soon, not moved towards the DLQ.
      for (const { msg } of deliveries) msg.nak(DATABASE_DOWN_RETRY_MS);
      return;
    }
    this.log.debug(
      `${route.consumer}: a batch of ${deliveries.length} events rolled back (${describe(error)}); handling each alone`,
    );
    for (const delivery of deliveries) {
      // Shutting down: hand the rest back at once rather than start them now.
      if (this.running) await this.processAlone(delivery, route);
      else delivery.msg.nak();
    }
  }

  /** Runs the handler in the publisher's trace, with the transaction its effects join. */
  private async handle(
    route: Route,
    manager: EntityManager,
    { msg, eventId, payload }: Delivery,
  ): Promise<void> {
    const context = new EventContext(
      manager,
      eventId,
      msg.info.redeliveryCount,
      msg.subject,
      route.consumer,
    );
    // The handler continues the publisher's trace: its logs and onward calls share the trace id.
    const trace = readTraceHeaders(msg.headers) ?? newTraceContext();
    await runWithCallContext({ trace }, async () =>
      lastValueFrom(this.transformToObservable(await route.handler(payload, context)), {
        defaultValue: undefined,
      }),
    );
  }

  private async fail(msg: JsMsg, route: Route, error: unknown): Promise<void> {
    const attempt = msg.info.redeliveryCount;
    if (isUniqueViolation(error)) {
      msg.ack(); // a concurrent delivery of the same event committed first
      return;
    }
    // A payload that breaks its contract, or a handler saying retries cannot help.
    const hopeless = error instanceof PoisonMessage || error instanceof UnprocessableEvent;
    if (!hopeless && !(await this.databaseReachable(route))) {
      // Not the event's fault: retry soon, without moving it towards the DLQ.
      msg.nak(DATABASE_DOWN_RETRY_MS);
      return;
    }
    if (hopeless || attempt >= this.settings.maxDeliver) {
      try {
        await this.deadLetter(msg, route, error);
        // A plain +TERM: servers before 2.10 ignore a term that carries a reason and redeliver.
        msg.term();
      } catch (dlqError) {
        this.log.error(
          `Could not dead-letter ${route.consumer} seq ${msg.seq}: ${String(dlqError)}`,
        );
        msg.nak(this.settings.maxBackoffMs);
      }
      return;
    }
    const delay = Math.min(
      this.settings.maxBackoffMs,
      this.settings.backoffMs * 2 ** (attempt - 1),
    );
    this.log.warn(
      `${route.consumer}: event ${eventIdOf(msg)} failed (attempt ${attempt}/${this.settings.maxDeliver}), retrying in ${delay} ms: ${describe(error)}`,
    );
    msg.nak(delay);
  }

  private parse(msg: JsMsg, contract: EventContract): unknown {
    const decoded = decodeJson(msg.data);
    if (!decoded.ok) throw new PoisonMessage(`INVALID_PAYLOAD: not JSON: ${decoded.error}`);
    const parsed = contract.payload.safeParse(decoded.value);
    if (!parsed.success) {
      throw new PoisonMessage(`INVALID_PAYLOAD: ${JSON.stringify(describeIssues(parsed.error))}`);
    }
    return parsed.data;
  }

  private async deadLetter(msg: JsMsg, route: Route, error: unknown): Promise<void> {
    const attempt = msg.info.redeliveryCount;
    const eventId = eventIdOf(msg);
    const headers = natsHeaders();
    for (const [key, values] of msg.headers ?? []) {
      if (key !== 'Nats-Msg-Id') for (const value of values) headers.append(key, value);
    }
    headers.set(EventHeaders.EVENT_ID, eventId);
    headers.set(EventHeaders.DLQ_SUBJECT, msg.subject);
    headers.set(EventHeaders.DLQ_STREAM, msg.info.stream);
    headers.set(EventHeaders.DLQ_STREAM_SEQ, String(msg.info.streamSequence));
    headers.set(EventHeaders.DLQ_CONSUMER, route.consumer);
    headers.set(EventHeaders.DLQ_ATTEMPTS, String(attempt));
    headers.set(
      EventHeaders.DLQ_ERROR,
      describe(error)
        .replace(/[\r\n]+/g, ' ')
        .slice(0, 1_000),
    );
    headers.set(EventHeaders.DLQ_FAILED_AT, new Date().toISOString());
    await (this.js as JetStreamClient).publish(
      `${DLQ_SUBJECT_PREFIX}.${route.consumer}.${msg.subject}`,
      msg.data,
      {
        headers,
        // Dead-lettering the same delivery twice (a crash before term) stores it once.
        msgID: `dlq-${route.consumer}-${msg.info.streamSequence}`,
      },
    );
    this.log.error(
      `${route.consumer}: event ${eventId} (stream ${msg.info.stream} seq ${msg.info.streamSequence}) sent to the DLQ after ${attempt} attempt(s): ${describe(error)}`,
    );
  }

  private async databaseReachable(route: Route): Promise<boolean> {
    return pingDatabase(route.dataSource, 1_000).then(
      () => true,
      () => false,
    );
  }
}

/**
 * Ends a `consume()` iterator so that every message the server delivered to it is still yielded.
 *
 * nats.js 2.29's `stop()` unsubscribes at once and queues the iterator's end behind the messages
 * already in its buffer, so those are yielded. But a message the server sent before it saw the
 * UNSUB, still on the wire, would be dropped by the client and wait out the ack wait. Draining the
 * pull subscription (UNSUB, then a PING/PONG round trip) receives those too, and the iterator ends
 * after them. `ConsumerMessages` exposes no drain, so this reaches the subscription nats.js keeps
 * in `sub` (pinned by jetstream.transport.shutdown.int-spec.ts); without one it falls back to
 * `stop()`.
 */
export async function stopConsuming(messages: ConsumerMessages | undefined): Promise<void> {
  if (!messages) return;
  const sub = pullSubscriptionOf(messages);
  if (sub && !sub.isClosed()) {
    // Bounded: while disconnected the PONG would only come after a reconnect.
    const timeout = new AbortController();
    await Promise.race([
      sub.drain().catch(() => undefined),
      sleep(DRAIN_TIMEOUT_MS, undefined, { signal: timeout.signal }).catch(() => undefined),
    ]);
    timeout.abort();
  }
  // Also ends the iterator's heartbeat monitor and status listener (harmless after a drain).
  messages.stop();
}

/** The core subscription under a `consume()` iterator, if nats.js still keeps it in `sub`. */
export function pullSubscriptionOf(messages: ConsumerMessages): Subscription | undefined {
  const sub = (messages as { sub?: Partial<Subscription> }).sub;
  return typeof sub?.drain === 'function' && typeof sub.isClosed === 'function'
    ? (sub as Subscription)
    : undefined;
}

/** The event's identity for inboxes: our header, else JetStream's message id, else its position. */
function eventIdOf(msg: JsMsg): string {
  return (
    msg.headers?.get(EventHeaders.EVENT_ID) ||
    msg.headers?.get('Nats-Msg-Id') ||
    `${msg.info.stream}:${msg.seq}`
  );
}

/** Every message waiting for a batch, handed back to the server at once (a nak without delay). */
function handBack(route: Route): void {
  for (const msg of route.waiting.splice(0)) msg.nak();
}

/**
 * The next batch from the front of the queue: consecutive first deliveries, up to `max`. A
 * redelivered message goes alone — it has failed before (or was handed back), and a message that
 * fails again would roll back every event of its batch with it.
 */
function takeBatch(waiting: JsMsg[], max: number): JsMsg[] {
  let n = 1;
  if ((waiting[0] as JsMsg).info.redeliveryCount === 1) {
    while (n < max && n < waiting.length && (waiting[n] as JsMsg).info.redeliveryCount === 1) {
      n += 1;
    }
  }
  return waiting.splice(0, n);
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}

/** A counting semaphore: at most `size` handlers run at once per consumer. */
class Semaphore {
  private available: number;
  private readonly waiting: ((acquired: boolean) => void)[] = [];
  private closed = false;

  constructor(size: number) {
    this.available = size;
  }

  /** Resolves `true` with a slot, or `false` once the semaphore is closed (no slot taken). */
  acquire(): Promise<boolean> {
    if (this.closed) return Promise.resolve(false);
    if (this.available > 0) {
      this.available -= 1;
      return Promise.resolve(true);
    }
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  /** A slot now if one is free, without waiting. */
  tryAcquire(): boolean {
    if (this.closed || this.available === 0) return false;
    this.available -= 1;
    return true;
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next(true);
    else this.available += 1;
  }

  /** Refuses every waiting and later `acquire()`; slots already held are still released. */
  close(): void {
    this.closed = true;
    for (const refuse of this.waiting.splice(0)) refuse(false);
  }
}
