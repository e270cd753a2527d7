import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Chat } from '@switchboard/contracts';
import { createServiceApp } from '@switchboard/platform-runtime';
import {
  createTestEnvironment,
  readyForRequests,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { connect, headers, type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { BotsDomain } from './bots.module';

/**
 * Bots against a real nats-server and Postgres. Chat's side of the wire is played by a plain NATS
 * responder on the contract's subject, so the test sees exactly what bots asks chat to post (the
 * e2e in test/ runs the real chat).
 */
describe('bots service', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  let nats: NatsConnection;
  const posted: Chat.MessageView[] = [];
  const requests: { conversationId: string; clientMessageId?: string }[] = [];
  const codec = { encode: (v: unknown) => new TextEncoder().encode(JSON.stringify(v)) };

  beforeAll(async () => {
    env = await createTestEnvironment(['bots']);
    ({ app } = await createServiceApp(
      { name: 'bots', defaultPort: 0, domains: [BotsDomain] },
      env.envFor('bots'),
    ));
    await readyForRequests(app);
    nats = await connect({ servers: env.nats.url });
    nats.subscribe(Chat.PostMessage.subject, {
      callback: (_error, msg) => {
        const request = JSON.parse(new TextDecoder().decode(msg.data)) as {
          conversationId: string;
          sender: Chat.Sender;
          text: string;
          clientMessageId?: string;
        };
        requests.push(request);
        const message: Chat.MessageView = {
          id: randomUUID(),
          conversationId: request.conversationId,
          sender: request.sender,
          text: request.text,
          createdAt: new Date().toISOString(),
        };
        posted.push(message);
        msg.respond(codec.encode({ ok: true, message }));
      },
    });
    await nats.flush();
  });

  afterAll(async () => {
    await nats?.close();
    await app?.close();
    await env?.stop();
  });

  /** Publishes as chat's outbox relay would: to JetStream, event id in the headers. */
  const publish = (message: Chat.MessageView, msgID = message.id) => {
    const h = headers();
    h.set('Switchboard-Event-Id', message.id);
    return nats
      .jetstream()
      .publish(Chat.MessageCreated.subject, codec.encode(message), { msgID, headers: h });
  };
  const userMessage = (
    text: string,
    sender: Chat.Sender = { kind: 'user', id: 'alice' },
  ): Chat.MessageView => ({
    id: randomUUID(),
    conversationId: randomUUID(),
    sender,
    text,
    createdAt: new Date().toISOString(),
  });
  const postsTo = (conversationId: string) =>
    posted.filter((p) => p.conversationId === conversationId);

  it('answers /echo by posting the text as echo-bot', async () => {
    const message = userMessage('/echo hello there');
    await publish(message);
    await waitFor(() => postsTo(message.conversationId).length > 0, {
      timeoutMs: 5_000,
      message: 'no echo',
    });
    expect(postsTo(message.conversationId)).toEqual([
      expect.objectContaining({ text: 'hello there', sender: { kind: 'bot', id: 'echo-bot' } }),
    ]);
    // The reply is keyed by the message it answers, so chat stores it once even if bots retries.
    expect(requests.find((r) => r.conversationId === message.conversationId)?.clientMessageId).toBe(
      `echo-bot:${message.id}`,
    );
  });

  it('explains usage when /echo has no text', async () => {
    const message = userMessage('/echo');
    await publish(message);
    await waitFor(() => postsTo(message.conversationId).length > 0, {
      timeoutMs: 5_000,
      message: 'no answer',
    });
    expect(postsTo(message.conversationId)[0].text).toBe('Usage: /echo <text>');
  });

  it('answers an event delivered twice only once', async () => {
    const message = userMessage('/echo twice');
    await publish(message);
    await publish(message, `${message.id}-republished`); // past JetStream's de-duplication
    await publish(message);
    await waitFor(() => postsTo(message.conversationId).length > 0, {
      timeoutMs: 5_000,
      message: 'no echo',
    });
    await sleep(300);
    expect(postsTo(message.conversationId)).toHaveLength(1);
  });

  it('never reacts to bots, the system, or ordinary text', async () => {
    const ignored = [
      userMessage('/echo loop', { kind: 'bot', id: 'echo-bot' }),
      userMessage('/echo hi', { kind: 'system', id: 'calls' }),
      userMessage('hello /echo hi'),
    ];
    for (const message of ignored) await publish(message);
    // A marker message sent after them: once it is answered, the ignored ones had their chance.
    const marker = userMessage('/echo marker');
    await publish(marker);
    await waitFor(() => postsTo(marker.conversationId).length > 0, {
      timeoutMs: 5_000,
      message: 'no echo',
    });
    await sleep(200);
    for (const message of ignored) expect(postsTo(message.conversationId)).toEqual([]);
  });
});
