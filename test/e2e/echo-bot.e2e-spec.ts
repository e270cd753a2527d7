import { signDevToken } from '@switchboard/platform-auth';
import { TEST_JWT_SECRET, waitFor } from '@switchboard/platform-testing';
import { json } from './services';
import { e2eTopology, startSystem, type System } from './system';

interface Message {
  text: string;
  sender: { kind: string; id: string };
}

/** chat → NATS event → bots → NATS RPC → chat, each domain on its own database, in every topology. */
describe(`walking skeleton: /echo across chat and bots (${e2eTopology()})`, () => {
  let system: System;
  let chat: { url: string };
  let headers: Record<string, string>;

  beforeAll(async () => {
    system = await startSystem(['chat', 'bots'], { bots: { LOG_LEVEL: 'info' } });
    chat = { url: system.urlOf('chat') };
    headers = {
      authorization: `Bearer ${await signDevToken('alice', TEST_JWT_SECRET)}`,
      'content-type': 'application/json',
    };
  }, 60_000);

  afterAll(async () => {
    const codes = await system?.stop();
    expect(codes?.every((code) => code === 0)).toBe(true);
  });

  const post = (path: string, body: unknown, extra: Record<string, string> = {}) =>
    fetch(`${chat.url}${path}`, {
      method: 'POST',
      headers: { ...headers, ...extra },
      body: JSON.stringify(body),
    });
  const messagesOf = async (conversationId: string) =>
    (
      await json<{ items: Message[] }>(
        await fetch(`${chat.url}/conversations/${conversationId}/messages`, { headers }),
      )
    ).items;

  it('echo-bot answers /echo hi with hi within 5 s', async () => {
    const conversation = await json<{ id: string }>(
      await post('/conversations', { title: 'e2e', memberIds: ['bob'] }),
    );
    const sent = await post(`/conversations/${conversation.id}/messages`, { text: '/echo hi' });
    expect(sent.status).toBe(201);

    let messages: Message[] = [];
    await waitFor(
      async () => {
        messages = await messagesOf(conversation.id);
        return messages.some((message) => message.sender.kind === 'bot');
      },
      { timeoutMs: 5_000, message: 'echo-bot did not answer within 5 s' },
    );
    expect(messages).toEqual([
      expect.objectContaining({ text: 'hi', sender: { kind: 'bot', id: 'echo-bot' } }),
      expect.objectContaining({ text: '/echo hi', sender: { kind: 'user', id: 'alice' } }),
    ]);
  });

  it('ignores messages that are not commands, and answers each command once', async () => {
    const conversation = await json<{ id: string }>(
      await post('/conversations', { title: 'quiet' }),
    );
    await post(`/conversations/${conversation.id}/messages`, { text: 'just chatting' });
    await post(`/conversations/${conversation.id}/messages`, { text: '/echo once' });
    await waitFor(async () => (await messagesOf(conversation.id)).length >= 3, {
      timeoutMs: 5_000,
      message: 'echo-bot did not answer',
    });
    // Give a wrongly repeated answer (or an answer to the bot's own message) time to show up.
    await new Promise((resolve) => setTimeout(resolve, 500));
    const texts = (await messagesOf(conversation.id)).map((message) => message.text);
    expect(texts).toEqual(['once', '/echo once', 'just chatting']);
  });

  it('carries the trace of the HTTP request through the event to the bot', async () => {
    const traceId = '4bf92f3577b34da6a3ce929d0e0e4736';
    const conversation = await json<{ id: string }>(
      await post('/conversations', { title: 'traced' }),
    );
    const sent = await post(
      `/conversations/${conversation.id}/messages`,
      { text: '/echo traced' },
      { traceparent: `00-${traceId}-00f067aa0ba902b7-01` },
    );
    expect(sent.headers.get('traceparent')).toBe(`00-${traceId}-00f067aa0ba902b7-01`);
    await waitFor(
      () =>
        system
          .logsOf('bots')
          .some(
            (line) =>
              line.includes('echo-bot answered') && line.includes(`"trace_id":"${traceId}"`),
          ),
      { timeoutMs: 5_000, message: "bots did not log the answer under the request's trace id" },
    );
  });
});
