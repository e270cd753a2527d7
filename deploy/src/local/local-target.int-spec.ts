import { signDevToken } from '@switchboard/platform-auth';
import {
  createTestEnvironment,
  freePort,
  spawnService,
  type ServiceProcess,
  TEST_JWT_SECRET,
  type TestEnvironment,
} from '@switchboard/platform-testing';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { gatewayReadiness } from '../run/gate';
import { WORKSPACE } from '../testing/workspace-copy';
import { LocalEnvironment } from './local-environment';
import { LocalTarget } from './local-target';

/**
 * The local target's switch and gate for a process hosting several domains (the monolith), against
 * a real gateway watching the upstreams bucket on a real NATS: one release takes over every route
 * of its domains at once, its answers on all of them are judged together, and handing them back
 * restores the configured upstreams.
 */
describe('the local target switching a process of several domains', () => {
  let env: TestEnvironment;
  let gateway: ServiceProcess;
  let release: Server;
  let releaseUrl: string;
  let target: LocalTarget;
  let token: string;
  let botsAnswer = 200;
  const hits: string[] = [];

  const get = async (path: string) => {
    const response = await fetch(`${gateway.url}${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    await response.arrayBuffer();
    return response.status;
  };
  const upstreams = async () =>
    (await gatewayReadiness(gateway.url))?.details?.upstreams as Record<
      string,
      { release?: string }
    >;

  beforeAll(async () => {
    env = await createTestEnvironment([]);
    release = createServer((request, response) => {
      hits.push(request.url ?? '');
      // The gateway strips /api/<domain>: /api/bots/bots arrives as /bots.
      const status = request.url?.startsWith('/bots') ? botsAnswer : 200;
      response.writeHead(status, { 'content-type': 'application/json' }).end('{}');
    });
    const port = await freePort();
    await new Promise<void>((resolve) => release.listen(port, '127.0.0.1', resolve));
    releaseUrl = `http://127.0.0.1:${port}`;
    const environment = LocalEnvironment.parse({ natsUrl: env.nats.url, gateSeconds: 1 });
    // Opening the target creates the bucket the gateway then watches.
    target = await LocalTarget.open(environment);
    const nowhere = `http://127.0.0.1:${await freePort()}`;
    gateway = await spawnService({
      name: 'gateway',
      entry: join(WORKSPACE, 'dist', 'services', 'gateway', 'main.js'),
      port: await freePort(),
      env: env.envWithoutDatabase({
        HOST: '127.0.0.1',
        GATEWAY_UPSTREAMS: `chat=${nowhere},bots=${nowhere}`,
        GATEWAY_RATE_LIMIT_PER_USER: '0',
        GATEWAY_RATE_LIMIT_PER_IP: '0',
      }),
    });
    // The target's gateways: this one.
    (environment.gateways as string[]).splice(0, 1, gateway.url);
    token = await signDevToken('alice', TEST_JWT_SECRET);
  }, 60_000);

  afterAll(async () => {
    await target?.close();
    await gateway?.stop();
    await new Promise((resolve) => release?.close(resolve));
    await env?.stop();
  });

  it('moves every domain of the process to the release in one switch', async () => {
    // Nothing listens at the configured upstreams.
    expect(await get('/api/chat/conversations')).toBe(503);
    await target.switchTo(['chat', 'bots'], [releaseUrl], 'a'.repeat(40));
    expect(await get('/api/chat/conversations')).toBe(200);
    expect(await get('/api/bots/bots')).toBe(200);
    expect(hits.filter((path) => !path.startsWith('/health'))).toEqual(['/conversations', '/bots']);
    const seen = await upstreams();
    expect([seen['chat']?.release, seen['bots']?.release]).toEqual([
      'a'.repeat(40),
      'a'.repeat(40),
    ]);
  });

  it('judges the answers of all its domains together in the health gate', async () => {
    botsAnswer = 500;
    const load = (async () => {
      for (let i = 0; i < 20; i++)
        await get(i % 2 === 0 ? '/api/chat/conversations' : '/api/bots/bots');
    })();
    await load;
    // The first test's two requests count too: the gateway counts since the switch.
    expect(await target.gate(['chat', 'bots'], releaseUrl, process.pid)).toMatch(
      /10 of 22 requests answered 5xx/,
    );
    // Chat alone answered well: judging one domain of the process would have let it through.
    expect(await target.gate(['chat'], releaseUrl, process.pid)).toBeUndefined();
    botsAnswer = 200;
  });

  it('hands every domain back to the configured upstreams', async () => {
    await target.switchToConfigured(['chat', 'bots']);
    const seen = await upstreams();
    expect([seen['chat']?.release, seen['bots']?.release]).toEqual([undefined, undefined]);
    expect(await get('/api/bots/bots')).toBe(503);
  });
});
