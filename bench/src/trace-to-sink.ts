import { startTelemetry } from '@switchboard/platform-runtime';
import { OTLP_SINK_ENV } from './otlp-sink';

/**
 * Turns tracing on in a benchmark process exactly as a service with `OTEL_EXPORTER_OTLP_ENDPOINT`
 * set runs: `startTelemetry` with the SDK's batch processor and OTLP/HTTP protobuf, to the sink the
 * orchestrator runs (which reads and discards every export). `OTEL_TRACES_SAMPLER` / `_ARG` and
 * `OTEL_BSP_*` in the bench's environment apply as in a service.
 */
export async function traceToSink(serviceName: string): Promise<void> {
  const sink = process.env[OTLP_SINK_ENV];
  if (!sink) throw new Error(`${OTLP_SINK_ENV} is not set: the orchestrator starts the sink`);
  process.env['OTEL_EXPORTER_OTLP_ENDPOINT'] = sink;
  await startTelemetry(serviceName);
}
