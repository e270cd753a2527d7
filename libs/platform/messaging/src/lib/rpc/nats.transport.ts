import { Logger } from '@nestjs/common';
import { type Span } from '@opentelemetry/api';
import { type CustomTransportStrategy, Server } from '@nestjs/microservices';
import {
  AppError,
  CommonErrorCodes,
  type EventContract,
  type RpcContract,
  describeIssues,
} from '@switchboard/contracts';
import { type Msg, type NatsConnection, type Service } from 'nats';
import { isObservable, lastValueFrom } from 'rxjs';
import { type CallContext, runWithCallContext } from '../context/call-context';
import { deadlineExceeded, DEFAULT_RPC_TIMEOUT_MS, parseDeadline } from '../context/deadline';
import { messagingAttributes, SpanKind, startSpan } from '../context/spans';
import { newTraceContext, traceContextFrom } from '../context/trace-context';
import { CONTRACT_EXTRA } from '../handler.decorators';
import { errorCodeOf, type MessagingMetrics, unscrapedMetrics } from '../metrics/messaging-metrics';
import { encodeJson } from '../nats/json-codec';
import { WireHeaders } from '../nats/wire-headers';
import { replyWithError } from './error-envelope';
import { addDomainServices, assertSemver, type RpcEndpoint } from './micro-discovery';
import { parseRequestBody } from './request-body';
import { readRequestHeaders } from './request-headers';

export const NATS_TRANSPORT = Symbol('SWITCHBOARD_NATS');

export interface NatsTransportOptions {
  connection: NatsConnection;
  /**
   * Budget of an RPC request that carries no `Switchboard-Deadline` header (a `nats request` from
   * the CLI, a client in another language): its handler runs with the deadline "arrival + this",
   * which bounds the RPC calls it makes onward. Default {@link DEFAULT_RPC_TIMEOUT_MS} (5 s), the
   * time-out our own client uses when it names none.
   */
  defaultBudgetMs?: number;
  /** Where `rpc_server_duration_seconds` goes; default: metrics nobody scrapes. */
  metrics?: MessagingMetrics;
  /** The process, in the metadata of its NATS services (`process`); e.g. `chat`, `monolith`. */
  serviceName?: string;
  /** Version of its NATS services: semver, as the micro protocol requires. Default `0.0.0`. */
  version?: string;
  /** The release it runs (`SERVICE_RELEASE`), in the services' metadata (`release`) when set. */
  release?: string;
}

/**
 * A Nest transport over core NATS that keeps Nest's programming model (`@RpcHandler`,
 * `@EventHandler`, guards, interceptors, pipes, filters) but puts plain JSON on the wire instead of
 * Nest's `{pattern, data, id}` envelope, so any NATS client can call our subjects.
 *
 * Each RPC request is answered inside a call context (`runWithCallContext`) holding its deadline
 * (`Switchboard-Deadline`, or arrival + `defaultBudgetMs`) and its W3C trace context (`traceparent`
 * / `tracestate`, or a new trace): `currentDeadline()` and `currentTraceparent()` read them, and
 * `RpcClient.call` made by the handler forwards both. A request whose deadline has passed when it
 * is picked up is answered `DEADLINE_EXCEEDED` (retriable) without running the handler; a handler
 * already running is not interrupted when its deadline passes (its onward calls fail at once).
 *
 * The handlers are NATS micro services, one per domain (`micro-discovery.ts`): `nats micro ls /
 * info / stats` list them, with their contracts' digest, and count their requests and errors.
 */
