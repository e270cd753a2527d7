import { type SpanProcessor } from '@opentelemetry/sdk-trace-base';
import { CallContextManager } from '@switchboard/platform-messaging';
import { ConfigError } from '../config/service-config';

/** A started OpenTelemetry SDK: `shutdown()` exports what is still buffered, then stops it. */
export interface Telemetry {
  shutdown(): Promise<void>;
}

export interface TelemetryOptions {
  /** Where spans go instead of the exporters the `OTEL_*` variables name (tests: in memory). */
  spanProcessors?: SpanProcessor[];
}

const ENDPOINT_KEYS = [
  'OTEL_EXPORTER_OTLP_ENDPOINT',
  'OTEL_EXPORTER_OTLP_TRACES_ENDPOINT',
] as const;

/**
 * Whether the environment asks for traces: an OTLP endpoint is set, or `OTEL_TRACES_EXPORTER`
 * names an exporter (`otlp`, `console`, `zipkin`); never when `OTEL_SDK_DISABLED=true` or the
 * exporter is `none`. Off by default, so `npm start` records nothing and costs nothing. Throws a
 * `ConfigError` for an endpoint that is not an http(s) URL, before the service starts.
 */
export function tracingRequested(serviceName: string, env: NodeJS.ProcessEnv): boolean {
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return false;
  const exporters = (env['OTEL_TRACES_EXPORTER'] ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
  if (exporters.includes('none')) return false;
  const problems = ENDPOINT_KEYS.filter((key) => env[key] && !isHttpUrl(env[key])).map((key) => ({
    key,
    message: `must be an http(s) URL such as http://otel-collector:4318, got "${env[key]}"`,
  }));
  if (problems.length > 0) throw new ConfigError(serviceName, problems);
  return exporters.length > 0 || ENDPOINT_KEYS.some((key) => Boolean(env[key]));
}

/**
 * Starts OpenTelemetry's Node SDK when tracing is requested (see {@link tracingRequested}), or when
 * span processors are given; returns `undefined` otherwise. Call it before the service is created:
 * the Postgres instrumentation patches `pg` when TypeORM loads it.
 *
 * What it sets up, and what it leaves out:
 * - traces, exported as the standard `OTEL_*` variables say (`OTEL_EXPORTER_OTLP_ENDPOINT`,
 *   `OTEL_EXPORTER_OTLP_PROTOCOL`, `OTEL_TRACES_SAMPLER`, `OTEL_BSP_*`, …); the service name is
 *   the service's own unless `OTEL_SERVICE_NAME` says otherwise. The spans of HTTP, RPC and
 *   events are the platform's own (platform-messaging's `startSpan`), not auto-instrumentation;
 * - Postgres statements as child spans of the work that runs them (`requireParentSpan`: a pool's
 *   housekeeping outside any work records nothing);
 * - no metrics or logs through the SDK: metrics are Prometheus' `/metrics`, logs go to stdout
 *   with `trace_id` and `span_id` on every line.
 */
export async function startTelemetry(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
  options: TelemetryOptions = {},
): Promise<Telemetry | undefined> {
  if (options.spanProcessors === undefined && !tracingRequested(serviceName, env)) return undefined;
  // Loaded only when tracing is on: the SDK and its exporters are ~60 MB and seconds of start-up
  // that a service with tracing off must not pay.
  const [{ NodeSDK }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-node'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const sdk = new NodeSDK({
    ...(env['OTEL_SERVICE_NAME'] ? {} : { serviceName }),
    instrumentations: [new PgInstrumentation({ requireParentSpan: true })],
    // The platform's call context is the one store of what work is under way (see CallContextManager).
    contextManager: new CallContextManager(),
    metricReaders: [],
    logRecordProcessors: [],
    ...(options.spanProcessors === undefined ? {} : { spanProcessors: options.spanProcessors }),
  });
  sdk.start();
  return { shutdown: () => sdk.shutdown() };
}

function isHttpUrl(value: string | undefined): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value ?? '').protocol);
  } catch {
    return false;
  }
}
