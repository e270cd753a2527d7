import {
  createTestEnvironment,
  freePort,
  spawnService,
  type ServiceProcess,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { ApiClient } from './api-client';
import { DOMAINS, entryOf, json, startMonolith } from './services';

/**
 * The monolith host: the four domains in one process, each on its own database, their RPCs and
 * events still over NATS, behind the gateway routing every domain to it. Fastify refuses a route
 * declared twice, so its start proves the domains' routes do not collide.
 */
describe('the monolith: four domains in one process, behind the gateway', () => {
  let env: TestEnvironment;
  let monolith: ServiceProcess;
  let gateway: ServiceProcess;
  let alice: ApiClient;
  let bob: ApiClient;

  beforeAll(async () => {
    env = await createTestEnvironment(DOMAINS);
    monolith = await startMonolith(env);
    gateway = await spawnService({
      name: 'gateway',
      entry: entryOf('gateway'),
      port: await freePort(),
      env: env.envWithoutDatabase({
        HOST: '127.0.0.1',
        GATEWAY_UPSTREAMS: DOMAINS.map((domain) => `${domain}=${monolith.url}`).join(','),
        GATEWAY_RATE_LIMIT_PER_USER: '0',
        GATEWAY_RATE_LIMIT_PER_IP: '0',
      }),
    });
    [alice, bob] = await Promise.all(
      ['alice', 'bob'].map((user) => ApiClient.as(`${gateway.url}/api/chat`, user)),
    );
  }, 90_000);

  afterAll(async () => {
    const codes = await Promise.all([gateway?.stop(), monolith?.stop()]);
    await env?.stop();
    expect(codes).toEqual([0, 0]);
  });

  it('is ready with a database per domain and the consumers of all four', async () => {
    const ready = await json<{ status: string; details: Record<string, { status: string }> }>(
      await fetch(`${monolith.url}/health/ready`),
    );
    expect(ready.status).toBe('ok');
    for (const domain of DOMAINS) {
      expect(ready.details[`database:${domain}`]).toEqual({ status: 'up' });
    }
    expect(ready.details['consumers']).toMatchObject({ status: 'up' });
  });

  it('answers /echo: chat → event → bots → RPC → chat, inside one process', async () => {
    const conversation = await alice.expect<{ id: string }>(201, 'POST', '/conversations', {
      title: 'one process',
      memberIds: ['bob'],
    });
    const command = await alice.say(conversation.id, '/echo hi');
    const reply = await alice.replyFrom(conversation.id, 'echo-bot', command);
    expect(reply.text).toBe('hi');
  }, 30_000);

  it("routes each domain's API to it: a story reply reaches the direct conversation", async () => {
    const story = await bob
      .on(`${gateway.url}/api/stories`)
      .expect<{ id: string }>(201, 'POST', '/stories', { text: 'sunset' });
    await alice
      .on(`${gateway.url}/api/stories`)
      .expect(201, 'POST', `/stories/${story.id}/replies`, { text: 'where?' });
    let texts: string[] = [];
    await waitFor(
      async () => {
        const mine = await alice.expect<{ items: { id: string; kind: string }[] }>(
          200,
          'GET',
          '/conversations',
        );
        const direct = mine.items.find((conversation) => conversation.kind === 'direct');
        texts = direct ? (await alice.messages(direct.id)).map((message) => message.text) : [];
        return texts.length > 0;
      },
      { timeoutMs: 10_000, message: 'the reply never reached a direct conversation' },
    );
    expect(texts).toEqual(['where?']);
  }, 30_000);
});
