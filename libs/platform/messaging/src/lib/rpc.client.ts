import { Inject, Injectable } from '@nestjs/common';
import {
  AppError,
  CommonErrorCodes,
  ErrorEnvelope,
  errorKindOfStatus,
  type RpcContract,
  type RpcRequest,
  type RpcResult,
  describeIssues,
} from '@switchboard/contracts';
import { ErrorCode, headers, type NatsConnection, NatsError } from 'nats';
import { decodeJson, encodeJson } from './json-codec';
import { MESSAGING_OPTIONS, type MessagingOptions } from './messaging.options';
import { NATS_CONNECTION } from './nats-connection';
import { WireHeaders } from './wire-headers';

export interface CallOptions {
  /** How long the caller waits for a reply; past it the call fails with `DEADLINE_EXCEEDED`. */
  timeoutMs?: number;
}

const DEFAULT_TIMEOUT_MS = 5_000;

/**
 * Typed request/reply over core NATS. All calls of a connection share one reply inbox (nats.js
 * multiplexes `request`), the input is validated before it leaves and the result when it arrives.
 */
@Injectable()
export class RpcClient {
  constructor(
    @Inject(NATS_CONNECTION) private readonly connection: NatsConnection,
    @Inject(MESSAGING_OPTIONS) private readonly options: MessagingOptions,
  ) {}

  async call<C extends RpcContract>(
    contract: C,
    input: RpcRequest<C>,
    options: CallOptions = {},
  ): Promise<RpcResult<C>> {
    const request = contract.request.safeParse(input);
    if (!request.success) {
      throw new AppError(
        CommonErrorCodes.INVALID_ARGUMENT,
        'invalid_argument',
        `Request for ${contract.subject} does not match its contract`,
        describeIssues(request.error),
      );
    }
    const timeout = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const requestHeaders = headers();
    requestHeaders.set(WireHeaders.SOURCE, this.options.serviceName);

    let reply;
    try {
      reply = await this.connection.request(contract.subject, encodeJson(request.data), {
        timeout,
        headers: requestHeaders,
      });
    } catch (error) {
      throw translateRequestError(error, contract.subject, timeout);
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

function translateRequestError(error: unknown, subject: string, timeout: number): unknown {
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
    return new AppError(
      CommonErrorCodes.DEADLINE_EXCEEDED,
      'deadline_exceeded',
      `No reply from ${subject} within ${timeout} ms`,
      undefined,
      { cause: error },
    );
  }
  return new AppError(
    CommonErrorCodes.UNAVAILABLE,
    'unavailable',
    `NATS request to ${subject} failed: ${error.message}`,
    undefined,
    { cause: error },
  );
}
