import { AppError, CommonErrorCodes } from '@switchboard/contracts';

/**
 * How long an RPC caller waits when it names no time-out, and the budget a server gives a request
 * that carries no `Switchboard-Deadline` header (a `nats request` from the CLI, a client in another
 * language): the same 5 s, so that such a request and everything it calls onward are bounded as if
 * our own client had sent it.
 */
export const DEFAULT_RPC_TIMEOUT_MS = 5_000;

/**
 * Reads a `Switchboard-Deadline` value: epoch milliseconds as a decimal integer. Anything else
 * (a relative "5s", a float, a date string) is `undefined`, for the caller to refuse.
 */
export function parseDeadline(value: string): number | undefined {
  if (!/^\d{1,16}$/.test(value)) return undefined;
  return Number(value);
}

/** The `DEADLINE_EXCEEDED` error (retriable: the same request may succeed with a fresh budget). */
export function deadlineExceeded(message: string, cause?: unknown): AppError {
  return new AppError(
    CommonErrorCodes.DEADLINE_EXCEEDED,
    'deadline_exceeded',
    message,
    undefined,
    cause === undefined ? undefined : { cause },
  );
}
