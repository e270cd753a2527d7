import { context, trace } from '@opentelemetry/api';
import { type SpanExporter, type SpanProcessor } from '@opentelemetry/sdk-trace-base';
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
/** The `OTEL_TRACES_EXPORTER` values this SDK set-up knows (`none` turns tracing off). */
const EXPORTERS = ['otlp', 'console', 'none'] as const;
/** The OTLP protocols bundled: both over HTTP, what a Collector, Jaeger or Tempo take on 4318. */
const PROTOCOLS = ['http/protobuf', 'http/json'] as const;
type Protocol = (typeof PROTOCOLS)[number];

interface TracesSetting {
  on: boolean;
  exporters: string[];
  protocol: Protocol;
}

/**
 * Reads and checks what the `OTEL_*` variables ask of traces. Every mistake is a `ConfigError`
 * naming its key, before the service starts: an endpoint that is not an http(s) URL, an exporter
 * or protocol this set-up does not bundle (`zipkin`, `grpc`: the service would otherwise start
 * and silently export nothing).
 */
function tracesSetting(serviceName: string, env: NodeJS.ProcessEnv): TracesSetting {
  const off: TracesSetting = { on: false, exporters: [], protocol: 'http/protobuf' };
  if (env['OTEL_SDK_DISABLED']?.trim().toLowerCase() === 'true') return off;
  const named = [...new Set(listOf(env['OTEL_TRACES_EXPORTER']))];
  if (named.includes('none')) return off;
  const on = named.length > 0 || ENDPOINT_KEYS.some((key) => Boolean(env[key]));
  if (!on) return off;
  const exporters = named.length > 0 ? named : ['otlp'];
  const protocolKey = env['OTEL_EXPORTER_OTLP_TRACES_PROTOCOL']?.trim()
    ? 'OTEL_EXPORTER_OTLP_TRACES_PROTOCOL'
    : 'OTEL_EXPORTER_OTLP_PROTOCOL';
  const protocol = env[protocolKey]?.trim() || 'http/protobuf';
  const problems = [
    ...ENDPOINT_KEYS.filter((key) => env[key] && !isHttpUrl(env[key])).map((key) => ({
      key,
      message: `must be an http(s) URL such as http://otel-collector:4318, got "${env[key]}"`,
    })),
    ...exporters
      .filter((name) => !(EXPORTERS as readonly string[]).includes(name))
      .map((name) => ({
        key: 'OTEL_TRACES_EXPORTER',
        message: `must be ${EXPORTERS.join(', ')} (comma-separated), got "${name}"`,
      })),
    // The protocol matters only to the OTLP exporter.
    ...(!exporters.includes('otlp') || (PROTOCOLS as readonly string[]).includes(protocol)
      ? []
      : [
          {
            key: protocolKey,
            message: `must be ${PROTOCOLS.join(' or ')} (OTLP over HTTP, port 4318 of a collector), got "${protocol}"`,
          },
        ]),
  ];
  if (problems.length > 0) throw new ConfigError(serviceName, problems);
  return { on, exporters, protocol: protocol as Protocol };
}

/**
 * Whether the environment asks for traces: an OTLP endpoint is set, or `OTEL_TRACES_EXPORTER`
 * names an exporter (`otlp`, `console`); never when `OTEL_SDK_DISABLED=true` or the exporter is
 * `none`. Off by default, so `npm start` records nothing and costs nothing. Throws a `ConfigError`
 * for a setting this service cannot honour (see {@link tracesSetting}), before the service starts.
 */
export function tracingRequested(serviceName: string, env: NodeJS.ProcessEnv): boolean {
  return tracesSetting(serviceName, env).on;
}

