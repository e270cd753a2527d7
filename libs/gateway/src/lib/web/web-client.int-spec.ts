import { startNatsServer, type TestNatsServer } from '@switchboard/platform-testing';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startTestGateway, type TestGateway } from '../testing/gateway-app.harness';

/** A gateway serving the client in `webRoot`; no service behind `/api` is needed for these checks. */
function gatewayWith(nats: TestNatsServer, webRoot: string): Promise<TestGateway> {
  return startTestGateway(nats.url, {
    GATEWAY_UPSTREAMS: 'chat=http://127.0.0.1:9',
    GATEWAY_WEB_ROOT: webRoot,
  });
}

describe('gateway: the web client at /', () => {
  let nats: TestNatsServer;
  let folder: string;
  let built: TestGateway;
  let missing: TestGateway;

  beforeAll(async () => {
    folder = mkdtempSync(join(tmpdir(), 'switchboard-web-'));
    mkdirSync(join(folder, 'client', 'assets'), { recursive: true });
    writeFileSync(join(folder, 'client', 'index.html'), '<!doctype html><title>demo</title>');
    writeFileSync(join(folder, 'client', 'assets', 'index-abc123.js'), 'console.log(1);');
    writeFileSync(join(folder, 'client', '.env'), 'SECRET=1');
    mkdirSync(join(folder, 'empty'));
    nats = await startNatsServer();
    [built, missing] = await Promise.all([
      gatewayWith(nats, join(folder, 'client')),
      gatewayWith(nats, join(folder, 'empty')),
    ]);
  }, 30_000);

  afterAll(async () => {
    await Promise.all([built?.service.app.close(), missing?.service.app.close()]);
    await nats?.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  it('serves index.html at / uncached, and hashed assets as immutable', async () => {
    const page = await fetch(`${built.base}/`);
    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(page.headers.get('cache-control')).toBe('no-cache');
    expect(await page.text()).toContain('<title>demo</title>');
    const asset = await fetch(`${built.base}/assets/index-abc123.js`);
    expect(asset.status).toBe(200);
    expect(asset.headers.get('content-type')).toMatch(/javascript/);
    expect(asset.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  });

  it('leaves /api, /health and unknown paths to their own handlers', async () => {
    const api = await fetch(`${built.base}/api/chat/conversations`);
    expect(api.status).toBe(401);
    expect(await api.json()).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
    const live = await fetch(`${built.base}/health/live`);
    expect(live.status).toBe(200);
    for (const path of ['/nothing-here.js', '/.env', '/health/nope']) {
      const response = await fetch(`${built.base}${path}`);
      expect({ path, status: response.status }).toEqual({ path, status: 404 });
      expect(await response.json()).toMatchObject({ code: 'NOT_FOUND' });
    }
  });

  it('answers / with a 404 envelope saying how to build the client when there is none', async () => {
    const response = await fetch(`${missing.base}/`);
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({
      code: 'GATEWAY.WEB_CLIENT_NOT_BUILT',
      retriable: false,
      message: expect.stringContaining('nx build gateway'),
    });
    // The API still works on that gateway.
    expect((await fetch(`${missing.base}/api/chat/conversations`)).status).toBe(401);
  });
});
