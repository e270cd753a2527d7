import { Logger } from '@nestjs/common';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import { type EventContract } from '@switchboard/contracts';
import { type JetStreamManager } from 'nats';
import { lastValueFrom } from 'rxjs';
import { unscrapedMetrics } from '../metrics/messaging-metrics';
import { CONTRACT_EXTRA, JETSTREAM_TRANSPORT } from '../handler.decorators';
import {
  ensureStreams,
  streamDefinitions,
  streamsUsedBy,
  verifyStreams,
} from '../jetstream/streams';
import { pullLoop, stopConsuming } from './consumer-loop';
import { Dispatcher, handBack } from './dispatcher';
import { domainOf, ensureConsumer, type Route, routeFor } from './event-route';
import { EventProcessor, type InvokeHandler } from './event-processor';
import { consumerStates, deadLettersOf } from './consumer-metrics';
import { DeliveryTelemetry } from './delivery-telemetry';
import { FailurePolicy } from './failure-policy';
import {
  type JetStreamTransportOptions,
  type TransportSettings,
  transportSettings,
} from './jetstream-transport.options';

/**
 * Nest transport for `@EventHandler`s over durable JetStream pull consumers. Each message is
 * handled in a database transaction together with its inbox row and acked only after the commit;
 * a failure is nak'd with exponential backoff; after `maxDeliver` attempts (or at once for a payload
 * that breaks its contract, or an `UnprocessableEvent` thrown by the handler) it is published to the
 * DLQ with what went wrong, then terminated (`FailurePolicy`).
 * While the database itself is unreachable nothing is acked and attempts do not count.
 *
 * A handler declared with `batch` has the events of its type that are waiting handled together,
 * in one transaction (`EventProcessor.processBatch`); a batch that fails is handled again event by
 * event.
 *
 * The parts: `event-route` (one durable consumer per hosted domain × event type), `consumer-loop`
 * (pulling), `dispatcher` (slots and batches), `event-processor` (transactions, inbox, handler),
 * `failure-policy` (ack / nak / DLQ + term). This class wires them into Nest's lifecycle.
 */
export class JetStreamTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = JETSTREAM_TRANSPORT;
  private readonly log = new Logger('JetStreamTransport');
  private readonly routes: Route[] = [];
  private running = false;
  /** Cuts short the pause before a re-attach when close() runs. */
  private readonly stopPulling = new AbortController();
  private readonly settings: TransportSettings;
  private dispatcher?: Dispatcher;

  constructor(private readonly options: JetStreamTransportOptions) {
    super();
    this.settings = transportSettings(options);
  }

  listen(callback: (error?: unknown) => void): void {
    this.start().then(
      () => callback(),
      (error: unknown) => callback(error),
    );
  }

  private async start(): Promise<void> {
    const { connection, domains } = this.options;
    const jsm = await connection.jetstreamManager();
    const js = connection.jetstream();
    const routes: Route[] = [];
    for (const [subject, handler] of this.getHandlers()) {
      const contract = handler.extras?.[CONTRACT_EXTRA] as EventContract | undefined;
      if (contract?.kind !== 'event') continue; // RPC handlers belong to NatsTransport
      routes.push(routeFor(contract, handler, domainOf(domains, subject), this.settings));
    }
    await this.prepareStreams(
      jsm,
      routes.map((route) => route.contract.subject),
    );
    for (const route of routes) {
      await ensureConsumer(jsm, route, this.settings.ackWaitMs, this.log);
      this.routes.push(route);
    }
    const isRunning = (): boolean => this.running;
    const invoke: InvokeHandler = async (handler, payload, context) =>
      lastValueFrom(this.transformToObservable(await handler(payload, context)), {
        defaultValue: undefined,
      });
    const failures = new FailurePolicy(js, this.settings, this.log);
    const metrics = this.options.metrics ?? unscrapedMetrics();
    const telemetry = new DeliveryTelemetry(metrics);
    const dispatcher = new Dispatcher(
      new EventProcessor(failures, invoke, isRunning, telemetry, this.log),
      isRunning,
    );
    // Read from the server, so they stay true after close(): a stopped consumer's lag keeps growing.
    metrics.addConsumers(() => consumerStates(jsm, this.routes));
    metrics.addDeadLetters(() => deadLettersOf(jsm, this.routes));
    this.dispatcher = dispatcher;
    this.running = true;
    const control = {
      isRunning,
      stopped: this.stopPulling.signal,
      deliver: dispatcher.deliver.bind(dispatcher),
      log: this.log,
    };
    for (const route of this.routes) {
      // Stopped: what still waits for a batch goes back to the server (it arrived after close()).
      route.pulling = pullLoop(js, route, control).then(() => handBack(route));
    }
  }

  private async prepareStreams(jsm: JetStreamManager, consumedSubjects: string[]): Promise<void> {
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

  /**
   * Stops pulling, hands every message pulled but not started back to the server at once (a nak
   * without delay: another instance of the same durable consumer gets it now, not after the ack
   * wait), then waits for the handlers already running to commit and ack.
   */
  async close(): Promise<void> {
    this.running = false;
    this.stopPulling.abort();
    // A message waiting for a handler slot gets none: the dispatcher hands it back instead.
    for (const route of this.routes) {
      route.slots.close();
      handBack(route);
    }
    await Promise.all(this.routes.map((route) => stopConsuming(route.messages)));
    await Promise.allSettled(this.routes.map((route) => route.pulling));
    await this.dispatcher?.idle();
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
}
