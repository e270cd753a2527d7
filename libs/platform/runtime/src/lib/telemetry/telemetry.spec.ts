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
