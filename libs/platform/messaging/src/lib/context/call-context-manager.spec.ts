import { createContextKey, ROOT_CONTEXT, type Span, trace } from '@opentelemetry/api';
import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { CallContextManager, currentDeadline, runWithCallContext } from './call-context';
import { newTraceContext } from './trace-context';

describe('CallContextManager: OpenTelemetry context on the call context', () => {
  const manager = new CallContextManager();
  const span = new BasicTracerProvider().getTracer('test').startSpan('work') as Span;
  const KEY = createContextKey('test key');

  it('has no active span outside any work, and the work span inside it', async () => {
    expect(trace.getSpan(manager.active())).toBeUndefined();
    await runWithCallContext({ trace: newTraceContext(), span }, async () => {
      await Promise.resolve();
      expect(trace.getSpan(manager.active())).toBe(span);
      // One OpenTelemetry context per call context, not one per call.
      expect(manager.active()).toBe(manager.active());
    });
  });

  it('runs with() in the given context, keeping the call context (deadline, span) around it', async () => {
    const given = ROOT_CONTEXT.setValue(KEY, 'instrumentation');
    await runWithCallContext({ deadline: 42, span }, async () => {
      const seen = await manager.with(
        given,
        async (a: number, b: number) => {
          await Promise.resolve();
          return { value: manager.active().getValue(KEY), deadline: currentDeadline(), sum: a + b };
        },
        undefined,
        1,
        2,
      );
      expect(seen).toEqual({ value: 'instrumentation', deadline: 42, sum: 3 });
      // Back outside with(): the work's own context again.
      expect(trace.getSpan(manager.active())).toBe(span);
    });
  });

  it('binds a function to a context', () => {
    const given = ROOT_CONTEXT.setValue(KEY, 'bound');
    const bound = manager.bind(given, () => manager.active().getValue(KEY));
    expect(bound()).toBe('bound');
    expect(manager.bind(given, 'not a function')).toBe('not a function');
  });
});
