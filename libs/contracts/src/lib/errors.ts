import { z } from 'zod';

/**
 * What kind of failure an error is. Transports map it: HTTP to a status code, RPC to the error
 * envelope. Codes (`CHAT.NOT_A_MEMBER`) are stable and specific; kinds are few and generic.
 */
export const ErrorKind = z.enum([
  'invalid_argument',
  'unauthenticated',
  'permission_denied',
  'not_found',
  'conflict',
  'payload_too_large',
  'unavailable',
  'deadline_exceeded',
  'internal',
]);
export type ErrorKind = z.infer<typeof ErrorKind>;

/** Kinds a caller may retry as they are: the same request can succeed later. */
export const RETRIABLE_KINDS: readonly ErrorKind[] = ['unavailable', 'deadline_exceeded'];

/** The body of every error, over HTTP and in an RPC reply. */
export const ErrorEnvelope = z.object({
  /** Stable machine-readable code, e.g. `CHAT.NOT_A_MEMBER` or `VALIDATION_FAILED`. */
  code: z.string().min(1),
  /** Human-readable explanation; never contains secrets or stack traces. */
  message: z.string(),
  /** True when the same request may succeed if sent again later. */
  retriable: z.boolean(),
  /** Structured context, e.g. the failing fields of a validation error. */
  details: z.unknown().optional(),
});
export type ErrorEnvelope = z.infer<typeof ErrorEnvelope>;

/**
 * The one throwable of Switchboard: domain code throws it, transports translate it, and the RPC
 * client re-creates it from a reply so callers can branch on `code`.
 */
export class AppError extends Error {
  override readonly name = 'AppError';

  constructor(
    readonly code: string,
    readonly kind: ErrorKind,
    message: string,
    readonly details?: unknown,
    options?: { cause?: unknown; retriable?: boolean },
  ) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    this.retriable = options?.retriable ?? RETRIABLE_KINDS.includes(kind);
  }

  readonly retriable: boolean;

  toEnvelope(): ErrorEnvelope {
    const envelope: ErrorEnvelope = {
      code: this.code,
      message: this.message,
      retriable: this.retriable,
    };
    if (this.details !== undefined) envelope.details = this.details;
    return envelope;
  }
}

/** Codes every service shares; domain codes are prefixed with the domain (`CHAT.…`). */
export const CommonErrorCodes = {
  VALIDATION_FAILED: 'VALIDATION_FAILED',
  INVALID_ARGUMENT: 'INVALID_ARGUMENT',
  UNAUTHENTICATED: 'AUTH.UNAUTHENTICATED',
  NOT_FOUND: 'NOT_FOUND',
  PAYLOAD_TOO_LARGE: 'PAYLOAD_TOO_LARGE',
  UNAVAILABLE: 'UNAVAILABLE',
  DEADLINE_EXCEEDED: 'DEADLINE_EXCEEDED',
  INTERNAL: 'INTERNAL',
} as const;

/**
 * The numeric status of each kind: the HTTP status code, and the `Nats-Service-Error-Code` header of
 * an RPC error reply (the NATS micro-services protocol uses HTTP-like numbers there too).
 */
export const ERROR_KIND_STATUS: Readonly<Record<ErrorKind, number>> = {
  invalid_argument: 400,
  unauthenticated: 401,
  permission_denied: 403,
  not_found: 404,
  conflict: 409,
  payload_too_large: 413,
  internal: 500,
  unavailable: 503,
  deadline_exceeded: 504,
};

/** The kind for a status; an unknown status is `internal`. */
export function errorKindOfStatus(status: number): ErrorKind {
  const match = (Object.entries(ERROR_KIND_STATUS) as [ErrorKind, number][]).find(
    ([, value]) => value === status,
  );
  return match?.[0] ?? 'internal';
}

/** One bad field of a validation error: where it is and what is wrong with it. */
export interface IssueDetail {
  /** Dotted path of the field, e.g. `memberIds.2`; empty for the whole body. */
  path: string;
  message: string;
  /** zod's issue code, e.g. `too_big`, `unrecognized_keys`. */
  code: string;
}

/** Turns zod issues into the `details` of a validation error. */
export function describeIssues(error: z.ZodError): IssueDetail[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join('.'),
    message: issue.message,
    code: issue.code,
  }));
}
