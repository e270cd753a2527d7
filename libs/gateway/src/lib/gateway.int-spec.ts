import { Gateway } from '@switchboard/contracts';
import { signDevToken } from '@switchboard/platform-auth';
import { type ServiceApp } from '@switchboard/platform-runtime';
import {
  freePort,
  startNatsServer,
  TEST_JWT_SECRET,
  type TestNatsServer,
  waitFor,
} from '@switchboard/platform-testing';
import { connect, type NatsConnection } from 'nats';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { startTestGateway } from './testing/gateway-app.harness';

/** What a fake service saw of one request. */
interface Seen {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A stand-in for a service: answers every request with what it received, after `delayMs`. */
async function fakeService(
  name: string,
  delayMs = 0,
): Promise<{ server: Server; url: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry = {
        method: request.method ?? '',
        url: request.url ?? '',
        headers: request.headers,
        body: Buffer.concat(chunks).toString(),
      };
      seen.push(entry);
      const timer = setTimeout(
        () => {
          if (request.url === '/health/ready') {
            response.writeHead(200, { 'content-type': 'application/json' }).end('{"status":"ok"}');
            return;
          }
          response
            .writeHead(201, { 'content-type': 'application/json', 'x-served-by': name })
            .end(JSON.stringify({ service: name, ...entry, headers: undefined }));
        },
        request.url === '/health/ready' ? 0 : delayMs,
      );
      timer.unref();
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

describe('gateway HTTP edge (real nats-server, fake services over HTTP)', () => {
  let nats: TestNatsServer;
  let gateway: ServiceApp;
  let base: string;
  let chat: Awaited<ReturnType<typeof fakeService>>;
  let slow: Awaited<ReturnType<typeof fakeService>>;
  let backup: Awaited<ReturnType<typeof fakeService>>;
  let closedPort: number;
  let token: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    [chat, slow, backup] = await Promise.all([
      fakeService('chat'),
      fakeService('slow', 3_000),
      fakeService('backup'),
    ]);
    closedPort = await freePort();
    const down = `http://127.0.0.1:${closedPort}`;
    ({ service: gateway, base } = await startTestGateway(nats.url, {
      GATEWAY_UPSTREAMS: `chat=${chat.url},slow=${slow.url},down=${down},spare=${down}|${backup.url}`,
      GATEWAY_UPSTREAM_TIMEOUT_MS: '1500',
      GATEWAY_RATE_LIMIT_PER_USER: '20',
      GATEWAY_CORS_ORIGINS: 'https://app.example.com',
    }));
    token = await signDevToken('alice', TEST_JWT_SECRET);
  }, 30_000);

  afterAll(async () => {
    await gateway?.app.close();
    for (const fake of [chat, slow, backup]) {
      fake?.server.closeAllConnections();
      fake?.server.close();
    }
    await nats?.stop();
  });

  const call = (path: string, init: RequestInit = {}, user = token) =>
    fetch(`${base}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${user}`, ...(init.headers as Record<string, string>) },
    });

  it("routes /api/<service>/<path> to the service's own path, body and answer passed through", async () => {
    const response = await call('/api/chat/conversations/c1/messages?limit=5', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-request-id': 'req-42' },
      body: JSON.stringify({ text: 'hi' }),
    });
    expect(response.status).toBe(201);
    expect(response.headers.get('x-served-by')).toBe('chat');
    expect(response.headers.get('x-request-id')).toBe('req-42');
    const seen = chat.seen.at(-1) as Seen;
    expect(seen).toMatchObject({
      method: 'POST',
      url: '/conversations/c1/messages?limit=5',
      body: '{"text":"hi"}',
    });
    // The service verifies the same token again, and learns the request id and the trace.
    expect(seen.headers['authorization']).toBe(`Bearer ${token}`);
    expect(seen.headers['x-request-id']).toBe('req-42');
    expect(seen.headers['traceparent']).toMatch(/^00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]$/);
    expect(seen.headers['x-forwarded-for']).toBe('127.0.0.1');
  });

  it("forwards the caller's deadline, capped by the gateway's own time-out", async () => {
    const soon = Date.now() + 800;
    await call('/api/chat/x', { headers: { 'switchboard-deadline': String(soon) } });
    expect(Number(chat.seen.at(-1)?.headers['switchboard-deadline'])).toBe(soon);
    const before = Date.now();
    await call('/api/chat/x', { headers: { 'switchboard-deadline': String(before + 3_600_000) } });
    const capped = Number(chat.seen.at(-1)?.headers['switchboard-deadline']);
    expect(capped).toBeGreaterThanOrEqual(before + 1_500);
    expect(capped).toBeLessThan(before + 3_000);
    const bad = await call('/api/chat/x', { headers: { 'switchboard-deadline': 'in 5s' } });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ code: 'GATEWAY.INVALID_DEADLINE' });
  });

  it('verifies the token before anything reaches a service; documents are public', async () => {
    const before = chat.seen.length;
    const anonymous = await fetch(`${base}/api/chat/conversations`);
    expect(anonymous.status).toBe(401);
    expect(await anonymous.json()).toMatchObject({
      code: 'AUTH.UNAUTHENTICATED',
      retriable: false,
    });
    const forged = await call(
      '/api/chat/conversations',
      {},
      await signDevToken('alice', 'another-secret-of-at-least-32-characters'),
    );
    expect(forged.status).toBe(401);
    expect(chat.seen.length).toBe(before);
    expect((await fetch(`${base}/api/chat/docs/openapi.json`)).status).toBe(201);
  });

  it('answers 404 for an unknown service and for internal paths', async () => {
    const unknown = await call('/api/nope/things');
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ code: 'GATEWAY.UNKNOWN_SERVICE' });
    const seen = chat.seen.length;
    for (const path of ['/api/chat/health/ready', '/api/chat/metrics', '/api/chat/metrics?x=1']) {
      const internal = await call(path);
      expect(internal.status).toBe(404);
      expect(await internal.json()).toMatchObject({ code: 'GATEWAY.NOT_ROUTED' });
    }
    // Refused at the edge: the service never saw them.
    expect(chat.seen.length).toBe(seen);
  });

  it('answers 503 UNAVAILABLE when the service is down, 504 DEADLINE_EXCEEDED when it is slow', async () => {
    const down = await call('/api/down/things');
    expect(down.status).toBe(503);
    expect(await down.json()).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    const started = Date.now();
    const late = await call('/api/slow/things', {
      headers: { 'switchboard-deadline': String(Date.now() + 300) },
    });
    expect(late.status).toBe(504);
    expect(await late.json()).toMatchObject({ code: 'DEADLINE_EXCEEDED', retriable: true });
    expect(Date.now() - started).toBeLessThan(2_500);
  });

  it('retries an idempotent request on the next replica when it cannot connect, never a POST', async () => {
    // Round-robin starts on either replica: two GETs meet the dead one at least once.
    for (let i = 0; i < 2; i++) {
      const response = await call('/api/spare/things');
      expect(response.status).toBe(201);
      expect(response.headers.get('x-served-by')).toBe('backup');
    }
    const posts = await Promise.all(
      [0, 1].map(() =>
        call('/api/spare/things', {
          method: 'POST',
          body: '{}',
          headers: { 'content-type': 'application/json' },
        }),
      ),
    );
    expect(posts.map((response) => response.status).sort()).toEqual([201, 503]);
  });

  it('limits requests per user with 429 and Retry-After', async () => {
    const bob = await signDevToken('bob', TEST_JWT_SECRET);
    const statuses: number[] = [];
    let refused: Response | undefined;
    for (let i = 0; i < 22; i++) {
      const response = await call('/api/chat/x', {}, bob);
      statuses.push(response.status);
      if (response.status === 429) refused ??= response;
      else await response.arrayBuffer();
    }
    expect(statuses.filter((status) => status === 201)).toHaveLength(20);
    expect(refused?.headers.get('retry-after')).toMatch(/^[1-9]\d*$/);
    expect(await refused?.json()).toMatchObject({ code: 'GATEWAY.RATE_LIMITED', retriable: true });
    // Another user is not affected.
    expect((await call('/api/chat/x')).status).toBe(201);
  });

  it('answers CORS preflights for the configured origins only', async () => {
    const preflight = (origin: string) =>
      fetch(`${base}/api/chat/conversations`, {
        method: 'OPTIONS',
        headers: {
          origin,
          'access-control-request-method': 'POST',
          'access-control-request-headers': 'authorization,content-type',
        },
      });
    const allowed = await preflight('https://app.example.com');
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://app.example.com');
    const other = await preflight('https://evil.example.com');
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('issues development tokens outside production, validating the body', async () => {
    const issued = await fetch(`${base}/api/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: 'carol' }),
    });
    expect(issued.status).toBe(201);
    const { token: carol } = (await issued.json()) as { token: string };
    expect((await call('/api/chat/x', {}, carol)).status).toBe(201);
    const bad = await fetch(`${base}/api/dev/token`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ userId: '' }),
    });
    expect(bad.status).toBe(400);
  });

  it('is ready without a database, and shows each upstream in its readiness', async () => {
    const response = await fetch(`${base}/health/ready`);
    expect(response.status).toBe(200);
    const body = (await response.json()) as { details: Record<string, Record<string, unknown>> };
    expect(body.details['database']).toBeUndefined();
    expect(body.details['nats']).toMatchObject({ status: 'up' });
    expect(body.details['upstreams']).toMatchObject({
      status: 'down',
      chat: { status: 'up' },
      down: { status: 'down' },
      spare: { status: 'up', ready: 1, replicas: 2 },
    });
  });
});

describe('gateway upstreams switched through the NATS KV bucket (no restart)', () => {
  let nats: TestNatsServer;
  let nc: NatsConnection;
  let gateway: ServiceApp;
  let base: string;
  let blue: Awaited<ReturnType<typeof fakeService>>;
  let green: Awaited<ReturnType<typeof fakeService>>;
  let token: string;

  beforeAll(async () => {
    nats = await startNatsServer();
    nc = await connect({ servers: nats.url });
    [blue, green] = await Promise.all([fakeService('blue'), fakeService('green')]);
    // Started before the bucket exists, as on a fresh machine before the first deploy.
    ({ service: gateway, base } = await startTestGateway(nats.url, {
      GATEWAY_UPSTREAMS: `echo=${blue.url}`,
    }));
    token = await signDevToken('alice', TEST_JWT_SECRET);
  }, 30_000);

  afterAll(async () => {
    await gateway?.app.close();
    for (const fake of [blue, green]) {
      fake?.server.closeAllConnections();
      fake?.server.close();
    }
    await nc?.close();
    await nats?.stop();
  });

  const servedBy = async (): Promise<string | null> => {
    const response = await fetch(`${base}/api/echo/x`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
    return response.headers.get('x-served-by');
  };
  interface Upstreams {
    revision: number;
    echo: { release?: string; traffic: { requests: number; serverErrors: number } };
  }
  const upstreams = async (): Promise<Upstreams> => {
    const body = (await (await fetch(`${base}/health/ready`)).json()) as {
      details: { upstreams: Upstreams };
    };
    return body.details.upstreams;
  };

  it('follows each put and delete of its key, and keeps serving through a bad entry', async () => {
    expect(await servedBy()).toBe('blue');
    const kv = await nc.jetstream().views.kv(Gateway.UPSTREAMS_BUCKET);

    const switched = await kv.put(
      'echo',
      JSON.stringify({ urls: [green.url], release: 'green-1' }),
    );
    await waitFor(async () => (await servedBy()) === 'green', { timeoutMs: 10_000 });
    expect(await upstreams()).toMatchObject({ revision: switched, echo: { release: 'green-1' } });

    const bad = await kv.put('echo', JSON.stringify({ urls: ['ftp://nowhere'] }));
    await waitFor(async () => (await upstreams()).revision === bad);
    expect(await servedBy()).toBe('green');

    // The health gate's figures: counted per release since the switch, the gateway's 503s included.
    const closed = `http://127.0.0.1:${await freePort()}`;
    await kv.put('echo', JSON.stringify({ urls: [closed], release: 'broken-2' }));
    await waitFor(async () => (await upstreams()).echo.release === 'broken-2');
    expect(await servedBy()).toBeNull();
    expect((await upstreams()).echo.traffic).toEqual({ requests: 1, serverErrors: 1 });

    await kv.delete('echo');
    await waitFor(async () => (await servedBy()) === 'blue');
    expect((await upstreams()).echo.release).toBeUndefined();
  }, 30_000);
});
