import {
  type Attributes,
  type Context,
  type ContextManager,
  ROOT_CONTEXT,
  type Span,
  trace as otelTrace,
} from '@opentelemetry/api';
import { AsyncLocalStorage } from 'node:async_hooks';
import { type SpanKind, startSpan, type TracedWork } from './spans';
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
  /**
   * The span recording this work, while tracing is on (`startSpan`); then `trace` is the span's
   * own context, so what the work sends onward is the span's child.
   */
  readonly span?: Span;
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

/** OpenTelemetry's view of each call context, made on first use. */
const otelContexts = new WeakMap<CallContext, Context>();

/**
 * OpenTelemetry's context manager on the platform's one store: `context.active()` is the call
 * context's span (what instrumentations such as pg parent their spans on), and `context.with()`
 * runs in a copy of the call context that carries the given OpenTelemetry context. One
 * AsyncLocalStorage for both, instead of OpenTelemetry's own next to it: the work's trace is kept
 * in one place, and each unit of work enters one store instead of two (`startTelemetry` registers it).
 */
export class CallContextManager implements ContextManager {
  active(): Context {
    const current = storage.getStore();
    if (current === undefined) return ROOT_CONTEXT;
    let active = otelContexts.get(current);
    if (active === undefined) {
      active = current.span ? otelTrace.setSpan(ROOT_CONTEXT, current.span) : ROOT_CONTEXT;
      otelContexts.set(current, active);
    }
    return active;
  }

  with<A extends unknown[], F extends (...args: A) => ReturnType<F>>(
    context: Context,
    fn: F,
    thisArg?: ThisParameterType<F>,
    ...args: A
  ): ReturnType<F> {
    const next: CallContext = { ...storage.getStore() };
    otelContexts.set(next, context);
    return storage.run(next, () => fn.call(thisArg, ...args));
  }

  bind<T>(context: Context, target: T): T {
    if (typeof target !== 'function') return target;
    const run = target as unknown as (...args: unknown[]) => unknown;
    return ((...args: unknown[]) => this.with(context, run, undefined, ...args)) as T;
  }

  enable(): this {
    return this;
  }

  disable(): this {
    return this;
  }
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

/** The 16-hex-digit id of the span recording the work in progress; `undefined` while tracing is off. */
export function currentSpanId(): string | undefined {
  return storage.getStore()?.span?.spanContext().spanId;
}

/** The span recording the work in progress, while tracing is on. */
export function currentSpan(): Span | undefined {
  return storage.getStore()?.span;
}

/**
 * The trace context to put on a message sent now: the current trace with a new span id, or a new
 * trace outside any. Write it with `writeTraceHeaders(headers, outgoingTraceContext())`.
 */
export function outgoingTraceContext(): TraceContext {
  return childTraceContext(storage.getStore()?.trace);
}

/**
 * Starts the span of a message the work in progress sends now (an RPC request, an event, a
 * proxied HTTP request): its child, or the root of a new trace outside any work. While tracing is
 * off the context is `outgoingTraceContext()`'s.
 */
export function startOutgoingSpan(
  name: string,
  kind: SpanKind,
  attributes: Attributes,
): TracedWork {
  const parent = storage.getStore()?.trace;
  return startSpan(name, { kind, parent, attributes }, () => childTraceContext(parent));
}
