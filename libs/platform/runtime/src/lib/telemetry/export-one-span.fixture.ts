/**
 * A process that starts telemetry as a service does (`startTelemetry` from its environment),
 * records one span and shuts down, printing what it set up. Run by `telemetry.int-spec.ts` in a
 * child process: the OTLP exporter loads Node's http module in a way jest's module sandbox cannot.
 */
import { context, trace } from '@opentelemetry/api';
import { CallContextManager } from '@switchboard/platform-messaging';
import { startTelemetry } from './telemetry';

void (async () => {
  const telemetry = await startTelemetry('chat');
  const contextManager: unknown = context['_getContextManager']();
  trace.getTracer('fixture').startSpan('a-span-name-to-find').end();
  await telemetry?.shutdown();
  console.log(
    JSON.stringify({
      started: telemetry !== undefined,
      callContextManager: contextManager instanceof CallContextManager,
    }),
  );
})();
