import { AppError } from '@switchboard/contracts';

/** Stable codes of the gateway's own errors (a service's errors pass through unchanged). */
export const GatewayErrorCodes = {
  UNKNOWN_SERVICE: 'GATEWAY.UNKNOWN_SERVICE',
  NOT_ROUTED: 'GATEWAY.NOT_ROUTED',
  RATE_LIMITED: 'GATEWAY.RATE_LIMITED',
  INVALID_DEADLINE: 'GATEWAY.INVALID_DEADLINE',
} as const;

export const GatewayErrors = {
  unknownService: (service: string) =>
    new AppError(
      GatewayErrorCodes.UNKNOWN_SERVICE,
      'not_found',
      `No service "${service.slice(0, 40)}" behind /api: see /api/docs for the services and routes.`,
    ),
  notRouted: (path: string) =>
    new AppError(
      GatewayErrorCodes.NOT_ROUTED,
      'not_found',
      `${path.slice(0, 80)} is internal to the service and not served through the gateway.`,
    ),
  rateLimited: (retryAfterSeconds: number, scope: 'user' | 'address') =>
    new AppError(
      GatewayErrorCodes.RATE_LIMITED,
      'unavailable',
      `Too many requests from this ${scope}: retry in ${retryAfterSeconds} s.`,
      { retryAfterSeconds },
    ),
  invalidDeadline: () =>
    new AppError(
      GatewayErrorCodes.INVALID_DEADLINE,
      'invalid_argument',
      'Switchboard-Deadline must be epoch milliseconds as a decimal integer.',
    ),
};
