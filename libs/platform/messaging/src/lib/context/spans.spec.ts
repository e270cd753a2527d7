import { SpanKind, trace } from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  ParentBasedSampler,
  SimpleSpanProcessor,
  TraceIdRatioBasedSampler,
} from '@opentelemetry/sdk-trace-base';
import { startSpan } from './spans';
import { newTraceContext, parentIdOf, traceIdOf } from './trace-context';

// Samples no new trace, follows the caller's decision otherwise: what
// OTEL_TRACES_SAMPLER=parentbased_traceidratio with a ratio of 0 does.
const exporter = new InMemorySpanExporter();
trace.setGlobalTracerProvider(
  new BasicTracerProvider({
    sampler: new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(0) }),
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  }),
);

describe('startSpan with a sampler', () => {
  const untraced = () => {
    throw new Error('a registered tracer decides: the untraced fallback is not used');
  };

  it('records nothing for a trace sampled out, and sends the decision on (flags 00)', () => {
    const { span, trace: sent } = startSpan('send x', { kind: SpanKind.CLIENT }, untraced);
    expect(span).toBeUndefined();
    expect(sent.traceparent).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-00$/);
    // Downstream, a parent-based sampler follows it: still nothing recorded.
    const served = startSpan('process x', { kind: SpanKind.SERVER, parent: sent }, untraced);
    expect(served.span).toBeUndefined();
    expect(traceIdOf(served.trace.traceparent)).toBe(traceIdOf(sent.traceparent));
    expect(exporter.getFinishedSpans()).toEqual([]);
  });

  it('records the child of a caller that sampled its trace in (flags 01)', () => {
    const caller = newTraceContext();
    const { span, trace: sent } = startSpan(
      'process x',
      { kind: SpanKind.SERVER, parent: caller },
      untraced,
    );
    expect(span?.isRecording()).toBe(true);
    span?.end();
    expect(traceIdOf(sent.traceparent)).toBe(traceIdOf(caller.traceparent));
    expect(sent.traceparent.endsWith('-01')).toBe(true);
    const [recorded] = exporter.getFinishedSpans();
    expect(recorded?.parentSpanContext?.spanId).toBe(parentIdOf(caller.traceparent));
  });
});
