import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Bots } from '@switchboard/contracts';
import { consumerName, DeadLetters, streamOf } from '@switchboard/platform-messaging';
import { createServiceApp } from '@switchboard/platform-runtime';
import { ServiceHarness, waitFor } from '@switchboard/platform-testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { BotsDomain } from '../bots.module';
import { WebhookBotEntity } from '../entities/webhook-bot.entity';
import { FakeChat } from '../testing/fake-chat';
import { type WebhookCallBody } from '../use-cases/call-webhook';
import { verifyWebhookSignature, WebhookHeaders } from './webhook-signature';

const MAX_DELIVER = 3;
const BACKOFF_MS = 100;
const TIMEOUT_MS = 500;
const CONSUMER = consumerName('bots', Bots.WebhookCallRequested.subject);
const STREAM = streamOf(Bots.WebhookCallRequested.subject);

/** A request the test's webhook server received. */
interface Received {
  path: string;
  at: number;
  headers: IncomingMessage['headers'];
  rawBody: string;
  signatureValid: boolean;
}

/** How a bot's webhook answers its n-th request (1-based); leave `res` open to hang. */
type Behaviour = (n: number, res: ServerResponse) => void;

const json = (status: number, body: unknown) => (_n: number, res: ServerResponse) => {
  res.writeHead(status, { 'Content-Type': 'application/json' }).end(JSON.stringify(body));
};

/**
 * A world with one bots service, a real nats-server and Postgres, a webhook server played by
 * `node:http` (verifying signatures with the helper receivers implement) and chat played by
 * `FakeChat`: NATS responders on chat's subjects that validate with the contract schemas.
 */
async function startWorld(extraEnv: Record<string, string>) {
  const bots = new ServiceHarness<NestFastifyApplication>({
    name: 'bots',
    createApp: (env) =>
      createServiceApp({ name: 'bots', defaultPort: 0, domains: [BotsDomain] }, env),
    users: [],
    env: {
      EVENTS_BACKOFF_MS: String(BACKOFF_MS),
      EVENTS_MAX_DELIVER: String(MAX_DELIVER),
      BOTS_WEBHOOK_TIMEOUT_MS: String(TIMEOUT_MS),
      ...extraEnv,
    },
  });
  const received: Received[] = [];
  const behaviours = new Map<string, Behaviour>();
  const secrets = new Map<string, string>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const rawBody = Buffer.concat(chunks).toString('utf8');
      const name = (req.url ?? '').split('/')[2] ?? '';
      const header = (key: string) => String(req.headers[key.toLowerCase()] ?? '');
      received.push({
        path: req.url ?? '',
        at: Date.now(),
        headers: req.headers,
        rawBody,
        signatureValid: verifyWebhookSignature(
          secrets.get(name) ?? '',
          header(WebhookHeaders.TIMESTAMP),
          rawBody,
          header(WebhookHeaders.SIGNATURE),
        ),
      });
      const n = received.filter((r) => r.path === req.url).length;
      const behaviour = behaviours.get(name);
      if (behaviour) behaviour(n, res);
      else res.writeHead(404).end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;

  await bots.start();
  const { env, app, nats } = bots;
  const chat = new FakeChat(nats);
  await chat.start();

  const world = {
    env,
    app,
    /** Port of the webhook server (on 127.0.0.1). */
    port,
    nats,
    received,
    chat,
    deadLetters: new DeadLetters(nats),

    /** Registers a webhook bot as the registry would, straight into the table. */
    async addBot(behaviour: Behaviour, url?: (name: string) => string) {
      const name = `hook-${randomBytes(4).toString('hex')}`;
      const bot: WebhookBotEntity = {
        id: randomUUID(),
        name,
        ownerId: 'alice',
        description: 'test bot',
        commands: [{ name: 'ask', description: 'asks' }],
        webhookUrl: url ? url(name) : `http://127.0.0.1:${port}/bots/${name}`,
        signingSecret: randomBytes(24).toString('hex'),
        createdAt: new Date(),
      };
      behaviours.set(name, behaviour);
      secrets.set(name, bot.signingSecret);
      await app.get(DataSource).getRepository(WebhookBotEntity).insert(bot);
      return bot;
    },

    /** Publishes the event as the bots outbox relay would: event id header = call id. */
    async requestCall(botId: string, args = 'what is up?') {
      const conversation = chat.createConversation(['alice']);
      const message = chat.store(conversation.id, `/ask ${args}`, { kind: 'user', id: 'alice' });
      const call = Bots.WebhookCallRequested.payload.parse({
        callId: randomUUID(),
        botId,
        command: 'ask',
        args,
        message,
      });
      await bots.publish(Bots.WebhookCallRequested, call, call.callId);
      return call;
    },

    requestsOf: (bot: WebhookBotEntity) =>
      received.filter((r) => r.path.startsWith(`/bots/${bot.name}`)),
    postsTo: (conversationId: string) => chat.botMessages(conversationId),
    deadLettersOf: async (callId: string) =>
      (await world.deadLetters.list({ consumer: CONSUMER })).filter((e) => e.eventId === callId),

    /** Every call so far acked or terminated: nothing waits for delivery or redelivery. */
    async settled() {
      const jsm = await nats.jetstreamManager();
      await waitFor(
        async () => {
          const info = await jsm.consumers.info(STREAM, CONSUMER);
          return info.num_pending === 0 && info.num_ack_pending === 0;
        },
        { timeoutMs: 10_000, message: 'webhook calls still pending' },
      );
    },

    async stop() {
      await nats.close();
      await app.close();
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
      await env.stop();
    },
  };
  return world;
}

