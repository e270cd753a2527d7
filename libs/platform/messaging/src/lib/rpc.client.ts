import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  CommonErrorCodes,
  ErrorEnvelope,
  errorKindOfStatus,
  inboxPrefixOf,
  type RpcContract,
  type RpcRequest,
  type RpcResult,
  describeIssues,
} from '@switchboard/contracts';
import {
  createInbox,
  ErrorCode,
  type Msg,
  MsgHdrsImpl,
  type NatsConnection,
  NatsError,
  type Subscription,
} from 'nats';
import { currentCallContext } from './call-context';
import { deadlineExceeded, DEFAULT_RPC_TIMEOUT_MS } from './deadline';
import { decodeJson, encodeJson } from './json-codec';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { NATS_CONNECTION } from './nats-connection';
import { childTraceContext, type TraceContext } from './trace-context';
import { WireHeaders } from './wire-headers';

export interface CallOptions {
  /**
   * How long the caller waits for a reply (default 5 s); past it the call fails with
   * `DEADLINE_EXCEEDED`. Inside a handler the wait also ends at the deadline of the request being
   * handled, whichever comes first.
   */
  timeoutMs?: number;
}

/**
 * Typed request/reply over core NATS. All calls share one wildcard reply subscription (see
 * `ReplyInbox`), the input is validated before it leaves and the result when it arrives. "No
 * responders" fails at once with `UNAVAILABLE`, as does a closed or draining connection.
 *
 * Every request carries an absolute deadline (`Switchboard-Deadline`) and a W3C `traceparent`.
 * Called while handling a message, a call continues that message's call context: it waits at most
 * until the deadline of the request being handled and forwards it (the remaining budget, not a
 * fresh one), fails with `DEADLINE_EXCEEDED` without sending when that budget is already spent, and
 * sends the current trace id with a new span id. Called outside any, it starts a new trace.
 */
@Injectable()
export class RpcClient {
  private readonly inbox: ReplyInbox;

  constructor(
    @Inject(NATS_CONNECTION) connection: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {
    // RequestHeaders writes values unchecked; a service name is the one that comes from outside.
    MsgHdrsImpl.validHeaderValue(options.serviceName);
    this.inbox = new ReplyInbox(connection, inboxPrefixOf(options.serviceName));
  }

  async call<C extends RpcContract>(
    contract: C,
    input: RpcRequest<C>,
    options: CallOptions = {},
  ): Promise<RpcResult<C>> {
    const declared = this.options.declaredCalls;
    if (declared && !declared.includes(contract)) {
      throw new AppError(
        CommonErrorCodes.INTERNAL,
        'internal',
        `${contract.subject} is not among the RPCs "${this.options.serviceName}" declares it calls ` +
          '(DomainDefinition.calls); declare it, so the NATS permissions generated from it allow the call',
      );
    }
    const request = contract.request.safeParse(input);
    if (!request.success) {
      throw new AppError(
        CommonErrorCodes.INVALID_ARGUMENT,
        'invalid_argument',
        `Request for ${contract.subject} does not match its contract`,
        describeIssues(request.error),
      );
    }
    const context = currentCallContext();
    const now = Date.now();
    const ownDeadline = now + (options.timeoutMs ?? DEFAULT_RPC_TIMEOUT_MS);
    const inherited = context?.deadline;
    const deadline = inherited !== undefined && inherited < ownDeadline ? inherited : ownDeadline;
    const budget = deadline - now;
    if (budget <= 0) {
      throw deadlineExceeded(
        inherited === deadline
          ? `Not calling ${contract.subject}: the request being handled ran out of time ${-budget} ms ago`
          : `Not calling ${contract.subject}: a time-out of ${options.timeoutMs} ms leaves no time`,
      );
    }
    const trace = childTraceContext(context?.trace);
    const requestHeaders = new RequestHeaders(this.options.serviceName, deadline, trace);

    let reply;
    try {
      reply = await this.inbox.request(
        contract.subject,
        encodeJson(request.data),
        requestHeaders,
        budget,
      );
    } catch (error) {
      const wait =
        deadline === inherited
          ? `${budget} ms (what was left of the deadline of the request being handled)`
          : `${budget} ms`;
      throw translateRequestError(error, contract.subject, wait);
    }

    const decoded = decodeJson(reply.data);
    if (!decoded.ok || typeof decoded.value !== 'object' || decoded.value === null) {
      throw new AppError(
        CommonErrorCodes.INTERNAL,
        'internal',
        `Reply from ${contract.subject} is not a JSON object`,
      );
    }
    const { ok, ...body } = decoded.value as { ok?: unknown };
    if (ok !== true) {
      const envelope = ErrorEnvelope.safeParse(body);
      const status = Number(reply.headers?.get(WireHeaders.SERVICE_ERROR_CODE) ?? 500);
      if (!envelope.success) {
        throw new AppError(
          CommonErrorCodes.INTERNAL,
          'internal',
          `Malformed error reply from ${contract.subject}`,
        );
      }
      throw new AppError(
        envelope.data.code,
        errorKindOfStatus(status),
        envelope.data.message,
        envelope.data.details,
        { retriable: envelope.data.retriable },
      );
    }
    const result = contract.result.safeParse(body);
    if (!result.success) {
      throw new AppError(
        CommonErrorCodes.INTERNAL,
        'internal',
        `Reply from ${contract.subject} does not match its contract`,
        describeIssues(result.error),
      );
    }
    return result.data as RpcResult<C>;
  }
}

function translateRequestError(error: unknown, subject: string, wait: string): unknown {
  if (!(error instanceof NatsError)) return error;
  if (error.code === ErrorCode.NoResponders) {
    return new AppError(
      CommonErrorCodes.UNAVAILABLE,
      'unavailable',
      `No service answers ${subject}`,
      undefined,
      { cause: error },
    );
  }
  if (error.code === ErrorCode.Timeout) {
    return deadlineExceeded(`No reply from ${subject} within ${wait}`, error);
  }
  return new AppError(
    CommonErrorCodes.UNAVAILABLE,
    'unavailable',
    `NATS request to ${subject} failed: ${error.message}`,
    undefined,
    { cause: error },
  );
}

/**
 * Request headers written in one go. nats.js's `headers().set()` canonicalises the key and searches
 * the existing ones on every call, and `encode()` goes through TextEncoder; for the three headers of
 * every call that is as much CPU as validating the body. The values hold no line breaks: the
 * service name is checked once, the deadline is digits, and `childTraceContext` only returns a
 * validated `traceparent` / `tracestate`.
 */
class RequestHeaders extends MsgHdrsImpl {
  /** The encoded form while nobody changed the headers after construction. */
  private text: string | undefined;

