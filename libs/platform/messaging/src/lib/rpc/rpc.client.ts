import { Inject, Injectable, Optional } from '@nestjs/common';
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
import { ErrorCode, type MsgHdrs, type NatsConnection, NatsError } from 'nats';
import { Registry } from 'prom-client';
import { currentCallContext, startOutgoingSpan } from '../context/call-context';
import { deadlineExceeded, DEFAULT_RPC_TIMEOUT_MS } from '../context/deadline';
import { failSpan, messagingAttributes, SpanKind } from '../context/spans';
import { MESSAGING_OPTIONS, type MessagingOptions } from '../messaging.options';
import {
  errorCodeOf,
  type MessagingMetrics,
  messagingMetricsOf,
  METRICS_REGISTRY,
  secondsSince,
  unscrapedMetrics,
} from '../metrics/messaging-metrics';
import { decodeJson, encodeJson } from '../nats/json-codec';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { assertHeaderValue } from '../nats/nats-internals';
import { ReplyInbox } from '../nats/reply-inbox';
import { WireHeaders } from '../nats/wire-headers';
import { requestHeaders } from './request-headers';

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
  private readonly metrics: MessagingMetrics;

  constructor(
    @Inject(NATS_CONNECTION) connection: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
    // Optional: a client built by hand (a tool, a test) records into metrics nobody scrapes.
    @Optional() @Inject(METRICS_REGISTRY) registry?: Registry,
  ) {
    this.metrics = registry ? messagingMetricsOf(registry) : unscrapedMetrics();
    // requestHeaders writes values unchecked; a service name is the one that comes from outside.
    assertHeaderValue(options.serviceName);
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
    const body = encodeJson(request.data);
    const { span, trace } = startOutgoingSpan(
      `send ${contract.subject}`,
      SpanKind.CLIENT,
      messagingAttributes('send', contract.subject, { 'messaging.message.body.size': body.length }),
    );
    const headers = requestHeaders(this.options.serviceName, deadline, trace);
    const started = performance.now();
    let code = 'OK';
    try {
      return await this.exchange(contract, body, headers, budget, deadline === inherited);
    } catch (error) {
      code = errorCodeOf(error);
      failSpan(span, error);
      throw error;
    } finally {
      span?.end();
      this.metrics.rpcClient.observe({ subject: contract.subject, code }, secondsSince(started));
    }
  }

  /** Sends the request and turns the reply into the result, or into the error it reports. */
  private async exchange<C extends RpcContract>(
    contract: C,
    data: Uint8Array,
    headers: MsgHdrs,
    budget: number,
    inherited: boolean,
  ): Promise<RpcResult<C>> {
    let reply;
    try {
      reply = await this.inbox.request(contract.subject, data, headers, budget);
    } catch (error) {
      const wait = inherited
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