describe('webhook bots', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;

  beforeAll(async () => {
    world = await startWorld({ BOTS_ALLOW_PRIVATE_WEBHOOKS: 'true' });
  });

  afterAll(async () => {
    await world?.stop();
  });

  afterEach(() => {
    // Every call, retries included, carried a valid signature.
    expect(world.received.filter((r) => !r.signatureValid)).toEqual([]);
  });

  it('POSTs a signed call and posts the answer into the conversation once', async () => {
    const bot = await world.addBot(json(200, { text: 'sunny, 21°C' }));
    const call = await world.requestCall(bot.id, 'weather in Lisbon');

    await waitFor(() => world.postsTo(call.message.conversationId).length > 0, {
      timeoutMs: 5_000,
      message: 'no reply posted',
    });
    await world.settled();

    expect(world.postsTo(call.message.conversationId)).toEqual([
      expect.objectContaining({
        text: 'sunny, 21°C',
        sender: { kind: 'bot', id: bot.name },
        clientMessageId: `${bot.name}:${call.message.id}`,
      }),
    ]);
    expect(
      world.chat.postRequests.filter((r) => r.conversationId === call.message.conversationId),
    ).toHaveLength(1);
    const requests = world.requestsOf(bot);
    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request.signatureValid).toBe(true);
    expect(request.headers).toMatchObject({
      'content-type': 'application/json',
      'user-agent': 'Switchboard-Bots/1',
      'switchboard-call-id': call.callId,
    });
    const body: WebhookCallBody = {
      callId: call.callId,
      bot: bot.name,
      command: 'ask',
      args: 'weather in Lisbon',
      conversationId: call.message.conversationId,
      message: {
        id: call.message.id,
        sender: { kind: 'user', id: 'alice' },
        text: '/ask weather in Lisbon',
        createdAt: call.message.createdAt,
      },
    };
    expect(JSON.parse(request.rawBody)).toEqual(body);
  });

  it('retries a failing webhook with growing gaps and answers once it works', async () => {
    const bot = await world.addBot((n, res) =>
      n <= 2 ? res.writeHead(500).end('boom') : json(200, { text: 'third time lucky' })(n, res),
    );
    const call = await world.requestCall(bot.id);

    await waitFor(() => world.postsTo(call.message.conversationId).length > 0, {
      timeoutMs: 5_000,
      message: 'no reply after retries',
    });
    await world.settled();

    const requests = world.requestsOf(bot);
    expect(requests).toHaveLength(3);
    // Every retry carries the same call id, so the receiver can tell it saw the call before.
    expect(new Set(requests.map((r) => r.headers['switchboard-call-id']))).toEqual(
      new Set([call.callId]),
    );
    // Lower bounds only (a loaded machine adds delay, never removes it): the second wait doubled.
    const gaps = [requests[1].at - requests[0].at, requests[2].at - requests[1].at];
    expect(gaps[0]).toBeGreaterThanOrEqual(BACKOFF_MS * 0.9);
    expect(gaps[1]).toBeGreaterThanOrEqual(BACKOFF_MS * 2 * 0.9);
    expect(world.postsTo(call.message.conversationId)).toEqual([
      expect.objectContaining({ text: 'third time lucky' }),
    ]);
    expect(await world.deadLettersOf(call.callId)).toEqual([]);
  });

  it('dead-letters a call after EVENTS_MAX_DELIVER failed attempts and posts nothing', async () => {
    const bot = await world.addBot((_n, res) => res.writeHead(503).end());
    const call = await world.requestCall(bot.id);

    await waitFor(async () => (await world.deadLettersOf(call.callId)).length > 0, {
      timeoutMs: 10_000,
      message: 'call never dead-lettered',
    });
    await world.settled();

    const [entry] = await world.deadLettersOf(call.callId);
    expect(entry).toMatchObject({
      subject: Bots.WebhookCallRequested.subject,
      attempts: MAX_DELIVER,
      error: expect.stringContaining('HTTP 503'),
    });
    expect(world.requestsOf(bot)).toHaveLength(MAX_DELIVER);
    expect(world.postsTo(call.message.conversationId)).toEqual([]);
  });

  it('retries a webhook that does not answer within BOTS_WEBHOOK_TIMEOUT_MS', async () => {
    const bot = await world.addBot((n, res) => {
      if (n > 1) json(200, { text: 'sorry, I was slow' })(n, res);
      // the first request is left hanging
    });
    const call = await world.requestCall(bot.id);

    await waitFor(() => world.postsTo(call.message.conversationId).length > 0, {
      timeoutMs: 5_000,
      message: 'no reply after the time-out',
    });
    await world.settled();

    const requests = world.requestsOf(bot);
    expect(requests).toHaveLength(2);
    expect(requests[1].at - requests[0].at).toBeGreaterThanOrEqual(TIMEOUT_MS + BACKOFF_MS * 0.9);
    expect(world.postsTo(call.message.conversationId)).toHaveLength(1);
  });

  it('retries 429 and 408 like server errors', async () => {
    const bot = await world.addBot((n, res) => {
      if (n === 1) res.writeHead(429, { 'Retry-After': '1' }).end();
      else if (n === 2) res.writeHead(408).end();
      else json(200, { text: 'ok now' })(n, res);
    });
    const call = await world.requestCall(bot.id);

    await waitFor(() => world.postsTo(call.message.conversationId).length > 0, {
      timeoutMs: 5_000,
      message: 'no reply',
    });
    expect(world.requestsOf(bot)).toHaveLength(3);
  });

  /** Waits for the call's dead letter; there must be exactly one, from its first attempt. */
  const deadLetteredAtOnce = async (callId: string) => {
    await waitFor(async () => (await world.deadLettersOf(callId)).length > 0, {
      timeoutMs: 5_000,
      message: 'call never dead-lettered',
    });
    await world.settled();
    await sleep(BACKOFF_MS * 4); // room for a retry that must not come
    const entries = await world.deadLettersOf(callId);
    expect(entries).toHaveLength(1);
    expect(entries[0]).toMatchObject({ attempts: 1 });
    return entries[0];
  };

  it('dead-letters at once a call the webhook refuses with a 4xx: one attempt, no reply', async () => {
    const bot = await world.addBot(json(410, { error: 'gone' }));
    const call = await world.requestCall(bot.id);

    const entry = await deadLetteredAtOnce(call.callId);

    expect(entry.error).toContain('HTTP 410');
    expect(world.requestsOf(bot)).toHaveLength(1);
    expect(world.postsTo(call.message.conversationId)).toEqual([]);
  });

  it('does not follow a redirect, and dead-letters the call at once', async () => {
    const bot = await world.addBot((_n, res) =>
      res.writeHead(307, { Location: `/elsewhere/${bot.name}` }).end(),
    );
    const call = await world.requestCall(bot.id);

    const entry = await deadLetteredAtOnce(call.callId);

    expect(entry.error).toContain('HTTP 307');
    expect(world.received.filter((r) => r.path.startsWith('/elsewhere'))).toEqual([]);
    expect(world.requestsOf(bot)).toHaveLength(1);
    expect(world.postsTo(call.message.conversationId)).toEqual([]);
  });

  it.each<[string, Behaviour]>([
    ['204', (_n, res) => res.writeHead(204).end()],
    ['an empty body', (_n, res) => res.writeHead(200).end()],
    ['{} without text', json(200, {})],
    ['a blank text', json(200, { text: '   ' })],
  ])('posts nothing and does not retry on 2xx with %s', async (_label, behaviour) => {
    const bot = await world.addBot(behaviour);
    const call = await world.requestCall(bot.id);

    await waitFor(() => world.requestsOf(bot).length > 0, {
      timeoutMs: 5_000,
      message: 'webhook never called',
    });
    await world.settled();
    await sleep(BACKOFF_MS * 2);

    expect(world.requestsOf(bot)).toHaveLength(1);
    expect(world.postsTo(call.message.conversationId)).toEqual([]);
    expect(await world.deadLettersOf(call.callId)).toEqual([]);
  });

  it.each<[string, Behaviour, string]>([
    ['invalid JSON', (_n, res) => res.writeHead(200).end('{"text": '), 'not JSON'],
    ['JSON that is not an object with a string text', json(200, { text: 42 }), 'string "text"'],
    ['a text over 4 KiB', json(200, { text: 'x'.repeat(5_000) }), 'valid message'],
  ])('dead-letters at once a 2xx with %s, posting nothing', async (_label, behaviour, reason) => {
    const bot = await world.addBot(behaviour);
    const call = await world.requestCall(bot.id);

    const entry = await deadLetteredAtOnce(call.callId);

    expect(entry.error).toContain(reason);
    expect(world.requestsOf(bot)).toHaveLength(1);
    expect(world.postsTo(call.message.conversationId)).toEqual([]);
  });

  it('skips a call whose bot was deleted', async () => {
    const before = world.received.length;
    const call = await world.requestCall(randomUUID());

    await world.settled();

    expect(world.received).toHaveLength(before);
    expect(world.postsTo(call.message.conversationId)).toEqual([]);
    expect(await world.deadLettersOf(call.callId)).toEqual([]);
  });
});

