import {
  type Attributes,
  type Link,
  isSpanContextValid,
  ProxyTracerProvider,
  ROOT_CONTEXT,
  type Span,
  type SpanContext,
  SpanKind,
  SpanStatusCode,
  trace,
  type Tracer,
} from '@opentelemetry/api';
import { AppError } from '@switchboard/contracts';
import { type MsgHdrs } from 'nats';
import {
  isValidTraceparent,
  newTraceContext,
  readTraceHeaders,
  type TraceContext,
} from './trace-context';

export { SpanKind };

/** The instrumentation scope of every span the platform records. */
export const TRACER_NAME = '@switchboard/platform';

/**
 * A unit of work being traced: the OpenTelemetry span (absent while tracing is off) and the trace
 * context to run the work in and to send onward — the span's own when it records, otherwise what
 * the platform did before tracing existed (the received context, or a new span id for a message).
 */
export interface TracedWork {
  readonly span?: Span;
  readonly trace: TraceContext;
}

export interface SpanOptions {
  kind: SpanKind;
  /** The received or current context the span continues; none starts a new trace. */
  parent?: TraceContext;
  /** Contexts the work is related to but not a child of (a batch's messages). */
  links?: readonly TraceContext[];
  attributes?: Attributes;
}

/**
 * Starts a span when a tracer provider is registered (`startTelemetry`, or a test's); otherwise
 * returns `untraced()` and no span, at the cost of one property read. Spans are started under an
 * explicit parent, never OpenTelemetry's ambient context: the call context is the platform's one
 * source of truth for which work belongs to which trace.
 */
export function startSpan(
  name: string,
  options: SpanOptions,
  untraced: () => TraceContext,
): TracedWork {
  const tracer = activeTracer();
  if (tracer === undefined) return { trace: untraced() };
  const parent = options.parent && spanContextOf(options.parent);
  const links: Link[] = [];
  for (const link of options.links ?? []) {
    const context = spanContextOf(link);
    if (context) links.push({ context });
  }
  const span = tracer.startSpan(
    name,
    { kind: options.kind, attributes: options.attributes, links },
    parent ? trace.setSpanContext(ROOT_CONTEXT, parent) : ROOT_CONTEXT,
  );
  if (!span.isRecording()) {
    // Sampled out: no span, but the context sent on carries the sampler's decision (flags 00), so
    // the services downstream do not record the rest of a trace whose start nobody has.
    return isSpanContextValid(span.spanContext())
      ? { trace: traceContextOfSpan(span, options.parent?.tracestate) }
      : { trace: untraced() };
  }
  return { span, trace: traceContextOfSpan(span, options.parent?.tracestate) };
}

/**
 * The `process` span of a received message (`CONSUMER`), a child of the context its headers carry.
 * While tracing is off the work continues that context, or starts a trace when it carries none.
 */
export function startProcessSpan(
  msg: { subject: string; headers?: MsgHdrs; data: Uint8Array },
  attributes: Attributes,
): TracedWork {
  const received = readTraceHeaders(msg.headers);
  return startSpan(
    `process ${msg.subject}`,
    {
      kind: SpanKind.CONSUMER,
      parent: received,
      attributes: messagingAttributes('process', msg.subject, {
        'messaging.message.body.size': msg.data.length,
        ...attributes,
      }),
    },
    () => received ?? newTraceContext(),
  );
}

/**
 * The attributes the OpenTelemetry messaging conventions give a span of operation `type` on
 * `subject` (`messaging.system` = `nats`).
 */
export function messagingAttributes(
  type: 'create' | 'send' | 'receive' | 'process' | 'settle',
  subject: string,
  extra: Attributes = {},
): Attributes {
  return {
    'messaging.system': 'nats',
    'messaging.operation.type': type,
    'messaging.destination.name': subject,
    ...extra,
  };
}

/**
 * Records a failure on the span: a stable `error.type` — an `AppError`'s code
 * (`CHAT.NOT_A_MEMBER`, `DEADLINE_EXCEEDED`) or the class of anything else — and, unless `fault`
 * is false, the error status. A server answering a caller's mistake (a 4xx, an `invalid_argument`)
 * did nothing wrong: the OpenTelemetry conventions leave its span's status unset. `errorId` is the
 * id an internal error was logged under and answered with (`switchboard.error_id`), to find the
 * log line from the trace.
 */
export function failSpan(
  span: Span | undefined,
  error: unknown,
  options: { errorId?: string; fault?: boolean } = {},
): void {
  if (span === undefined) return;
  const type =
    error instanceof AppError ? error.code : error instanceof Error ? error.name : 'Error';
  span.setAttribute('error.type', type);
  if (options.errorId !== undefined) span.setAttribute('switchboard.error_id', options.errorId);
  if (options.fault === false) return;
  span.setStatus({
    code: SpanStatusCode.ERROR,
    message: error instanceof Error ? error.message : String(error),
  });
}

/** The span's context as a W3C trace context, keeping the parent's `tracestate`. */
export function traceContextOfSpan(span: Span, tracestate?: string): TraceContext {
  const { traceId, spanId, traceFlags } = span.spanContext();
  const traceparent = `00-${traceId}-${spanId}-${traceFlags.toString(16).padStart(2, '0')}`;
  return tracestate === undefined ? { traceparent } : { traceparent, tracestate };
}

/** A received W3C context as OpenTelemetry's remote span context; `undefined` when invalid. */
export function spanContextOf(context: TraceContext): SpanContext | undefined {
  const { traceparent } = context;
  if (!isValidTraceparent(traceparent)) return undefined;
  return {
    traceId: traceparent.slice(3, 35),
    spanId: traceparent.slice(36, 52),
    traceFlags: Number.parseInt(traceparent.slice(53, 55), 16),
    isRemote: true,
  };
}

/** Whether spans are recorded: a tracer provider is registered. */
export function tracingEnabled(): boolean {
  return activeTracer() !== undefined;
}

/** The platform's tracer, or `undefined` while no tracer provider is registered (tracing off). */
function activeTracer(): Tracer | undefined {
  const provider = trace.getTracerProvider();
  return provider instanceof ProxyTracerProvider
    ? provider.getDelegateTracer(TRACER_NAME)
    : provider.getTracer(TRACER_NAME);
}
