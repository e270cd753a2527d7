import { Logger } from '@nestjs/common';
import { type Span } from '@opentelemetry/api';
import { type CustomTransportStrategy, type MessageHandler, Server } from '@nestjs/microservices';
import {
  AppError,
  CommonErrorCodes,
  type EventContract,
  type RpcContract,
  describeIssues,
} from '@switchboard/contracts';
import { type Msg, type NatsConnection, type Subscription } from 'nats';
import { isObservable, lastValueFrom } from 'rxjs';
import { type CallContext, runWithCallContext } from '../context/call-context';
import { deadlineExceeded, DEFAULT_RPC_TIMEOUT_MS, parseDeadline } from '../context/deadline';
import { failSpan, messagingAttributes, SpanKind, startSpan } from '../context/spans';
import { newTraceContext, traceContextFrom } from '../context/trace-context';
import { CONTRACT_EXTRA } from '../handler.decorators';
import {
  errorCodeOf,
  type MessagingMetrics,
  secondsSince,
  unscrapedMetrics,
} from '../metrics/messaging-metrics';
import { encodeJson } from '../nats/json-codec';
import { headersFromRecord } from '../nats/nats-internals';
import { WireHeaders } from '../nats/wire-headers';
import { classifyError } from './error-envelope';
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
 */
export class NatsTransport extends Server implements CustomTransportStrategy {
  override readonly transportId = NATS_TRANSPORT;
  private readonly subscriptions: Subscription[] = [];
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
  }

  listen(callback: () => void): void {
    for (const [subject, handler] of this.getHandlers()) {
      const contract = handler.extras?.[CONTRACT_EXTRA] as RpcContract | EventContract | undefined;
      if (contract?.kind !== 'rpc') {
        // Events are JetStream's (`@EventHandler` binds them there); core NATS carries only RPC.
        throw new Error(
          `Handler for "${subject}" is not an RPC contract: declare it with @RpcHandler`,
        );
      }
      // The queue group is the domain that owns the subject, not the process: every process
      // hosting the domain (replicas, or a monolith and the service extracted from it) shares
      // the work, and no request is answered twice.
      const subscription = this.options.connection.subscribe(subject, {
        queue: contract.domain,
        callback: (error, msg) => {
          if (error) {
            this.log.error(`Subscription to ${subject} failed: ${error.message}`);
            return;
          }
          this.answer(msg, contract, handler);
        },
      });
      this.subscriptions.push(subscription);
      this.log.log(`Listening on ${subject} (${contract.kind}, queue ${contract.domain})`);
    }
    callback();
  }

  /** Stops taking messages and waits for the handlers already running to reply. */
  async close(): Promise<void> {
    const connection = this.options.connection;
    if (connection.isClosed()) return;
    await Promise.all(
      this.subscriptions.splice(0).map((subscription) =>
        subscription.drain().catch((error: unknown) => {
          this.log.warn(`Draining a subscription failed: ${String(error)}`);
        }),
      ),
    );
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
  private answer(msg: Msg, contract: RpcContract, handler: MessageHandler): void {
    const started = performance.now();
    const now = Date.now();
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
        this.refuse(msg, contract.subject, error, span, started);
        return;
      }
      if (sent <= now) {
        const error = deadlineExceeded(
          `Request for ${contract.subject} was picked up ${now - sent} ms after its deadline`,
        );
        this.refuse(msg, contract.subject, error, span, started);
        return;
      }
      deadline = sent;
    }
    const context: CallContext = { deadline, trace, span };
    this.inFlight++;
    void runWithCallContext(context, () => this.invoke(msg, contract, handler, span, started));
  }

  /** Answers with an error without running the handler. */
  private refuse(
    msg: Msg,
    subject: string,
    error: AppError,
    span: Span | undefined,
    started: number,
  ): void {
    this.replyError(msg, error, subject, span);
    span?.end();
    this.metrics.rpcServer.observe({ subject, code: error.code }, secondsSince(started));
  }

  private async invoke(
    msg: Msg,
    contract: RpcContract,
    handler: MessageHandler,
    span: Span | undefined,
    started: number,
  ): Promise<void> {
    let code = 'OK';
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
      this.replyError(msg, error, contract.subject, span);
    } finally {
      span?.end();
      this.metrics.rpcServer.observe({ subject: contract.subject, code }, secondsSince(started));
      this.settle();
    }
  }

  /** Replies with the error envelope and the micro-protocol headers; never throws. */
  private replyError(msg: Msg, error: unknown, subject: string, span?: Span): void {
    try {
      const { envelope, status, errorId } = classifyError(error, this.log, subject);
      failSpan(span, error, { errorId, fault: status >= 500 });
      const replyHeaders = headersFromRecord({
        [WireHeaders.SERVICE_ERROR_CODE]: [String(status)],
        // A header value cannot hold line breaks; fromRecord does not check, so we do.
        [WireHeaders.SERVICE_ERROR]: [envelope.message.replace(/[\r\n]+/g, ' ')],
        [WireHeaders.ERROR_CODE]: [envelope.code.replace(/[\r\n]+/g, ' ')],
      });
      msg.respond(encodeJson({ ok: false, ...envelope }), { headers: replyHeaders });
    } catch (replyFailure) {
      this.log.error(`Could not reply to a request on ${subject}: ${String(replyFailure)}`);
    }
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
