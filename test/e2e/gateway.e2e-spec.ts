import {
  createTestEnvironment,
  type ServiceProcess,
  type TestEnvironment,
} from '@switchboard/platform-testing';
import { ApiClient } from './api-client';
import { startService } from './services';

/** The one public entry: the same user journey through the gateway, with real services behind it. */
describe('gateway: /api/<service>/<path> to real services', () => {
  let env: TestEnvironment;
  let chat: ServiceProcess;
  let bots: ServiceProcess;
  let gateway: ServiceProcess;
  let alice: ApiClient;

  beforeAll(async () => {
    env = await createTestEnvironment(['chat', 'bots', 'gateway']);
    [chat, bots] = await Promise.all([startService(env, 'chat'), startService(env, 'bots')]);
    gateway = await startService(env, 'gateway', {
      GATEWAY_UPSTREAMS: `chat=${chat.url},bots=${bots.url}`,
    });
    alice = await ApiClient.as(`${gateway.url}/api/chat`, 'alice');
  }, 90_000);

  afterAll(async () => {
    const codes = await Promise.all([gateway?.stop(), bots?.stop(), chat?.stop()]);
    await env?.stop();
    expect(codes).toEqual([0, 0, 0]);
  });

  it('serves a conversation and the echo-bot through the gateway', async () => {
    const conversation = await alice.expect<{ id: string }>(201, 'POST', '/conversations', {
      title: 'edge',
      memberIds: ['bob'],
    });
    const sent = await alice.say(conversation.id, '/echo through the edge');
    const reply = await alice.replyFrom(conversation.id, 'echo-bot', sent);
    expect(reply.text).toBe('through the edge');
  });

  it("passes a service's own errors through unchanged", async () => {
    const response = await alice.request('GET', '/conversations/not-a-uuid');
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
  });

  it('merges the services’ OpenAPI documents at /api/docs', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs`)).json()) as {
      paths: Record<string, unknown>;
      'x-unavailable': string[];
    };
    expect(document['x-unavailable']).toEqual([]);
    expect(Object.keys(document.paths)).toEqual(
      expect.arrayContaining(['/api/chat/conversations', '/api/bots/bots']),
    );
  });

  it('answers 503 UNAVAILABLE for a stopped service and keeps serving the others', async () => {
    expect(await bots.stop()).toBe(0);
    const botsApi = alice.on(`${gateway.url}/api/bots`);
    const down = await botsApi.request('GET', '/bots');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    const ready = await fetch(`${gateway.url}/health/ready`);
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      details: { upstreams: { status: 'down', bots: { status: 'down' }, chat: { status: 'up' } } },
    });
    expect((await alice.request('GET', '/conversations')).status).toBe(200);
    bots = await startService(env, 'bots');
  }, 30_000);
});