  constructor(source: string, deadline: number, trace: TraceContext) {
    super();
    const deadlineText = String(deadline);
    this.headers.set(WireHeaders.SOURCE, [source]);
    this.headers.set(WireHeaders.DEADLINE, [deadlineText]);
    this.headers.set(WireHeaders.TRACEPARENT, [trace.traceparent]);
    let text =
      `NATS/1.0\r\n${WireHeaders.SOURCE}: ${source}\r\n${WireHeaders.DEADLINE}: ${deadlineText}` +
      `\r\n${WireHeaders.TRACEPARENT}: ${trace.traceparent}\r\n`;
    if (trace.tracestate !== undefined) {
      this.headers.set(WireHeaders.TRACESTATE, [trace.tracestate]);
      text += `${WireHeaders.TRACESTATE}: ${trace.tracestate}\r\n`;
    }
    this.text = `${text}\r\n`;
  }

  override encode(): Uint8Array {
    return Buffer.from(this.text ?? this.toString(), 'utf8');
  }

  override set(...args: Parameters<MsgHdrsImpl['set']>): void {
    this.text = undefined;
    super.set(...args);
  }

  override append(...args: Parameters<MsgHdrsImpl['append']>): void {
    this.text = undefined;
    super.append(...args);
  }

  override delete(...args: Parameters<MsgHdrsImpl['delete']>): void {
    this.text = undefined;
    super.delete(...args);
  }
}

interface PendingReply {
  resolve(reply: Msg): void;
  reject(error: unknown): void;
  /** `performance.now()` past which the caller stops waiting (monotonic, unlike the deadline). */
  expiresAt: number;
}

/** setTimeout fires at once (with a warning) for longer delays; a sweep then re-arms. */
const MAX_TIMER_DELAY_MS = 2_147_483_647;

/**
 * Request/reply over one wildcard reply subscription per connection, as nats.js's multiplexed
 * `request()` does, without its per-call overhead: nats.js builds a `NatsError` (a stack capture)
 * for every request it completes, even a successful one, and arms a timer per request and races
 * two promises; in the benchmark that was a third of the caller's CPU. Here the time-outs share
 * one timer, armed for the earliest expiry. Semantics are nats.js's: a 503 status reply (the
 * server's "no responders") rejects with `NoResponders`, expiry with `Timeout`, a closed or
 * draining connection with `ConnectionClosed` / `ConnectionDraining`.
 */
class ReplyInbox {
  /** Requests waiting for their reply, by reply subject. */
  private readonly pending = new Map<string, PendingReply>();
  private inbox: { prefix: string; subscription: Subscription } | undefined;
  private nextToken = 0;
  private timer: ReturnType<typeof setTimeout> | undefined;
  private timerAt = Infinity;

