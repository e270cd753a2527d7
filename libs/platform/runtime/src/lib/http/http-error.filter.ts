import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  HttpException,
  Logger,
} from '@nestjs/common';
import {
  AppError,
  CommonErrorCodes,
  ERROR_KIND_STATUS,
  type ErrorEnvelope,
  errorKindOfStatus,
} from '@switchboard/contracts';
import { type FastifyReply } from 'fastify';
import { currentSpan, failSpan } from '@switchboard/platform-messaging';
import { randomUUID } from 'node:crypto';

/** Fastify's own errors (body parsing, size limits) carry a status and an `FST_…` code. */
interface FastifyLikeError {
  statusCode: number;
  code?: string;
  message: string;
}

const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: CommonErrorCodes.PAYLOAD_TOO_LARGE,
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'UNSUPPORTED_MEDIA_TYPE',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'INVALID_JSON',
  FST_ERR_CTP_INVALID_JSON_BODY: 'INVALID_JSON',
};

const HTTP_CODES: Record<number, string> = {
  400: CommonErrorCodes.INVALID_ARGUMENT,
  404: CommonErrorCodes.NOT_FOUND,
  405: 'METHOD_NOT_ALLOWED',
  413: CommonErrorCodes.PAYLOAD_TOO_LARGE,
  415: 'UNSUPPORTED_MEDIA_TYPE',
};

/**
 * Every HTTP error leaves as `{code, message, retriable, details}`. Domain errors keep their codes;
 * framework errors get generic ones; anything unexpected is a 500 whose details stay in the log,
 * findable by the `errorId` the client receives.
 */
@Catch()
export class HttpErrorFilter implements ExceptionFilter {
  private readonly log = new Logger('HttpErrorFilter');

  catch(exception: unknown, host: ArgumentsHost): void {
    const reply = host.switchToHttp().getResponse<FastifyReply>();
    const { status, envelope } = this.toResponse(exception);
    const errorId = (envelope.details as { errorId?: unknown } | undefined)?.errorId;
    failSpan(currentSpan(), exception, {
      errorId: typeof errorId === 'string' ? errorId : undefined,
      fault: status >= 500,
    });
    void reply.status(status).header('content-type', 'application/json').send(envelope);
  }

  toResponse(exception: unknown): { status: number; envelope: ErrorEnvelope } {
    if (exception instanceof AppError) {
      return { status: ERROR_KIND_STATUS[exception.kind], envelope: exception.toEnvelope() };
    }
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      return {
        status,
        envelope: {
          code: HTTP_CODES[status] ?? errorKindOfStatus(status).toUpperCase(),
          message: exception.message,
          retriable: status === 503,
        },
      };
    }
    if (isFastifyError(exception) && exception.statusCode < 500) {
      return {
        status: exception.statusCode,
        envelope: {
          code:
            (exception.code && FASTIFY_CODES[exception.code]) ??
            HTTP_CODES[exception.statusCode] ??
            CommonErrorCodes.INVALID_ARGUMENT,
          message: exception.message,
          retriable: false,
        },
      };
    }
    const errorId = randomUUID();
    this.log.error({ err: exception, errorId }, `Unhandled error (errorId ${errorId})`);
    return {
      status: 500,
      envelope: {
        code: CommonErrorCodes.INTERNAL,
        message: 'Internal error',
        retriable: false,
        details: { errorId },
      },
    };
  }
}

function isFastifyError(error: unknown): error is FastifyLikeError {
  const statusCode = (error as Partial<FastifyLikeError> | undefined)?.statusCode;
  return error instanceof Error && typeof statusCode === 'number' && statusCode >= 400;
}