export class NatsTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = NATS_TRANSPORT;
  private readonly services: Service[] = [];
  /** Handlers still running: nats.js considers a message done once our callback returns. */
  private inFlight = 0;
  /** Resolves once `inFlight` drops to zero; created by `close()` when handlers still run. */
  private idle?: Promise<void>;
  private whenIdle?: () => void;
  private readonly defaultBudgetMs: number;
  private readonly metrics: MessagingMetrics;
  private readonly log = new Logger('NatsTransport');

  constructor(private readonly options: NatsTransportOptions) {
    super();
    this.defaultBudgetMs = options.defaultBudgetMs ?? DEFAULT_RPC_TIMEOUT_MS;
    this.metrics = options.metrics ?? unscrapedMetrics();
    assertSemver(options.version ?? '0.0.0');
  }

  listen(callback: (error?: unknown) => void): void {
    const endpoints: RpcEndpoint[] = [];
    for (const [subject, handler] of this.getHandlers()) {
      const contract = handler.extras?.[CONTRACT_EXTRA] as RpcContract | EventContract | undefined;
      if (contract?.kind !== 'rpc') {
        // Events are JetStream's (`@EventHandler` binds them there); core NATS carries only RPC.
        throw new Error(
          `Handler for "${subject}" is not an RPC contract: declare it with @RpcHandler`,
        );
      }
      endpoints.push({ contract, handler });
    }
    const { connection, serviceName, version, release } = this.options;
    addDomainServices(
      connection,
      endpoints,
      { version: version ?? '0.0.0', process: serviceName, release },
      (msg, endpoint) => this.answer(msg, endpoint),
      (service) => this.services.push(service),
      this.log,
    ).then(() => callback(), callback);
  }

  /** Stops taking messages and waits for the handlers already running to reply. */
  async close(): Promise<void> {
    const connection = this.options.connection;
    if (connection.isClosed()) return;
    // Stopping a service drains its subscriptions (never rejects): the requests already delivered
    // have started their handlers, which `inFlight` counts until they replied.
    await Promise.all(this.services.splice(0).map((service) => service.stop()));
    if (this.inFlight > 0) {
      this.idle ??= new Promise<void>((resolve) => (this.whenIdle = resolve));
      await this.idle;
    }
  }

  on(): never {
    throw new Error('NatsTransport does not emit events; watch the NATS connection status instead');
  }

  unwrap<T>(): T {
    return this.options.connection as T;
  }

  /** Checks the deadline, then runs the handler in the request's call context. */
  private answer(msg: Msg, endpoint: RpcEndpoint): void {
    const started = performance.now();
    const now = Date.now();
    const { contract } = endpoint;
    const wire = readRequestHeaders(msg);
    const received = traceContextFrom(wire.traceparent, wire.tracestate);
    const { span, trace } = startSpan(
      `process ${contract.subject}`,
      {
        kind: SpanKind.SERVER,
        parent: received,
        attributes: messagingAttributes('process', contract.subject, {
          'messaging.message.body.size': msg.data.length,
        }),
      },
      () => received ?? newTraceContext(),
    );
    let deadline = now + this.defaultBudgetMs;
    if (wire.deadline) {
      const sent = parseDeadline(wire.deadline);
      if (sent === undefined) {
        const error = new AppError(
          CommonErrorCodes.INVALID_ARGUMENT,
          'invalid_argument',
          `${WireHeaders.DEADLINE} must be epoch milliseconds as a decimal integer, got "${wire.deadline}"`,
        );
        this.refuse(msg, endpoint, error, span, started);
        return;
      }
      if (sent <= now) {
        const error = deadlineExceeded(
          `Request for ${contract.subject} was picked up ${now - sent} ms after its deadline`,
        );
        this.refuse(msg, endpoint, error, span, started);
        return;
      }
      deadline = sent;
    }
    const context: CallContext = { deadline, trace, span };
    this.inFlight++;
    void runWithCallContext(context, () => this.invoke(msg, endpoint, span, started));
  }

  /** Answers with an error without running the handler. */
  private refuse(
    msg: Msg,
    endpoint: RpcEndpoint,
    error: AppError,
    span: Span | undefined,
    started: number,
  ): void {
    const failure = replyWithError(msg, error, endpoint.contract.subject, this.log, span);
    span?.end();
    this.observe(endpoint, error.code, started, failure);
  }

  private async invoke(
    msg: Msg,
    endpoint: RpcEndpoint,
    span: Span | undefined,
    started: number,
  ): Promise<void> {
    const { contract, handler } = endpoint;
    let code = 'OK';
    let failure: string | undefined;
    try {
      const request = parseRequestBody(msg, contract);
      // Nest's handler resolves to the method's value, or to an Observable when interceptors or
      // exception filters took part; only the latter needs rxjs.
      let result: unknown = await handler(request, msg);
      if (isObservable(result)) result = await lastValueFrom(result, { defaultValue: undefined });
      const checked = contract.result.safeParse(result);
      if (!checked.success) {
        throw new Error(
          `Handler of ${contract.subject} returned a result that breaks its contract: ` +
            JSON.stringify(describeIssues(checked.error)),
        );
      }
      msg.respond(encodeJson({ ok: true, ...checked.data }));
    } catch (error) {
      code = errorCodeOf(error);
      failure = replyWithError(msg, error, contract.subject, this.log, span);
    } finally {
      span?.end();
      this.observe(endpoint, code, started, failure);
      this.settle();
    }
  }

  /** One request answered: `rpc_server_duration_seconds`, and its endpoint's `$SRV.STATS`. */
  private observe(
    endpoint: RpcEndpoint,
    code: string,
    started: number,
    failure: string | undefined,
  ): void {
    const elapsedMs = performance.now() - started;
    this.metrics.rpcServer.observe({ subject: endpoint.contract.subject, code }, elapsedMs / 1_000);
    endpoint.stats?.count(Math.round(elapsedMs * 1_000_000), failure);
  }

  private settle(): void {
    this.inFlight--;
    if (this.inFlight === 0 && this.whenIdle) {
      const resolve = this.whenIdle;
      this.whenIdle = undefined;
      this.idle = undefined;
      resolve();
    }
  }
}
