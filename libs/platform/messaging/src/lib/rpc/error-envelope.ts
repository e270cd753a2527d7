import { Logger } from '@nestjs/common';
import {
  AppError,
  CommonErrorCodes,
  ERROR_KIND_STATUS,
  type ErrorEnvelope,
  type ErrorKind,
} from '@switchboard/contracts';
import { type Span } from '@opentelemetry/api';
import { type Msg } from 'nats';
import { randomUUID } from 'node:crypto';
import { failSpan } from '../context/spans';
import { encodeJson } from '../nats/json-codec';
import { headersFromRecord } from '../nats/nats-internals';
import { WireHeaders } from '../nats/wire-headers';

export interface ClassifiedError {
  envelope: ErrorEnvelope;
  kind: ErrorKind;
  status: number;
  /** The id an unexpected error was logged under (also in the envelope's details). */
  errorId?: string;
}

/**
 * Maps anything a handler threw to the envelope a caller sees. Only `AppError`s speak for themselves;
 * anything else is an internal error whose details stay in our log under an error id the caller gets.
 */
export function classifyError(error: unknown, logger: Logger, context: string): ClassifiedError {
  if (error instanceof AppError) {
    return {
      envelope: error.toEnvelope(),
      kind: error.kind,
      status: ERROR_KIND_STATUS[error.kind],
    };
  }
  const errorId = randomUUID();
  logger.error({ err: error, errorId }, `Unhandled error in ${context} (errorId ${errorId})`);
  return {
    envelope: {
      code: CommonErrorCodes.INTERNAL,
      message: 'Internal error',
      retriable: false,
      details: { errorId },
    },
    kind: 'internal',
    status: ERROR_KIND_STATUS.internal,
    errorId,
  };
}

/**
 * Replies with the error envelope and the micro-protocol headers; never throws. Returns the error
 * as `$SRV.STATS` shows it (`last_error`): `<status>:<message>`, as nats.go writes it.
 */
export function replyWithError(
  msg: Msg,
  error: unknown,
  subject: string,
  logger: Logger,
  span?: Span,
): string {
  let failure = '500:Internal error';
  try {
    const { envelope, status, errorId } = classifyError(error, logger, subject);
    failSpan(span, error, { errorId, fault: status >= 500 });
    // A header value cannot hold line breaks; fromRecord does not check, so we do.
    const message = envelope.message.replace(/[\r\n]+/g, ' ');
    failure = `${status}:${message}`;
    const replyHeaders = headersFromRecord({
      [WireHeaders.SERVICE_ERROR_CODE]: [String(status)],
      [WireHeaders.SERVICE_ERROR]: [message],
      [WireHeaders.ERROR_CODE]: [envelope.code.replace(/[\r\n]+/g, ' ')],
    });
    msg.respond(encodeJson({ ok: false, ...envelope }), { headers: replyHeaders });
  } catch (replyFailure) {
    logger.error(`Could not reply to a request on ${subject}: ${String(replyFailure)}`);
  }
  return failure;
}