describe('webhook bots without BOTS_ALLOW_PRIVATE_WEBHOOKS', () => {
  let world: Awaited<ReturnType<typeof startWorld>>;

  beforeAll(async () => {
    world = await startWorld({ BOTS_ALLOW_PRIVATE_WEBHOOKS: 'false' });
  });

  afterAll(async () => {
    await world?.stop();
  });

  it.each<[string, (port: number) => (name: string) => string]>([
    ['a loopback address', (port) => (name) => `http://127.0.0.1:${port}/bots/${name}`],
    [
      'a host that resolves to loopback',
      (port) => (name) => `http://localhost:${port}/bots/${name}`,
    ],
  ])(
    'refuses to call %s: no request is sent, the call is dead-lettered at once',
    async (_label, urlFor) => {
      const bot = await world.addBot(json(200, { text: 'must not be asked' }), urlFor(world.port));
      const call = await world.requestCall(bot.id);

      await waitFor(async () => (await world.deadLettersOf(call.callId)).length > 0, {
        timeoutMs: 5_000,
        message: 'call never dead-lettered',
      });
      await world.settled();
      await sleep(BACKOFF_MS * 4);

      expect(world.received).toEqual([]);
      expect(world.postsTo(call.message.conversationId)).toEqual([]);
      const entries = await world.deadLettersOf(call.callId);
      expect(entries).toHaveLength(1);
      expect(entries[0]).toMatchObject({ attempts: 1, error: expect.stringContaining('refused') });
    },
  );
});