  constructor(
    private readonly connection: NatsConnection,
    private readonly inboxPrefix: string,
  ) {}

  request(
    subject: string,
    data: Uint8Array,
    headers: RequestHeaders,
    timeoutMs: number,
  ): Promise<Msg> {
    if (this.connection.isClosed()) {
      return Promise.reject(NatsError.errorForCode(ErrorCode.ConnectionClosed));
    }
    if (this.connection.isDraining()) {
      return Promise.reject(NatsError.errorForCode(ErrorCode.ConnectionDraining));
    }
    let prefix: string;
    try {
      prefix = this.subscribed();
    } catch (error) {
      return Promise.reject(error);
    }
    const replySubject = prefix + (this.nextToken++).toString(36);
    const expiresAt = performance.now() + timeoutMs;
    return new Promise<Msg>((resolve, reject) => {
      this.pending.set(replySubject, { resolve, reject, expiresAt });
      if (expiresAt < this.timerAt) this.arm(expiresAt);
      try {
        this.connection.publish(subject, data, { reply: replySubject, headers });
      } catch (error) {
        this.pending.delete(replySubject);
        reject(error);
      }
    });
  }

  /** Subscribes `_INBOX.<service>.<nuid>.*` on first use and after the subscription closed. */
  private subscribed(): string {
    const current = this.inbox;
    if (current !== undefined && !current.subscription.isClosed()) return current.prefix;
    const prefix = `${createInbox(this.inboxPrefix)}.`;
    const subscription = this.connection.subscribe(`${prefix}*`, {
      callback: (error, reply) => {
        if (error) this.fail(prefix, error);
        else this.settle(reply);
      },
    });
    this.inbox = { prefix, subscription };
    // Closed by a drain, a close or a permissions error: nobody will answer what still waits.
    void subscription.closed.then(
      () => this.fail(prefix, NatsError.errorForCode(ErrorCode.ConnectionClosed)),
      (error: unknown) => this.fail(prefix, error),
    );
    return prefix;
  }

  private settle(reply: Msg): void {
    const waiting = this.pending.get(reply.subject);
    if (waiting === undefined) return; // late: its caller has given up already
    this.pending.delete(reply.subject);
    if (reply.data.length === 0 && reply.headers?.code === 503) {
      waiting.reject(NatsError.errorForCode(ErrorCode.NoResponders));
    } else {
      waiting.resolve(reply);
    }
  }

  private fail(prefix: string, error: unknown): void {
    for (const [replySubject, waiting] of this.pending) {
      if (!replySubject.startsWith(prefix)) continue;
      this.pending.delete(replySubject);
      waiting.reject(error);
    }
  }

  private arm(at: number): void {
    if (this.timer !== undefined) clearTimeout(this.timer);
    this.timerAt = at;
    const delay = Math.min(Math.max(Math.ceil(at - performance.now()), 0), MAX_TIMER_DELAY_MS);
    // Unref'd: it may outlive the requests it was armed for; an open connection keeps the
    // process alive while requests wait, and closing it fails them.
    this.timer = setTimeout(() => this.sweep(), delay).unref();
  }

  /** Rejects what has expired, then re-arms for the earliest expiry left. */
  private sweep(): void {
    this.timer = undefined;
    this.timerAt = Infinity;
    const now = performance.now();
    let next = Infinity;
    for (const [replySubject, waiting] of this.pending) {
      if (waiting.expiresAt <= now) {
        this.pending.delete(replySubject);
        waiting.reject(NatsError.errorForCode(ErrorCode.Timeout));
      } else if (waiting.expiresAt < next) {
        next = waiting.expiresAt;
      }
    }
    if (next !== Infinity) this.arm(next);
  }
}
