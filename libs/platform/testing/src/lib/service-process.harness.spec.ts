import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isProcessRunning } from './child-process.util';
import { freePort } from './free-port.util';
import { spawnService, type ServiceProcess } from './service-process.harness';

jest.setTimeout(30_000);

let dir: string;
const services: ServiceProcess[] = [];

/** A stand-in for a built service: answers /health/ready with `readyStatus`, exits 0 on SIGTERM. */
function fakeService(options: { readyStatus?: number; ignoreSigterm?: boolean } = {}): string {
  return `
const http = require('node:http');
console.log('booting with GREETING=' + process.env.GREETING);
const server = http.createServer((req, res) => {
  res.writeHead(req.url === '/health/ready' ? ${options.readyStatus ?? 200} : 404).end();
});
server.listen(Number(process.env.PORT), '127.0.0.1', () => console.error('listening on ' + process.env.PORT));
process.on('SIGTERM', () => {
  console.log('SIGTERM received');
  ${options.ignoreSigterm ? '' : 'server.close(); process.exit(0);'}
});
`;
}

async function script(name: string, source: string): Promise<string> {
  const path = join(dir, name);
  await writeFile(path, source);
  return path;
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sb-service-spec-'));
});

afterEach(async () => {
  await Promise.all(services.splice(0).map((service) => service.stop('SIGKILL')));
  await rm(dir, { recursive: true, force: true });
});

describe('spawnService', () => {
  it('resolves once the service is ready, passing env and PORT, and stop() returns its exit code', async () => {
    const port = await freePort();
    const service = await spawnService({
      name: 'fake',
      entry: await script('main.js', fakeService()),
      env: { GREETING: 'hello' },
      port,
    });
    services.push(service);

    expect(service.url).toBe(`http://127.0.0.1:${port}`);
    expect((await fetch(`${service.url}/health/ready`)).status).toBe(200);
    expect(service.logs()).toEqual(
      expect.arrayContaining(['booting with GREETING=hello', `listening on ${port}`]),
    );

    expect(await service.stop()).toBe(0);
    expect(service.logs()).toContain('SIGTERM received');
    expect(isProcessRunning(service.pid)).toBe(false);
    expect(await service.waitForExit()).toBe(0);
  });

  it('polls the readyPath it is given', async () => {
    const entry = await script(
      'main.js',
      `require('node:http').createServer((req, res) => res.writeHead(req.url === '/up' ? 200 : 503).end())
        .listen(Number(process.env.PORT), '127.0.0.1');`,
    );
    const service = await spawnService({
      name: 'custom',
      entry,
      env: {},
      port: await freePort(),
      readyPath: '/up',
    });
    services.push(service);

    expect((await fetch(`${service.url}/up`)).status).toBe(200);
  });

  it('escalates to SIGKILL when the service ignores the stop signal', async () => {
    const service = await spawnService({
      name: 'stubborn',
      entry: await script('main.js', fakeService({ ignoreSigterm: true })),
      env: {},
      port: await freePort(),
    });
    services.push(service);

    expect(await service.stop('SIGTERM', 500)).toBeNull();
    expect(isProcessRunning(service.pid)).toBe(false);
  });

  it('rejects with the exit code and log tail when the service exits before it is ready', async () => {
    const entry = await script(
      'main.js',
      `console.error('Invalid config: DATABASE_URL is required'); process.exit(3);`,
    );

    const attempt = spawnService({ name: 'broken', entry, env: {}, port: await freePort() });

    await expect(attempt).rejects.toThrow(/"broken" exited \(code 3\)/);
    await expect(attempt).rejects.toThrow('Invalid config: DATABASE_URL is required');
  });

  it('rejects with the last response and stops the service when it never becomes ready', async () => {
    const port = await freePort();
    const entry = await script('main.js', fakeService({ readyStatus: 503 }));

    const attempt = spawnService({ name: 'unready', entry, env: {}, port, readyTimeoutMs: 1_000 });

    await expect(attempt).rejects.toThrow(/"unready" was not ready.*HTTP 503/);
    await expect(attempt).rejects.toThrow(`listening on ${port}`);
    await expect(fetch(`http://127.0.0.1:${port}/health/ready`)).rejects.toThrow();
  });

  it('rejects with a clear message when the entry was not built', async () => {
    await expect(
      spawnService({
        name: 'chat',
        entry: join(dir, 'missing/main.js'),
        env: {},
        port: await freePort(),
      }),
    ).rejects.toThrow(/"chat": entry .*missing\/main\.js does not exist/);
  });
});
