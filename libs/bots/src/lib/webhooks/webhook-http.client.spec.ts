import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type LookupAddress, type lookup } from 'node:dns';
import {
  publicOnlyLookup,
  WebhookHttpClient,
  type WebhookHttpRequest,
} from './webhook-http.client';

/** The client against a local server: what reaches it, and what comes back. */
describe('WebhookHttpClient', () => {
  let server: Server;
  let port: number;
  const received: string[] = [];
  const client = new WebhookHttpClient();

  beforeAll(async () => {
    server = createServer((req, res) => {
      received.push(req.url ?? '');
      if (req.url === '/redirect') {
        res.writeHead(302, { Location: '/target' }).end();
      } else if (req.url === '/big') {
        res.writeHead(200).end('x'.repeat(2_000));
      } else if (req.url === '/hang') {
        // never answers
      } else {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => res.writeHead(200).end(JSON.stringify({ echoed: body })));
      }
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });

  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((resolve) => server.close(resolve));
  });

  beforeEach(() => (received.length = 0));

  const post = (path: string, overrides: Partial<WebhookHttpRequest> = {}) =>
    client.post({
      url: `http://localhost:${port}${path}`,
      headers: { 'Content-Type': 'application/json' },
      body: '{"a":1}',
      timeoutMs: 1_000,
      allowPrivate: true,
      maxResponseBytes: 1_000,
      ...overrides,
    });

  it('POSTs the body and returns status and body', async () => {
    await expect(post('/echo')).resolves.toEqual({
      kind: 'response',
      status: 200,
      body: JSON.stringify({ echoed: '{"a":1}' }),
    });
  });

  it('refuses at connect time a host that resolves to a private address, sending nothing', async () => {
    const result = await post('/echo', { allowPrivate: false });
    expect(result).toEqual({
      kind: 'refused-address',
      message: expect.stringMatching(/localhost/),
    });
    expect(received).toEqual([]);
  });

  it.each(['127.0.0.1', '[::1]', '[::ffff:127.0.0.1]'])(
    'refuses the non-public IP literal %s, sending nothing',
    async (host) => {
      const result = await post('/echo', {
        url: `http://${host}:${port}/echo`,
        allowPrivate: false,
      });
      expect(result).toMatchObject({ kind: 'refused-address' });
      expect(received).toEqual([]);
    },
  );

  it('does not follow redirects', async () => {
    await expect(post('/redirect')).resolves.toMatchObject({ kind: 'response', status: 302 });
    expect(received).toEqual(['/redirect']);
  });

  it('gives up on a server that does not answer in time', async () => {
    const started = Date.now();
    await expect(post('/hang', { timeoutMs: 200 })).resolves.toEqual({ kind: 'timeout' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(190);
    expect(Date.now() - started).toBeLessThan(1_000);
  });

  it('stops reading an answer that is too large', async () => {
    await expect(post('/big')).resolves.toEqual({ kind: 'too-large', status: 200 });
  });

  it('reports a refused connection as a network error', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const closedPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    await expect(post('/', { url: `http://127.0.0.1:${closedPort}/` })).resolves.toEqual({
      kind: 'network',
      message: expect.stringMatching(/ECONNREFUSED/),
    });
  });

  describe('the connect-time lookup', () => {
    const resolvingTo = (...addresses: LookupAddress[]) =>
      ((_host: string, _options: unknown, callback: (e: null, a: LookupAddress[]) => void) =>
        callback(null, addresses)) as unknown as typeof lookup;
    const run = (resolve: typeof lookup, all: boolean) =>
      new Promise<{ error: Error | null; address: unknown; family?: number }>((done) =>
        publicOnlyLookup(resolve)('hook.example', { all }, (error, address, family) =>
          done({ error, address, family }),
        ),
      );

    it('hands public addresses to the socket, in the form it asked for', async () => {
      const resolve = resolvingTo(
        { address: '93.184.216.34', family: 4 },
        { address: '2606:2800:220:1::1', family: 6 },
      );
      await expect(run(resolve, true)).resolves.toMatchObject({
        error: null,
        address: [
          { address: '93.184.216.34', family: 4 },
          { address: '2606:2800:220:1::1', family: 6 },
        ],
      });
      await expect(run(resolve, false)).resolves.toEqual({
        error: null,
        address: '93.184.216.34',
        family: 4,
      });
    });

    it('fails when any address is not public (a rebinding answer mixes them)', async () => {
      const resolve = resolvingTo(
        { address: '93.184.216.34', family: 4 },
        { address: '169.254.169.254', family: 4 },
      );
      const { error } = await run(resolve, true);
      expect(error?.message).toMatch(/169\.254\.169\.254/);
    });
  });
});
