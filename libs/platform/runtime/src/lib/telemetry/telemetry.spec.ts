import { ConfigError } from '../config/service-config';
import { tracingRequested } from './telemetry';

describe('tracingRequested: tracing is off unless the OTEL_* variables ask for it', () => {
  const requested = (env: NodeJS.ProcessEnv) => tracingRequested('chat', env);

  it('is off with no OTEL_* variable (npm start records and costs nothing)', () => {
    expect(requested({})).toBe(false);
  });

  it('is on with an OTLP endpoint, for all signals or for traces', () => {
    expect(requested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' })).toBe(true);
    expect(requested({ OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: 'https://x/v1/traces' })).toBe(true);
  });

  it('is on with a named exporter, off with none or when the SDK is disabled', () => {
    expect(requested({ OTEL_TRACES_EXPORTER: 'console' })).toBe(true);
    expect(
      requested({ OTEL_TRACES_EXPORTER: 'none', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
    expect(
      requested({ OTEL_SDK_DISABLED: 'TRUE', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://c:4318' }),
    ).toBe(false);
  });

  it('refuses an endpoint that is not an http(s) URL, naming the key', () => {
    const attempt = () => requested({ OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT: must be an http\(s\) URL/);
  });
});

describe('tracingRequested: what this set-up cannot honour stops the service at boot', () => {
  const requested = (env: NodeJS.ProcessEnv) => tracingRequested('chat', env);
  const endpoint = { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://collector:4318' };

  it('takes OTLP over HTTP, protobuf or JSON, for all signals or for traces', () => {
    expect(requested({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' })).toBe(true);
    expect(requested({ ...endpoint, OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'http/protobuf' })).toBe(
      true,
    );
  });

  it('refuses gRPC (not bundled) instead of starting and exporting nothing', () => {
    const attempt = () => requested({ ...endpoint, OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow(/OTEL_EXPORTER_OTLP_PROTOCOL: must be http\/protobuf or http\/json/);
    // The traces-only key wins over the general one, and is the one named.
    expect(() =>
      requested({
        ...endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        OTEL_EXPORTER_OTLP_TRACES_PROTOCOL: 'grpc',
      }),
    ).toThrow(/OTEL_EXPORTER_OTLP_TRACES_PROTOCOL/);
  });

  it('refuses an exporter it does not know, naming it', () => {
    expect(() => requested({ OTEL_TRACES_EXPORTER: 'otlp,zipkin' })).toThrow(
      /OTEL_TRACES_EXPORTER: must be otlp, console, none \(comma-separated\), got "zipkin"/,
    );
  });

  it('checks nothing while the SDK is disabled', () => {
    expect(requested({ OTEL_SDK_DISABLED: 'true', OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBe(
      false,
    );
  });
});

describe('tracingRequested: settings for other programs do not stop a service that does not trace', () => {
  it('ignores the OTLP protocol while tracing is off, or when only the console exporter is used', () => {
    expect(tracingRequested('chat', { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' })).toBe(false);
    expect(
      tracingRequested('chat', {
        OTEL_TRACES_EXPORTER: 'console',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc',
      }),
    ).toBe(true);
  });
});
