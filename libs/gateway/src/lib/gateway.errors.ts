import { AppError } from '@switchboard/contracts';

/** Stable codes of the gateway's own errors (a service's errors pass through unchanged). */
export const GatewayErrorCodes = {
  UNKNOWN_SERVICE: 'GATEWAY.UNKNOWN_SERVICE',
  NOT_ROUTED: 'GATEWAY.NOT_ROUTED',
  RATE_LIMITED: 'GATEWAY.RATE_LIMITED',
  INVALID_DEADLINE: 'GATEWAY.INVALID_DEADLINE',
  INVALID_CURSOR: 'GATEWAY.INVALID_CURSOR',
  FEED_NOT_READY: 'GATEWAY.FEED_NOT_READY',
  TOO_MANY_SOCKETS: 'GATEWAY.TOO_MANY_SOCKETS',
  INVALID_FRAME: 'GATEWAY.INVALID_FRAME',
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
  invalidCursor: () =>
    new AppError(
      GatewayErrorCodes.INVALID_CURSOR,
      'invalid_argument',
      'cursor is not one this gateway wrote: pass the `cursor` of the last frame received, or none.',
    ),
  feedNotReady: () =>
    new AppError(
      GatewayErrorCodes.FEED_NOT_READY,
      'unavailable',
      'The gateway is still reading the event streams: retry in a second.',
      { retryAfterSeconds: 1 },
    ),
  tooManySockets: (limit: number) =>
    new AppError(
      GatewayErrorCodes.TOO_MANY_SOCKETS,
      'conflict',
      `This user already has ${limit} sockets open on this gateway: close one first.`,
    ),
  invalidFrame: () =>
    new AppError(
      GatewayErrorCodes.INVALID_FRAME,
      'invalid_argument',
      'Frames are JSON text: {"type":"signal","id":"…","callId":"…","toUserId":"…","signal":{…}}.',
    ),
};
