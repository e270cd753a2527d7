import { Logger } from '@nestjs/common';
import {
  AppError,
  CommonErrorCodes,
  ERROR_KIND_STATUS,
  type ErrorEnvelope,
  type ErrorKind,
} from '@switchboard/contracts';
import { randomUUID } from 'node:crypto';

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
