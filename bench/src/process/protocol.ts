import { type ImplementationName } from '../implementations';

/**
 * The messages between the orchestrator and its benchmark processes (Node's IPC channel). Each run
 * is two fresh processes — the responder (the answering service) and the caller — so that no run
 * inherits another's heap, JIT state or connections, and the two sides of a call have their own
 * event loops, as two services do.
 */
export type ParentMessage =
  /** Caller: run the warm-up window, then drain, collect garbage and report `warmed`. */
  | { type: 'warm-up' }
  /** Caller: run the measured window and report `result`. */
  | { type: 'measure' }
  /** Responder: collect garbage, start counting CPU time, answer `measuring`. */
  | { type: 'measure-start' }
  /** Responder: answer `cpu` with the CPU time spent since `measure-start`. */
  | { type: 'measure-stop' }
  /** Both: close connections and exit. */
  | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready' }
  | { type: 'warmed' }
  | { type: 'measuring' }
  | { type: 'cpu'; cpu: CpuTime }
  | { type: 'result'; result: CallerResult }
  | { type: 'failed'; error: string };

/** CPU time a process spent in a window, microseconds. */
export interface CpuTime {
  userUs: number;
  systemUs: number;
}

/** What the caller measured in its window. */
export interface CallerResult {
  completed: number;
  errors: number;
  elapsedMs: number;
  /** HdrHistogram of latencies (ns), compressed base64. */
  latencyHistogram: string;
  /** Open loop only: HdrHistogram of send lags (ns), compressed base64. */
  sendLagHistogram?: string;
  cpu: CpuTime;
}

/**
 * How the caller loads the responder: a closed loop of N workers, or a fixed rate; each request's
 * JSON body about `payloadBytes` long.
 */
export type LoadShape = (
  { kind: 'closed'; concurrency: number } | { kind: 'open'; rate: number }
) & {
  payloadBytes: number;
};

export interface CallerConfig {
  implementation: ImplementationName;
  natsUrl: string;
  load: LoadShape;
  warmupMs: number;
  durationMs: number;
}

export interface ResponderConfig {
  implementation: ImplementationName;
  natsUrl: string;
}

export type ChildConfig =
  ({ role: 'caller' } & CallerConfig) | ({ role: 'responder' } & ResponderConfig);
