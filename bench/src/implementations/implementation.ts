import { type EchoRequest, type EchoResult } from '../echo.contract';

/** The answering side of one implementation, running in its own process. */
export interface Responder {
  /** Stops taking requests and closes the connection. */
  stop(): Promise<void>;
}

/** The calling side of one implementation, running in its own process. */
export interface Caller {
  /** One request/reply round trip; resolves with the decoded reply. */
  call(request: EchoRequest): Promise<EchoResult>;
  stop(): Promise<void>;
}

/** One way of making an inter-service call, measured under identical load. */
export interface Implementation {
  /**
   * Starts the answering side. Absent for the in-process baseline, which has no other side.
   * It runs in a process of its own, as the answering service would.
   */
  startResponder?(natsUrl: string): Promise<Responder>;
  startCaller(natsUrl: string): Promise<Caller>;
}

export const IMPLEMENTATION_NAMES = [
  'raw',
  'platform',
  'nest',
  'in-process',
  'platform-traced',
] as const;
/** What runs without `--impl`: tracing's cost is measured on request (`--impl platform,platform-traced`). */
export const DEFAULT_IMPLEMENTATIONS: readonly ImplementationName[] = [
  'raw',
  'platform',
  'nest',
  'in-process',
];
export type ImplementationName = (typeof IMPLEMENTATION_NAMES)[number];

export function isImplementationName(value: string): value is ImplementationName {
  return (IMPLEMENTATION_NAMES as readonly string[]).includes(value);
}

/**
 * Connection options every NATS-based implementation uses. Async stack traces make nats.js
 * capture a stack on every request (a large share of a small request's cost); the platform turns
 * them off in `connectNats`, so raw and Nest get the same setting and the comparison is about the
 * code on the path, not a connect flag.
 */
export const NATS_CONNECT_OPTIONS = { noAsyncTraces: true } as const;

/** How long a caller waits for one reply before counting an error. */
export const CALL_TIMEOUT_MS = 5_000;
