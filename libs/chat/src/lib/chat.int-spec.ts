import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Chat } from '@switchboard/contracts';
import { signDevToken } from '@switchboard/platform-auth';
import { createServiceApp } from '@switchboard/platform-runtime';
import {
  createTestEnvironment,
  readyForRequests,
  TEST_JWT_SECRET,
  type TestEnvironment,
} from '@switchboard/platform-testing';
import { connect, type NatsConnection } from 'nats';
import request from 'supertest';
import { ChatDomain } from './chat.module';

describe('chat service (real Postgres + nats-server)', () => {
  let env: TestEnvironment;
  let app: NestFastifyApplication;
  let nats: NatsConnection;
  const token: Record<string, string> = {};
  const http = () => request(app.getHttpServer());
  const as = (user: string) => ({ Authorization: `Bearer ${token[user]}` });

  beforeAll(async () => {
    env = await createTestEnvironment(['chat']);
    ({ app } = await createServiceApp(
      { name: 'chat', defaultPort: 0, domains: [ChatDomain] },
      env.envFor('chat'),
    ));
    await readyForRequests(app);
    nats = await connect({ servers: env.nats.url });
    for (const user of ['alice', 'bob', 'carol']) {
      token[user] = await signDevToken(user, TEST_JWT_SECRET);
    }
  });

  afterAll(async () => {
    await nats?.close();
    await app?.close();
    await env?.stop();
  });

  const createConversation = async (memberIds = ['bob']) => {
    const response = await http()
      .post('/conversations')
      .set(as('alice'))
      .send({ title: 'Team', memberIds })
      .expect(201);
    return response.body as Chat.ConversationView;
  };

  it('is ready once the database and NATS are', async () => {
    const response = await http().get('/health/ready').expect(200);
    expect(response.body).toMatchObject({ status: 'ok' });
  });

  it('asks for a token', async () => {
    const response = await http().post('/conversations').send({ title: 'x' }).expect(401);
    expect(response.body).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
  });

  const someId = '0190a0f0-0000-7000-8000-000000000000';
  it.each([
    ['get', '/conversations'],
    ['get', `/conversations/${someId}`],
    ['post', `/conversations/${someId}/members`],
    ['delete', `/conversations/${someId}/members/bob`],
    ['patch', `/conversations/${someId}/members/bob`],
    ['post', `/conversations/${someId}/leave`],
    ['get', `/conversations/${someId}/messages`],
    ['post', `/conversations/${someId}/messages`],
    ['patch', `/conversations/${someId}/messages/${someId}`],
    ['delete', `/conversations/${someId}/messages/${someId}`],
    ['post', `/conversations/${someId}/read`],
    ['get', `/conversations/${someId}/receipts`],
  ] as const)('asks for a token on %s %s', async (method, path) => {
    const response = await http()[method](path).expect(401);
    expect(response.body).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
  });

  it('creates a group (kind omitted) whose creator is its admin and owner', async () => {
    const conversation = await createConversation(['bob', 'bob']);
    expect(conversation).toMatchObject({ kind: 'group', title: 'Team', ownerId: 'alice' });
    expect(conversation.members.map(({ userId, role }) => ({ userId, role }))).toEqual([
      { userId: 'alice', role: 'admin' },
      { userId: 'bob', role: 'member' },
    ]);
  });

  it('lists messages newest first, in pages', async () => {
    const { id } = await createConversation();
    for (const text of ['one', 'two', 'three', 'four', 'five']) {
      await http().post(`/conversations/${id}/messages`).set(as('bob')).send({ text }).expect(201);
    }
    const first = await http()
      .get(`/conversations/${id}/messages?limit=2`)
      .set(as('alice'))
      .expect(200);
    expect(first.body.items.map((m: Chat.MessageView) => m.text)).toEqual(['five', 'four']);
    expect(first.body.items[0].sender).toEqual({ kind: 'user', id: 'bob' });

    const second = await http()
      .get(`/conversations/${id}/messages?limit=2&before=${first.body.nextBefore}`)
      .set(as('alice'))
      .expect(200);
    expect(second.body.items.map((m: Chat.MessageView) => m.text)).toEqual(['three', 'two']);

    const last = await http()
      .get(`/conversations/${id}/messages?limit=2&before=${second.body.nextBefore}`)
      .set(as('alice'))
      .expect(200);
    expect(last.body).toMatchObject({ items: [{ text: 'one' }], nextBefore: null });
  });

  describe('retry-safe sends with clientMessageId', () => {
    const send = (id: string, body: Record<string, unknown>, user = 'alice') =>
      http().post(`/conversations/${id}/messages`).set(as(user)).send(body);

    it('returns the stored message to a retry instead of posting it twice', async () => {
      const { id } = await createConversation();
      const first = await send(id, { text: 'once', clientMessageId: 'c-1' }).expect(201);
      const retry = await send(id, { text: 'once', clientMessageId: 'c-1' }).expect(200);
      expect(retry.body).toEqual(first.body);
      const list = await http().get(`/conversations/${id}/messages`).set(as('alice')).expect(200);
      expect(list.body.items.map((m: Chat.MessageView) => m.text)).toEqual(['once']);
    });

    it('keeps keys apart per sender', async () => {
      const { id } = await createConversation();
      await send(id, { text: 'from alice', clientMessageId: 'same' }).expect(201);
      await send(id, { text: 'from bob', clientMessageId: 'same' }, 'bob').expect(201);
    });

    it('refuses a key reused for a different text with 409', async () => {
      const { id } = await createConversation();
      await send(id, { text: 'first', clientMessageId: 'c-2' }).expect(201);
      const reused = await send(id, { text: 'second', clientMessageId: 'c-2' }).expect(409);
      expect(reused.body).toMatchObject({ code: 'CHAT.CLIENT_MESSAGE_ID_REUSED' });
    });

    it('stores one message when the same send arrives five times at once', async () => {
      const { id } = await createConversation();
      const responses = await Promise.all(
        Array.from({ length: 5 }, () => send(id, { text: 'racing', clientMessageId: 'c-3' })),
      );
      expect(new Set(responses.map((response) => response.body.id)).size).toBe(1);
      expect(responses.map((response) => response.status).sort()).toEqual([
        200, 200, 200, 200, 201,
      ]);
    });

    it('rejects a malformed key', async () => {
      const { id } = await createConversation();
      const response = await send(id, { text: 'x', clientMessageId: 'has space' }).expect(400);
      expect(response.body).toMatchObject({ details: [{ path: 'clientMessageId' }] });
    });
  });

  it('lets only members read or post', async () => {
    const { id } = await createConversation();
    const read = await http().get(`/conversations/${id}/messages`).set(as('carol')).expect(403);
    expect(read.body).toMatchObject({ code: 'CHAT.NOT_A_MEMBER' });
    const post = await http()
      .post(`/conversations/${id}/messages`)
      .set(as('carol'))
      .send({ text: 'let me in' })
      .expect(403);
    expect(post.body).toMatchObject({ code: 'CHAT.NOT_A_MEMBER' });
  });

  it('answers 404 for a conversation that does not exist', async () => {
    const response = await http()
      .get('/conversations/0190a0f0-0000-7000-8000-000000000000/messages')
      .set(as('alice'))
      .expect(404);
    expect(response.body).toMatchObject({ code: 'CHAT.CONVERSATION_NOT_FOUND' });
  });

  describe('bad input gets a 4xx with a code, never a 500', () => {
    let id: string;
    beforeAll(async () => {
      ({ id } = await createConversation());
    });

    it('invalid JSON', async () => {
      const response = await http()
        .post(`/conversations/${id}/messages`)
        .set(as('alice'))
        .set('content-type', 'application/json')
        .send('{"text":')
        .expect(400);
      expect(response.body).toMatchObject({ code: 'INVALID_JSON', retriable: false });
    });

    it('wrong types, naming the field', async () => {
      const response = await http()
        .post('/conversations')
        .set(as('alice'))
        .send({ title: 42, memberIds: 'bob' })
        .expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      expect(response.body.details.map((d: { path: string }) => d.path).sort()).toEqual([
        'memberIds',
        'title',
      ]);
    });

    it('unknown fields', async () => {
      const response = await http()
        .post(`/conversations/${id}/messages`)
        .set(as('alice'))
        .send({ text: 'hi', senderId: 'mallory' })
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ code: 'unrecognized_keys' }],
      });
    });

    it('text longer than the limit', async () => {
      const response = await http()
        .post(`/conversations/${id}/messages`)
        .set(as('alice'))
        .send({ text: 'x'.repeat(Chat.MESSAGE_TEXT_MAX_BYTES + 1) })
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'text' }],
      });
    });

    it('an oversize body', async () => {
      const response = await http()
        .post(`/conversations/${id}/messages`)
        .set(as('alice'))
        .send({ text: 'x'.repeat(100 * 1024) })
        .expect(413);
      expect(response.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    });

    it('a body that is not JSON', async () => {
      const response = await http()
        .post(`/conversations/${id}/messages`)
        .set(as('alice'))
        .set('content-type', 'application/xml')
        .send('<text>hi</text>')
        .expect(415);
      expect(response.body).toMatchObject({ code: 'UNSUPPORTED_MEDIA_TYPE' });
    });

    it.each(['limit=0', 'limit=101', 'limit=abc', 'before=not-an-id', 'page=2'])(
      'a bad query: %s',
      async (query) => {
        const response = await http()
          .get(`/conversations/${id}/messages?${query}`)
          .set(as('alice'))
          .expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      },
    );

    it('a malformed conversation id', async () => {
      const response = await http().get('/conversations/123/messages').set(as('alice')).expect(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'id' }] });
    });
  });

  it(`publishes ${Chat.MessageCreated.subject} as plain JSON`, async () => {
    const { id } = await createConversation();
    const subscription = nats.subscribe(Chat.MessageCreated.subject);
    await nats.flush();
    const posted = await http()
      .post(`/conversations/${id}/messages`)
      .set(as('alice'))
      .send({ text: 'announce me' })
      .expect(201);
    for await (const msg of subscription) {
      const payload = JSON.parse(new TextDecoder().decode(msg.data));
      // Events of earlier tests may still be on their way.
      if (payload.message.id !== posted.body.id) continue;
      expect(payload).toEqual({ message: posted.body, memberIds: ['alice', 'bob'] });
      // The outbox row id: JetStream's de-duplication key and the consumers' event id.
      expect(msg.headers?.get('Switchboard-Event-Id')).toEqual(msg.headers?.get('Nats-Msg-Id'));
      subscription.unsubscribe();
    }
  });

  describe(`RPC ${Chat.PostMessage.subject}`, () => {
    const call = async (body: unknown) => {
      const reply = await nats.request(
        Chat.PostMessage.subject,
        new TextEncoder().encode(JSON.stringify(body)),
        { timeout: 5_000 },
      );
      return JSON.parse(new TextDecoder().decode(reply.data)) as Record<string, unknown>;
    };

    it('posts as a bot, and members read it', async () => {
      const { id } = await createConversation();
      const reply = await call({
        conversationId: id,
        sender: { kind: 'bot', id: 'echo-bot' },
        text: 'beep',
      });
      expect(reply).toMatchObject({
        ok: true,
        message: { text: 'beep', sender: { kind: 'bot', id: 'echo-bot' } },
      });
      const list = await http().get(`/conversations/${id}/messages`).set(as('bob')).expect(200);
      expect(list.body.items[0]).toMatchObject({ text: 'beep' });
    });

    it('stores a bot reply once when the call is repeated with the same clientMessageId', async () => {
      const { id } = await createConversation();
      const body = {
        conversationId: id,
        sender: { kind: 'bot', id: 'echo-bot' },
        text: 'once',
        clientMessageId: 'echo-bot:trigger-1',
      };
      const first = await call(body);
      const again = await call(body);
      expect(again).toEqual(first);
      const list = await http().get(`/conversations/${id}/messages`).set(as('bob')).expect(200);
      expect(list.body.items).toHaveLength(1);
    });

    it('refuses a user who is not a member', async () => {
      const { id } = await createConversation();
      const reply = await call({
        conversationId: id,
        sender: { kind: 'user', id: 'carol' },
        text: 'hi',
      });
      expect(reply).toMatchObject({ ok: false, code: 'CHAT.NOT_A_MEMBER', retriable: false });
    });

    it('refuses a request that breaks the contract', async () => {
      const reply = await call({ conversationId: 'nope', text: '' });
      expect(reply).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    });
  });
});
