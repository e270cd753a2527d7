import { Chat } from '@switchboard/contracts';
import { signDevToken } from '@switchboard/platform-auth';
import {
  createTestEnvironment,
  type ServiceProcess,
  TEST_JWT_SECRET,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import WebSocket from 'ws';
import { ApiClient } from './api-client';
import { startService } from './services';

interface Frame {
  type: string;
  cursor?: string;
  subject?: string;
  data: { message?: { conversationId: string; text: string; sender: { id: string } } };
}

/** A user's `/ws` socket on the gateway, keeping every frame it received. */
async function socketOf(
  gatewayUrl: string,
  user: string,
): Promise<{ frames: Frame[]; ws: WebSocket }> {
  const token = await signDevToken(user, TEST_JWT_SECRET);
  const ws = new WebSocket(`${gatewayUrl.replace('http', 'ws')}/ws?access_token=${token}`);
  const frames: Frame[] = [];
  ws.on('message', (data) => frames.push(JSON.parse(String(data)) as Frame));
  await waitFor(() => frames.some((frame) => frame.type === 'ready'), {
    timeoutMs: 10_000,
    message: `${user}'s socket got no ready frame`,
  });
  return { frames, ws };
}

/** The texts of the chat messages a socket received in one conversation, in order. */
function textsIn(frames: Frame[], conversationId: string): string[] {
  return frames
    .filter(
      (frame) => frame.type === 'event' && frame.data.message?.conversationId === conversationId,
    )
    .filter((frame) => frame.subject === Chat.MessageCreated.subject)
    .map((frame) => `${frame.data.message?.sender.id}: ${frame.data.message?.text}`);
}

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

  it('pushes what is posted over HTTP to the members’ sockets, the bot’s reply too, and to nobody else', async () => {
    const [bob, carol] = await Promise.all([
      socketOf(gateway.url, 'bob'),
      socketOf(gateway.url, 'carol'),
    ]);
    const conversation = await alice.expect<{ id: string }>(201, 'POST', '/conversations', {
      title: 'live',
      memberIds: ['bob'],
    });
    await alice.say(conversation.id, 'hello bob');
    await alice.say(conversation.id, '/echo live');
    const expected = ['alice: hello bob', 'alice: /echo live', 'echo-bot: live'];
    await waitFor(() => textsIn(bob.frames, conversation.id).length >= expected.length, {
      timeoutMs: 15_000,
      message: 'bob did not receive the messages and the reply over /ws',
    });
    expect(textsIn(bob.frames, conversation.id)).toEqual(expected);
    // Every frame carries the cursor a reconnecting client resumes from.
    expect(
      bob.frames.filter((frame) => frame.type === 'event').every((frame) => frame.cursor),
    ).toBe(true);
    // Carol is connected to the same gateway but not a member: nothing of it reaches her.
    expect(carol.frames.filter((frame) => frame.type === 'event')).toEqual([]);
    bob.ws.close();
    carol.ws.close();
  }, 30_000);

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