/**
 * Starts OpenTelemetry's trace SDK when tracing is requested (see {@link tracingRequested}), or when
 * span processors are given; returns `undefined` otherwise. Call it before the service is created:
 * the Postgres instrumentation patches `pg` when TypeORM loads it.
 *
 * It is what `@opentelemetry/sdk-node` sets up for traces, from the same packages and the same
 * standard variables, without the rest of that package (gRPC, Zipkin, the metrics and logs
 * pipelines: 50 more packages in every image, and this platform's metrics are Prometheus'
 * `/metrics`, its logs stdout):
 * - the tracer provider reads `OTEL_TRACES_SAMPLER` / `_ARG` and the span limits, the batch
 *   processor `OTEL_BSP_*`, the OTLP exporter `OTEL_EXPORTER_OTLP_*` (endpoint, headers, timeout,
 *   compression); `OTEL_TRACES_EXPORTER` and `OTEL_EXPORTER_OTLP_PROTOCOL` choose the exporter;
 * - the resource: host, OS, process and instance attributes, the service's name unless
 *   `OTEL_SERVICE_NAME` or `OTEL_RESOURCE_ATTRIBUTES` say otherwise;
 * - the spans of HTTP, RPC and events are the platform's own (platform-messaging's `startSpan`),
 *   not auto-instrumentation; Postgres statements are child spans of the work that runs them
 *   (`requireParentSpan`: a pool's housekeeping outside any work records nothing);
 * - the context manager is the platform's call context (see `CallContextManager`).
 *
 * `env` decides whether and how to trace; the SDK's own settings are read from `process.env`.
 */
export async function startTelemetry(
  serviceName: string,
  env: NodeJS.ProcessEnv = process.env,
  options: TelemetryOptions = {},
): Promise<Telemetry | undefined> {
  const setting = tracesSetting(serviceName, env);
  if (options.spanProcessors === undefined && !setting.on) return undefined;
  // Loaded only when tracing is on: a service with tracing off must not pay the SDK's start-up
  // time and memory.
  const [sdk, resources, { registerInstrumentations }, { PgInstrumentation }] = await Promise.all([
    import('@opentelemetry/sdk-trace-base'),
    import('@opentelemetry/resources'),
    import('@opentelemetry/instrumentation'),
    import('@opentelemetry/instrumentation-pg'),
  ]);
  const spanProcessors =
    options.spanProcessors ??
    (await Promise.all(
      setting.exporters.map(async (name) =>
        name === 'console'
          ? new sdk.SimpleSpanProcessor(new sdk.ConsoleSpanExporter())
          : new sdk.BatchSpanProcessor(await otlpExporter(setting.protocol)),
      ),
    ));
  const detected = resources.detectResources({
    detectors: [
      resources.hostDetector,
      resources.osDetector,
      resources.processDetector,
      resources.serviceInstanceIdDetector,
      resources.envDetector,
    ],
  });
  const provider = new sdk.BasicTracerProvider({
    // The environment's service.name (OTEL_SERVICE_NAME, OTEL_RESOURCE_ATTRIBUTES) wins.
    resource: resources.resourceFromAttributes({ 'service.name': serviceName }).merge(detected),
    spanProcessors,
  });
  // The platform's call context is the one store of what work is under way.
  context.setGlobalContextManager(new CallContextManager().enable());
  trace.setGlobalTracerProvider(provider);
  const unregister = registerInstrumentations({
    tracerProvider: provider,
    instrumentations: [new PgInstrumentation({ requireParentSpan: true })],
  });
  return {
    shutdown: async () => {
      unregister();
      await provider.shutdown();
    },
  };
}

async function otlpExporter(protocol: Protocol): Promise<SpanExporter> {
  return protocol === 'http/json'
    ? new (await import('@opentelemetry/exporter-trace-otlp-http')).OTLPTraceExporter()
    : new (await import('@opentelemetry/exporter-trace-otlp-proto')).OTLPTraceExporter();
}

function listOf(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((name) => name.trim())
    .filter((name) => name !== '');
}

function isHttpUrl(value: string | undefined): boolean {
  try {
    return ['http:', 'https:'].includes(new URL(value ?? '').protocol);
  } catch {
    return false;
  }
}
