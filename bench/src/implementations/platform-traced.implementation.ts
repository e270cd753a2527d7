import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-http';
import { BatchSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { startTelemetry } from '@switchboard/platform-runtime';
import { OTLP_SINK_ENV } from '../otlp-sink';
import { type Implementation } from './implementation';
import { platformImplementation } from './platform.implementation';

/**
 * `platform` with tracing on, as a service runs with `OTEL_EXPORTER_OTLP_ENDPOINT` set: every
 * call a CLIENT span in the caller and a SERVER span in the responder, batched (the SDK's default
 * batch processor) and exported as OTLP/HTTP protobuf to a sink the orchestrator runs, which reads
 * and discards them. The difference to `platform` is the cost of tracing.
 */
async function startTracing(role: string): Promise<void> {
  const sink = process.env[OTLP_SINK_ENV];
  if (!sink) throw new Error(`${OTLP_SINK_ENV} is not set: the orchestrator starts the sink`);
  await startTelemetry(
    `bench-${role}`,
    {},
    {
      spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url: `${sink}/v1/traces` }))],
    },
  );
}

export const platformTracedImplementation: Implementation = {
  async startResponder(natsUrl: string) {
    await startTracing('responder');
    return (platformImplementation.startResponder as NonNullable<Implementation['startResponder']>)(
      natsUrl,
    );
  },
  async startCaller(natsUrl: string) {
    await startTracing('caller');
    return platformImplementation.startCaller(natsUrl);
  },
};
