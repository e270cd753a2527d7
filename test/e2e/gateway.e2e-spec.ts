import { Parser } from '@asyncapi/parser';
import { Chat } from '@switchboard/contracts';
import { signDevToken } from '@switchboard/platform-auth';
import { type ServiceProcess, TEST_JWT_SECRET, waitFor } from '@switchboard/platform-testing';
import WebSocket from 'ws';
import { ApiClient } from './api-client';
import { e2eTopology, hostedTogether, startGateway, startSystem, type System } from './system';

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

/**
 * The one public entry: the same user journey through the gateway, with real processes behind it —
 * in every topology, and a client cannot tell which one it is talking to.
 */
describe(`gateway: /api/<domain>/<path> to real processes (${e2eTopology()})`, () => {
  let system: System;
  let gateway: ServiceProcess;
  let alice: ApiClient;

  beforeAll(async () => {
    // At info, where requests are logged (the harness's default is warn).
    const info = { LOG_LEVEL: 'info' };
    system = await startSystem(['chat', 'bots'], { chat: info, bots: info });
    gateway = await startGateway(system);
    alice = await ApiClient.as(`${gateway.url}/api/chat`, 'alice');
  }, 90_000);

  afterAll(async () => {
    const codes = [await gateway?.stop(), ...((await system?.stop()) ?? [])];
    expect(codes.every((code) => code === 0)).toBe(true);
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

  it('keeps each domain to its own routes: /api/chat/bots is not bots’ /bots, whoever hosts both', async () => {
    const foreign = await alice.request('GET', '/bots');
    expect(foreign.status).toBe(404);
    expect(foreign.body).toMatchObject({ code: 'NOT_FOUND', retriable: false });
    expect((await alice.on(`${gateway.url}/api/bots`).request('GET', '/bots')).status).toBe(200);
  });

  it('merges the domains’ OpenAPI documents at /api/docs, each with its own paths only', async () => {
    const document = (await (await fetch(`${gateway.url}/api/docs`)).json()) as {
      paths: Record<string, unknown>;
      'x-unavailable': string[];
    };
    expect(document['x-unavailable']).toEqual([]);
    const paths = Object.keys(document.paths);
    const under = (domain: string): string[] =>
      paths
        .filter((path) => path.startsWith(`/api/${domain}/`))
        .map((path) => path.slice(`/api/${domain}`.length));
    const [chat, bots] = [under('chat'), under('bots')];
    expect(chat).toContain('/conversations');
    expect(bots).toContain('/bots');
    // Two domains never share a path: a process hosting both documents each only once.
    expect(chat.filter((path) => bots.includes(path))).toEqual([]);
  });

  it('merges the domains’ AsyncAPI documents at /api/asyncapi.json: valid, each role from the code', async () => {
    const response = await fetch(`${gateway.url}/api/asyncapi.json`);
    expect(response.status).toBe(200);
    const document = (await response.json()) as {
      operations: Record<string, { action: string }>;
      'x-unavailable': string[];
    };
    expect(document['x-unavailable']).toEqual([]);
    const diagnostics = await new Parser().validate(document as never);
    expect(diagnostics.filter((d) => d.severity <= 1).map((d) => d.message)).toEqual([]);
    // What each domain does, read from its handlers and declarations, whichever process hosts it.
    expect(document.operations).toMatchObject({
      'chat.answers.rpc.chat.post-message.v1': { action: 'receive' },
      'chat.publishes.evt.chat.message.created.v1': { action: 'send' },
      'bots.consumes.evt.chat.message.created.v1': { action: 'receive' },
      'bots.calls.rpc.chat.post-message.v1': { action: 'send' },
      'gateway.reads.evt.chat.message.created.v1': { action: 'receive' },
    });
    const page = await fetch(`${gateway.url}/api/asyncapi`);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await page.text();
    expect(html).toContain('<code>rpc.chat.post-message.v1</code>');
    expect(html).toContain('Nats-Msg-Id');
    // The parser's full validation of a ~200 KB document takes seconds of CPU on its own: past
    // jest's default 5 s when the other suites of `npm test` share the two cores.
  }, 30_000);

  it('logs a request under the id its caller gave, and never the probes of /health', async () => {
    const token = await signDevToken('alice', TEST_JWT_SECRET);
    const response = await fetch(`${gateway.url}/api/chat/conversations`, {
      headers: { authorization: `Bearer ${token}`, 'x-request-id': 'e2e-correlate-42' },
    });
    expect(response.status).toBe(200);
    const completed = (line: string) => line.includes('"msg":"request completed"');
    await waitFor(
      () =>
        system
          .logsOf('chat')
          .some((line) => completed(line) && line.includes('"id":"e2e-correlate-42"')),
      { timeoutMs: 5_000, message: "chat logged no request under the gateway's request id" },
    );
    // The harness polled every process's /health/ready until it was up: none of it is logged.
    for (const domain of ['chat', 'bots']) {
      const probes = system
        .logsOf(domain)
        .filter((line) => completed(line) && line.includes('"url":"/health'));
      expect({ domain, probes }).toEqual({ domain, probes: [] });
    }
  }, 15_000);

  // Last: it stops the process hosting bots — in the monolith, chat's too.
  it('answers 503 UNAVAILABLE for every domain of a stopped process and keeps serving the rest', async () => {
    const together = hostedTogether('chat', 'bots');
    expect(await system.stopHosting('bots')).toBe(0);
    const down = await alice.on(`${gateway.url}/api/bots`).request('GET', '/bots');
    expect(down.status).toBe(503);
    expect(down.body).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
    const ready = await fetch(`${gateway.url}/health/ready`);
    // The gateway itself stays ready: one upstream down is not a reason to take it out of rotation.
    expect(ready.status).toBe(200);
    expect(await ready.json()).toMatchObject({
      details: {
        upstreams: {
          status: 'down',
          bots: { status: 'down' },
          chat: { status: together ? 'down' : 'up' },
        },
      },
    });
    expect((await alice.request('GET', '/conversations')).status).toBe(together ? 503 : 200);
  }, 30_000);
});
