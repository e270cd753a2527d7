import { AsyncLocalStorage } from 'node:async_hooks';
import { childTraceContext, type TraceContext, traceIdOf } from './trace-context';

/**
 * What travels with one unit of work — an RPC being answered, an event being handled, an HTTP
 * request — through every `await` of the code that does it, and onward into the messages it sends.
 */
export interface CallContext {
  /**
   * Epoch milliseconds when whoever waits for this work's result stops waiting. RPC calls made
   * during the work wait at most until then and forward it; `undefined` means nobody set one.
   */
  readonly deadline?: number;
  /**
   * The trace the work belongs to, as it was received (its parent id is the sender's span).
   * Messages sent during the work carry the same trace id with a new span id.
   */
  readonly trace?: TraceContext;
}

// One store for the process. On Node 20 an AsyncLocalStorage in use adds a small cost to every
// promise; nestjs-pino's request logger already pays it in every service, so this adds nothing.
const storage = new AsyncLocalStorage<CallContext>();

/**
 * Runs `fn` with `context` as the call context of everything it does, synchronously or after any
 * number of `await`s; the previous context (if any) is back once `fn` returns. Transports call this
 * around a handler; the HTTP layer and event consumers do the same with what their headers carry:
 *
 * @example
 *   runWithCallContext({ trace: readTraceHeaders(msg.headers) ?? newTraceContext() }, () => handle(msg));
 */
export function runWithCallContext<T>(context: CallContext, fn: () => T): T {
  return storage.run(context, fn);
}

/** The context of the work in progress, `undefined` outside any (e.g. at boot or in a timer). */
export function currentCallContext(): CallContext | undefined {
  return storage.getStore();
}

/**
 * The deadline of the work in progress, in epoch milliseconds: when the caller of the RPC being
 * handled stops waiting. `undefined` when there is none. `RpcClient.call` applies it by itself;
 * read it to skip work nobody will wait for, or to size a database statement time-out.
 */
export function currentDeadline(): number | undefined {
  return storage.getStore()?.deadline;
}

/**
 * Milliseconds left until {@link currentDeadline} (zero or negative once it has passed), or
 * `undefined` when there is no deadline.
 */
export function remainingBudgetMs(): number | undefined {
  const deadline = storage.getStore()?.deadline;
  return deadline === undefined ? undefined : deadline - Date.now();
}

/** The W3C `traceparent` the work in progress was received with (or started), if any. */
export function currentTraceparent(): string | undefined {
  return storage.getStore()?.trace?.traceparent;
}

/** The 32-hex-digit trace id of the work in progress, for log lines; `undefined` outside a trace. */
export function currentTraceId(): string | undefined {
  const traceparent = storage.getStore()?.trace?.traceparent;
  return traceparent === undefined ? undefined : traceIdOf(traceparent);
}

/**
 * The trace context to put on a message sent now: the current trace with a new span id, or a new
 * trace outside any. Write it with `writeTraceHeaders(headers, outgoingTraceContext())`.
 */
export function outgoingTraceContext(): TraceContext {
  return childTraceContext(storage.getStore()?.trace);
}
