import { signDevToken } from '@switchboard/platform-auth';
import {
  createTestEnvironment,
  freePort,
  spawnService,
  type ServiceProcess,
  TEST_JWT_SECRET,
  type TestEnvironment,
  WORKSPACE_ROOT,
} from '@switchboard/platform-testing';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gateThroughGateways } from './gate';

const RULES = { gateSeconds: 2, gateMaxErrorRate: 0.01, gateMinRequests: 1 };

/**
 * The health gate of the Pulumi targets, against a real gateway process (from the build) whose
 * counters run since it started: a stand-in release behind it answers well or with 500s, and is
 * ready or not, as each case needs.
 */
describe('the health gate through the gateway (docker and kubernetes targets)', () => {
  let env: TestEnvironment;
  let gateway: ServiceProcess;
  let release: Server;
  let answer = 200;
  let ready = 200;
  let token: string;

  /** Requests through the gateway to the release until stopped. */
  function load(): { stop(): Promise<number> } {
    let running = true;
    let sent = 0;
    const worker = (async () => {
      while (running) {
        const response = await fetch(`${gateway.url}/api/chat/conversations`, {
          headers: { authorization: `Bearer ${token}` },
        });
        await response.arrayBuffer();
        sent++;
      }
    })();
    return {
      async stop() {
        running = false;
        await worker;
        return sent;
      },
    };
  }

  beforeAll(async () => {
    env = await createTestEnvironment([]);
    release = createServer((request, response) => {
      const status = request.url === '/health/ready' ? ready : answer;
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => release.listen(port, '127.0.0.1', resolve));
    gateway = await spawnService({
      name: 'gateway',
      entry: join(WORKSPACE_ROOT, 'dist', 'services', 'gateway', 'main.js'),
      port: await freePort(),
      env: env.envWithoutDatabase({
        HOST: '127.0.0.1',
        // As in the deployed stacks: a stable address, no upstreams bucket.
        GATEWAY_UPSTREAMS: `chat=http://127.0.0.1:${port}`,
        GATEWAY_UPSTREAMS_BUCKET: '',
        GATEWAY_RATE_LIMIT_PER_USER: '0',
        GATEWAY_RATE_LIMIT_PER_IP: '0',
      }),
    });
    token = await signDevToken('alice', TEST_JWT_SECRET);
  }, 60_000);

  afterAll(async () => {
    await gateway?.stop();
    await new Promise((resolve) => release?.close(resolve));
    await env?.stop();
  });

  beforeEach(() => {
    answer = 200;
    ready = 200;
  });

  it('passes a release that answers well, counting only what came after the gate began', async () => {
    // 5xx from before this release went out: in the gateway's counters, not this release's.
    answer = 500;
    await load().stop();
    const early = load();
    await new Promise((resolve) => setTimeout(resolve, 300));
    await early.stop();
    answer = 200;
    const traffic = load();
    const problem = await gateThroughGateways([gateway.url], 'chat', RULES);
    expect(await traffic.stop()).toBeGreaterThan(10);
    expect(problem).toBeUndefined();
  });

  it('fails a release that answers 5xx under traffic, saying how many and where', async () => {
    answer = 500;
    const traffic = load();
    const problem = await gateThroughGateways([gateway.url], 'chat', RULES);
    await traffic.stop();
    expect(problem).toMatch(
      new RegExp(
        `^\\d+ of \\d+ requests answered 5xx \\(100\\.0 % > 1\\.0 %\\) through ${gateway.url}$`,
      ),
    );
  });

  it('fails a release the gateway sees as not ready', async () => {
    ready = 503;
    expect(await gateThroughGateways([gateway.url], 'chat', RULES)).toBe(
      `the gateway ${gateway.url} sees chat down`,
    );
  });

  it('fails when a gateway does not answer', async () => {
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    expect(await gateThroughGateways([nowhere], 'chat', RULES)).toBe(
      `the gateway ${nowhere} did not answer /health/ready`,
    );
  });
});
