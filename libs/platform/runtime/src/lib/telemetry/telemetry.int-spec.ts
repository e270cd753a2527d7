import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingHttpHeaders } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { promisify } from 'node:util';

interface Export {
  path: string;
  headers: IncomingHttpHeaders;
  body: Buffer;
}

const WORKSPACE = join(__dirname, '..', '..', '..', '..', '..', '..');

/**
 * The SDK as a service starts it, from the standard variables alone: a child process runs
 * `startTelemetry`, records one span and shuts down; the OTLP/HTTP endpoint is this test.
 */
describe('startTelemetry: traces exported as the OTEL_* variables say', () => {
  const exports: Export[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      exports.push({
        path: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks),
      });
      response.writeHead(200).end();
    });
  });

  beforeAll(async () => {
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
  });

  afterAll(async () => {
    server.close();
    await once(server, 'close');
  });

  async function runService(env: Record<string, string>): Promise<unknown> {
    const { stdout } = await promisify(execFile)(
      process.execPath,
      ['-r', require.resolve('@swc-node/register'), join(__dirname, 'export-one-span.fixture.ts')],
      {
        cwd: WORKSPACE,
        env: { ...process.env, SWC_NODE_PROJECT: join(WORKSPACE, 'tsconfig.base.json'), ...env },
        timeout: 60_000,
      },
    );
    return JSON.parse(stdout.trim().split('\n').pop() ?? '{}');
  }

  it('sends OTLP/HTTP protobuf to the endpoint under the resource the environment names, flushed by shutdown', async () => {
    const printed = await runService({
      OTEL_EXPORTER_OTLP_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
      OTEL_RESOURCE_ATTRIBUTES: 'deployment.environment.name=staging',
    });

    // The platform's call context is OpenTelemetry's context manager: one store, not two.
    expect(printed).toEqual({ started: true, callContextManager: true });
    expect(exports.map(({ path, headers }) => [path, headers['content-type']])).toEqual([
      ['/v1/traces', 'application/x-protobuf'],
    ]);
    // Protobuf keeps strings as they are: the span's name and the resource's attributes.
    const body = exports[0]?.body.toString('latin1') ?? '';
    for (const text of [
      'a-span-name-to-find',
      'service.name',
      'chat',
      'deployment.environment.name',
      'staging',
      'host.name',
      'process.pid',
    ]) {
      expect({ text, found: body.includes(text) }).toEqual({ text, found: true });
    }
  }, 90_000);

  it('sends JSON when OTEL_EXPORTER_OTLP_PROTOCOL says http/json, named as OTEL_SERVICE_NAME says', async () => {
    exports.length = 0;
    await runService({
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${(server.address() as AddressInfo).port}/custom/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_SERVICE_NAME: 'chat-canary',
    });

    expect(exports.map(({ path, headers }) => [path, headers['content-type']])).toEqual([
      ['/custom/traces', 'application/json'],
    ]);
    const document = JSON.parse(exports[0]?.body.toString() ?? '{}') as {
      resourceSpans: {
        resource: { attributes: { key: string; value: { stringValue?: string } }[] };
        scopeSpans: { spans: { name: string }[] }[];
      }[];
    };
    const [resourceSpans] = document.resourceSpans;
    expect(
      resourceSpans?.resource.attributes.find(({ key }) => key === 'service.name')?.value,
    ).toEqual({ stringValue: 'chat-canary' });
    expect(resourceSpans?.scopeSpans.flatMap(({ spans }) => spans.map(({ name }) => name))).toEqual(
      ['a-span-name-to-find'],
    );
  }, 90_000);
});
