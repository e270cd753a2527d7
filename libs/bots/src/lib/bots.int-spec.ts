import { type NestFastifyApplication } from '@nestjs/platform-fastify';
import { Bots, Chat } from '@switchboard/contracts';
import { createServiceApp } from '@switchboard/platform-runtime';
import { ServiceHarness, waitFor } from '@switchboard/platform-testing';
import { type NatsConnection } from 'nats';
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import { BotsDomain } from './bots.module';
import { STORIES_UNAVAILABLE_TEXT } from './builtins/stories.bot';
import { FakeChat } from './testing/fake-chat';
import { FakeStories } from './testing/fake-stories';

const REPLIES_PER_MINUTE = 12;
const DEFAULT_BOTS = ['help-bot', 'echo-bot', 'remind-bot', 'poll-bot', 'stats-bot', 'stories-bot'];
const alice: Chat.Sender = { kind: 'user', id: 'alice' };
const bob: Chat.Sender = { kind: 'user', id: 'bob' };

/**
 * Bots against a real nats-server and Postgres. Chat's side of the wire is `FakeChat`, plain NATS
 * responders on chat's contract subjects, so the test sees exactly what bots asks chat for (the
 * e2e in test/ runs the real chat). alice is admin, bob a member, carol an outsider.
 */
jest.setTimeout(30_000);

describe('bots service', () => {
  const bots = new ServiceHarness<NestFastifyApplication>({
    name: 'bots',
    createApp: (env) =>
      createServiceApp({ name: 'bots', defaultPort: 0, domains: [BotsDomain] }, env),
    users: ['alice', 'bob', 'carol'],
    env: {
      BOTS_REPLIES_PER_MINUTE: String(REPLIES_PER_MINUTE),
      BOTS_ALLOW_PRIVATE_WEBHOOKS: 'true',
    },
  });
  let app: NestFastifyApplication;
  let nats: NatsConnection;
  let chat: FakeChat;
  let stories: FakeStories;
  let webhookServer: Server;
  let webhookUrl: string;
  const http = () => bots.http();
  const as = (user: string) => bots.as(user);
  const startBots = async () => {
    app = bots.app = await bots.launchApp();
  };

  beforeAll(async () => {
    await bots.start();
    ({ app, nats } = bots);
    chat = new FakeChat(nats);
    await chat.start();
    stories = new FakeStories(nats);
    await stories.start();
    // The webhook bots' server: accepts every call without answering, so none is retried.
    webhookServer = createServer((_req, res) => res.writeHead(204).end());
    await new Promise<void>((resolve) => webhookServer.listen(0, '127.0.0.1', resolve));
    webhookUrl = `http://127.0.0.1:${(webhookServer.address() as AddressInfo).port}/hook`;
  });

  afterAll(async () => {
    await new Promise((resolve) => webhookServer?.close(resolve));
    await bots.stop();
  });

  /** Publishes as chat's outbox relay would: to JetStream, the event id in the headers. */
  const publishEvent = (subject: string, payload: unknown, eventId: string = randomUUID()) =>
    bots.publishTo(subject, payload, eventId);
  /** A group with alice as admin and bob as member; chat announces it unless told not to. */
  const newConversation = async ({ announce = true } = {}) => {
    const conversation = chat.createConversation(['alice'], ['bob']);
    if (announce) await publishEvent(Chat.ConversationCreated.subject, { conversation });
    return conversation.id;
  };
  const announceMessage = (message: Chat.MessageView, eventId = message.id) =>
    publishEvent(
      Chat.MessageCreated.subject,
      { message, memberIds: chat.memberIds(message.conversationId) },
      eventId,
    );
  /** Someone writes in a conversation: chat stores it, then announces it. */
  const say = async (
    conversationId: string,
    text: string,
    sender: Chat.Sender = alice,
    overrides: Partial<Chat.MessageView> = {},
  ) => {
    const message = chat.store(conversationId, text, sender, overrides);
    await announceMessage(message);
    return message;
  };
  const replies = (conversationId: string, bot?: string) => chat.botMessages(conversationId, bot);
  const waitForReplies = (conversationId: string, count: number, bot?: string) =>
    waitFor(() => replies(conversationId, bot).length >= count, {
      timeoutMs: 5_000,
      message: () =>
        `expected ${count} bot replies in ${conversationId}, got ${JSON.stringify(replies(conversationId).map((m) => m.text))}`,
    });
  /** Sends a command and returns the one reply it gets. */
  const ask = async (conversationId: string, text: string, sender: Chat.Sender = alice) => {
    const before = replies(conversationId).length;
    await say(conversationId, text, sender);
    await waitForReplies(conversationId, before + 1);
    return replies(conversationId)[before];
  };
  const registerBot = (name: string, commands = [{ name: 'weather', description: 'Forecast' }]) =>
    http()
      .post('/bots')
      .set(as('carol'))
      .send({ name, description: 'A test bot', commands, webhookUrl })
      .expect(201);

  describe('registry', () => {
    it('asks for a token', async () => {
      const list = await http().get('/bots').expect(401);
      expect(list.body).toMatchObject({ code: 'AUTH.UNAUTHENTICATED' });
      await http().post('/bots').send({}).expect(401);
      await http().get(`/conversations/${randomUUID()}/bots`).expect(401);
      await http().put(`/conversations/${randomUUID()}/bots/echo-bot`).expect(401);
      await http().delete(`/conversations/${randomUUID()}/bots/echo-bot`).expect(401);
    });

    it('lists the built-in bots with their commands', async () => {
      const response = await http().get('/bots').set(as('alice')).expect(200);
      const names = response.body.bots.map((bot: { name: string }) => bot.name);
      expect(names.slice(0, DEFAULT_BOTS.length)).toEqual(DEFAULT_BOTS);
      expect(response.body.bots[3]).toMatchObject({
        name: 'poll-bot',
        kind: 'built-in',
        id: null,
        commands: [{ name: 'poll' }, { name: 'vote' }],
      });
    });

    it('registers a webhook bot and shows its secret only once', async () => {
      const registered = await registerBot('weather-bot');
      expect(registered.body).toMatchObject({
        name: 'weather-bot',
        kind: 'webhook',
        ownerId: 'carol',
        webhookUrl,
        commands: [{ name: 'weather', usage: '/weather', description: 'Forecast' }],
      });
      expect(registered.body.signingSecret).toMatch(/^[A-Za-z0-9_-]{43}$/);
      const list = await http().get('/bots').set(as('bob')).expect(200);
      const listed = list.body.bots.find((bot: { name: string }) => bot.name === 'weather-bot');
      expect(listed).toMatchObject({ id: registered.body.id, kind: 'webhook' });
      expect(JSON.stringify(list.body)).not.toContain(registered.body.signingSecret);
      expect(listed).not.toHaveProperty('webhookUrl');
    });

    it('refuses a taken name with 409', async () => {
      const builtIn = await http()
        .post('/bots')
        .set(as('carol'))
        .send({
          name: 'echo-bot',
          description: 'x',
          commands: [{ name: 'x', description: 'x' }],
          webhookUrl,
        })
        .expect(409);
      expect(builtIn.body).toMatchObject({ code: 'BOTS.NAME_TAKEN' });
      await registerBot('twice-bot');
      const again = await http()
        .post('/bots')
        .set(as('alice'))
        .send({
          name: 'twice-bot',
          description: 'x',
          commands: [{ name: 'x', description: 'x' }],
          webhookUrl,
        })
        .expect(409);
      expect(again.body).toMatchObject({ code: 'BOTS.NAME_TAKEN' });
    });

    it('refuses a malformed registration with 400', async () => {
      const valid = {
        name: 'ok-bot',
        description: 'x',
        commands: [{ name: 'x', description: 'x' }],
        webhookUrl,
      };
      for (const body of [
        { ...valid, name: 'Bad Name' },
        { ...valid, commands: [] },
        { ...valid, commands: [{ name: '/slash', description: 'x' }] },
        {
          ...valid,
          commands: [
            { name: 'x', description: 'a' },
            { name: 'x', description: 'b' },
          ],
        },
        { ...valid, extra: true },
        { name: 'ok-bot' },
      ]) {
        const response = await http().post('/bots').set(as('alice')).send(body).expect(400);
        expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
      }
    });

    it('refuses a webhook URL the policy refuses with 400', async () => {
      const response = await http()
        .post('/bots')
        .set(as('alice'))
        .send({
          name: 'ftp-bot',
          description: 'x',
          commands: [{ name: 'x', description: 'x' }],
          webhookUrl: 'ftp://example.com/hook',
        })
        .expect(400);
      expect(response.body).toMatchObject({ code: 'BOTS.WEBHOOK_URL_REFUSED' });
      const list = await http().get('/bots').set(as('alice')).expect(200);
      expect(list.body.bots.map((bot: { name: string }) => bot.name)).not.toContain('ftp-bot');
    });
  });

  describe('installations', () => {
    const installed = async (conversationId: string, user = 'alice') => {
      const response = await http()
        .get(`/conversations/${conversationId}/bots`)
        .set(as(user))
        .expect(200);
      return response.body.bots.map((bot: { name: string }) => bot.name) as string[];
    };

    it('gives a new conversation the default bots; members may look, others not', async () => {
      const id = await newConversation();
      expect(await installed(id, 'bob')).toEqual(DEFAULT_BOTS);
      const outsider = await http().get(`/conversations/${id}/bots`).set(as('carol')).expect(403);
      expect(outsider.body).toMatchObject({ code: 'BOTS.NOT_A_MEMBER' });
      const unknown = await http()
        .get(`/conversations/${randomUUID()}/bots`)
        .set(as('alice'))
        .expect(404);
      expect(unknown.body).toMatchObject({ code: 'BOTS.CONVERSATION_NOT_FOUND' });
      await http().get('/conversations/not-a-uuid/bots').set(as('alice')).expect(400);
    });

    it('installs idempotently, for admins only', async () => {
      const id = await newConversation();
      await registerBot('forecast-bot', [{ name: 'forecast', description: 'Forecast' }]);
      const first = await http()
        .put(`/conversations/${id}/bots/forecast-bot`)
        .set(as('alice'))
        .expect(201);
      expect(first.body).toMatchObject({
        name: 'forecast-bot',
        installedBy: 'alice',
        kind: 'webhook',
      });
      const again = await http()
        .put(`/conversations/${id}/bots/forecast-bot`)
        .set(as('alice'))
        .expect(200);
      expect(again.body).toEqual(first.body);
      expect(await installed(id)).toEqual([...DEFAULT_BOTS, 'forecast-bot']);

      const member = await http()
        .put(`/conversations/${id}/bots/echo-bot`)
        .set(as('bob'))
        .expect(403);
      expect(member.body).toMatchObject({ code: 'BOTS.NOT_AN_ADMIN' });
      const outsider = await http()
        .put(`/conversations/${id}/bots/echo-bot`)
        .set(as('carol'))
        .expect(403);
      expect(outsider.body).toMatchObject({ code: 'BOTS.NOT_A_MEMBER' });
      const noBot = await http()
        .put(`/conversations/${id}/bots/nobody-bot`)
        .set(as('alice'))
        .expect(404);
      expect(noBot.body).toMatchObject({ code: 'BOTS.BOT_NOT_FOUND' });
      const noConversation = await http()
        .put(`/conversations/${randomUUID()}/bots/echo-bot`)
        .set(as('alice'))
        .expect(404);
      expect(noConversation.body).toMatchObject({ code: 'BOTS.CONVERSATION_NOT_FOUND' });
      await http().put(`/conversations/${id}/bots/Not_A_Name`).set(as('alice')).expect(400);
    });

    it('uninstalls idempotently, for admins only', async () => {
      const id = await newConversation();
      const member = await http()
        .delete(`/conversations/${id}/bots/echo-bot`)
        .set(as('bob'))
        .expect(403);
      expect(member.body).toMatchObject({ code: 'BOTS.NOT_AN_ADMIN' });
      await http().delete(`/conversations/${id}/bots/echo-bot`).set(as('alice')).expect(204);
      await http().delete(`/conversations/${id}/bots/echo-bot`).set(as('alice')).expect(204);
      const noBot = await http()
        .delete(`/conversations/${id}/bots/nobody-bot`)
        .set(as('alice'))
        .expect(404);
      expect(noBot.body).toMatchObject({ code: 'BOTS.BOT_NOT_FOUND' });
      expect(await installed(id)).toEqual(DEFAULT_BOTS.filter((name) => name !== 'echo-bot'));
    });

    it('refuses a bot whose command an installed bot answers with 409', async () => {
      const id = await newConversation();
      await registerBot('loud-echo-bot', [{ name: 'echo', description: 'Echo, louder' }]);
      const clash = await http()
        .put(`/conversations/${id}/bots/loud-echo-bot`)
        .set(as('alice'))
        .expect(409);
      expect(clash.body).toMatchObject({
        code: 'BOTS.COMMAND_CONFLICT',
        details: { command: 'echo', installedBot: 'echo-bot' },
      });
      await http().delete(`/conversations/${id}/bots/echo-bot`).set(as('alice')).expect(204);
      await http().put(`/conversations/${id}/bots/loud-echo-bot`).set(as('alice')).expect(201);
      const back = await http()
        .put(`/conversations/${id}/bots/echo-bot`)
        .set(as('alice'))
        .expect(409);
      expect(back.body).toMatchObject({
        code: 'BOTS.COMMAND_CONFLICT',
        details: { installedBot: 'loud-echo-bot' },
      });
    });

    it('answers 503 at once when chat is unreachable', async () => {
      const id = await newConversation();
      await chat.stop(Chat.GetConversation);
      try {
        const started = Date.now();
        const response = await http()
          .put(`/conversations/${id}/bots/echo-bot`)
          .set(as('alice'))
          .expect(503);
        expect(response.body).toMatchObject({ code: 'UNAVAILABLE', retriable: true });
        expect(Date.now() - started).toBeLessThan(2_000);
      } finally {
        await chat.resume(Chat.GetConversation);
      }
    });

    it('keeps an uninstalled bot silent', async () => {
      const id = await newConversation();
      await http().delete(`/conversations/${id}/bots/echo-bot`).set(as('alice')).expect(204);
      await say(id, '/echo anyone there?');
      const help = await ask(id, '/help'); // processed after the /echo had its chance
      expect(help.sender).toEqual({ kind: 'bot', id: 'help-bot' });
      expect(help.text).not.toContain('/echo');
      await sleep(300);
      expect(replies(id, 'echo-bot')).toEqual([]);
    });

    it('answers a command sent before bots heard of the conversation', async () => {
      const id = await newConversation({ announce: false });
      expect((await ask(id, '/echo first!')).text).toBe('first!');
    });

    it('does not reinstall a removed bot when the conversation.created event comes late', async () => {
      const id = await newConversation({ announce: false });
      await http().delete(`/conversations/${id}/bots/echo-bot`).set(as('alice')).expect(204);
      await publishEvent(Chat.ConversationCreated.subject, {
        conversation: chat.conversations.get(id),
      });
      await sleep(300);
      await say(id, '/echo still there?');
      await ask(id, '/help');
      await sleep(300);
      expect(replies(id, 'echo-bot')).toEqual([]);
      expect(await installed(id)).not.toContain('echo-bot');
    });
  });

  describe('commands', () => {
    it('answers /echo as echo-bot, keyed by the message it answers', async () => {
      const id = await newConversation();
      const before = chat.postRequests.length;
      const reply = await ask(id, '/echo hello there');
      expect(reply).toMatchObject({ text: 'hello there', sender: { kind: 'bot', id: 'echo-bot' } });
      const command = chat.messages.find(
        (m) => m.conversationId === id && m.text === '/echo hello there',
      );
      expect(
        chat.postRequests.slice(before).find((r) => r.conversationId === id)?.clientMessageId,
      ).toBe(`echo-bot:${command?.id}`);
    });

    it('explains usage when /echo has no text', async () => {
      const id = await newConversation();
      expect((await ask(id, '/echo')).text).toBe('Usage: /echo <text>');
    });

    it('answers an event delivered twice only once', async () => {
      const id = await newConversation();
      const message = await say(id, '/echo twice');
      await announceMessage(message, `${message.id}-republished`); // past JetStream's de-duplication
      await announceMessage(message);
      await waitForReplies(id, 1);
      await sleep(300);
      expect(replies(id)).toHaveLength(1);
    });

    it('never reacts to bots, the system, deleted messages or ordinary text', async () => {
      const id = await newConversation();
      await say(id, '/echo loop', { kind: 'bot', id: 'echo-bot' });
      await say(id, '/echo hi', { kind: 'system', id: 'calls' });
      await say(id, '', alice, { deletedAt: new Date().toISOString() });
      await say(id, '/echo deleted', alice, { deletedAt: new Date().toISOString() });
      await say(id, 'hello /echo hi');
      await say(id, '/unknown command');
      // A marker sent after them: once it is answered, the ignored ones had their chance.
      expect((await ask(id, '/echo marker')).text).toBe('marker');
      await sleep(300);
      expect(replies(id).map((m) => m.text)).toEqual(['marker']);
    });

    it('lists the commands installed here with /help, webhook bots included', async () => {
      const id = await newConversation();
      await registerBot('joke-bot', [{ name: 'joke', description: 'Tells a joke' }]);
      await http().put(`/conversations/${id}/bots/joke-bot`).set(as('alice')).expect(201);
      await http().delete(`/conversations/${id}/bots/stats-bot`).set(as('alice')).expect(204);
      const help = await ask(id, '/help');
      expect(help.sender).toEqual({ kind: 'bot', id: 'help-bot' });
      for (const command of [
        '/help',
        '/echo <text>',
        '/remind <duration> <text>',
        '/vote <n>',
        '/stories',
        '/joke',
      ]) {
        expect(help.text).toContain(command);
      }
      expect(help.text).not.toContain('/stats');
    });

    it('hands a webhook bot’s command to the webhook consumer as an event', async () => {
      const id = await newConversation();
      const bot = await registerBot('dice-bot', [{ name: 'roll', description: 'Rolls dice' }]);
      await http().put(`/conversations/${id}/bots/dice-bot`).set(as('alice')).expect(201);
      const requested: unknown[] = [];
      const subscription = nats.subscribe(Bots.WebhookCallRequested.subject, {
        callback: (_error, msg) => requested.push(JSON.parse(new TextDecoder().decode(msg.data))),
      });
      await nats.flush();
      try {
        const message = await say(id, '/roll 2d6  please');
        await waitFor(() => requested.length > 0, {
          timeoutMs: 5_000,
          message: 'no webhook call requested',
        });
        const event = Bots.WebhookCallRequested.payload.parse(requested[0]);
        expect(event).toMatchObject({
          botId: bot.body.id,
          command: 'roll',
          args: '2d6  please',
          message,
        });
      } finally {
        subscription.unsubscribe();
      }
    });

    it('runs a poll: one open at a time, changed votes counted once, results on close', async () => {
      const id = await newConversation();
      expect((await ask(id, '/poll Lunch? pizza')).text).toMatch(/^Usage: \/poll/);
      const poll = await ask(id, '/poll "Lunch?" "pizza" "sushi"', bob);
      expect(poll.text).toBe('📊 Lunch?\n1. pizza\n2. sushi\nVote with /vote <n>.');
      expect((await ask(id, '/poll "Dinner?" "a" "b"')).text).toContain('already open: “Lunch?”');
      expect((await ask(id, '/vote 1')).text).toBe('🗳 alice voted for 1. pizza');
      expect((await ask(id, '/vote 2', bob)).text).toBe('🗳 bob voted for 2. sushi');
      expect((await ask(id, '/vote 1', bob)).text).toBe('🗳 bob changed their vote to 1. pizza');
      expect((await ask(id, '/vote 3')).text).toBe('Usage: /vote <n>, with n from 1 to 2.');
      // alice did not open the poll but is an admin: she may close it.
      const results = await ask(id, '/poll close');
      expect(results).toMatchObject({ sender: { kind: 'bot', id: 'poll-bot' } });
      expect(results.text).toBe(
        '📊 Results: Lunch?\n1. pizza — 2 votes\n2. sushi — 0 votes\n2 votes in total.',
      );
      expect((await ask(id, '/vote 1')).text).toMatch(/^There is no open poll/);
    });

    it('lets only the poll’s creator or an admin close it', async () => {
      const id = await newConversation();
      await ask(id, '/poll "Ship it?" "yes" "no"');
      expect((await ask(id, '/poll close', bob)).text).toBe(
        'Only alice, who opened the poll, or an admin can close it.',
      );
      expect((await ask(id, '/poll close')).text).toMatch(/^📊 Results: Ship it\?/);
    });

    it('answers /stats with the messages per member, as chat counts them', async () => {
      const id = await newConversation();
      await say(id, 'hi');
      await say(id, 'hello', bob);
      await say(id, 'how are you?', bob);
      const stats = await ask(id, '/stats');
      expect(stats.sender).toEqual({ kind: 'bot', id: 'stats-bot' });
      // The /stats message itself is stored before bots hears of it, so it counts.
      expect(stats.text).toBe('📈 4 messages in this conversation\nalice: 2\nbob: 2');
    });

    it('answers /stories with the members’ active stories, as stories counts them', async () => {
      const id = await newConversation();
      stories.activeStories.set('alice', 2);
      stories.activeStories.set('bob', 1);
      stories.activeStories.set('carol', 5); // not a member: not asked about, not counted
      const before = stories.requests.length;
      const reply = await ask(id, '/stories', bob);
      expect(reply.sender).toEqual({ kind: 'bot', id: 'stories-bot' });
      expect(reply.text).toBe('📸 3 active stories in this conversation: alice 2, bob 1');
      expect(stories.requests.slice(before)).toEqual([{ userIds: ['alice', 'bob'] }]);

      stories.activeStories.clear();
      expect((await ask(id, '/stories')).text).toBe('📸 No active stories in this conversation.');
      stories.activeStories.set('bob', 1);
      expect((await ask(id, '/stories')).text).toBe(
        '📸 1 active story in this conversation: bob 1',
      );
    });

    it('apologises once, without retrying, when stories is down or too slow', async () => {
      const id = await newConversation();
      await stories.stop();
      try {
        const down = await ask(id, '/stories');
        expect(down).toMatchObject({
          sender: { kind: 'bot', id: 'stories-bot' },
          text: STORIES_UNAVAILABLE_TEXT,
        });
      } finally {
        await stories.start();
      }
      stories.delayMs = 2_500; // past the bot's 2 s deadline
      try {
        const before = stories.requests.length;
        expect((await ask(id, '/stories')).text).toBe(STORIES_UNAVAILABLE_TEXT);
        await sleep(1_000);
        // Answered, so the event was not retried: stories was asked once.
        expect(stories.requests.length - before).toBe(1);
        expect(replies(id, 'stories-bot')).toHaveLength(2);
      } finally {
        stories.delayMs = 0;
      }
    });

    it('drops replies over the per-conversation rate limit', async () => {
      const id = await newConversation();
      for (let i = 0; i < REPLIES_PER_MINUTE + 3; i += 1) await say(id, `/echo ${i}`);
      await waitForReplies(id, REPLIES_PER_MINUTE);
      await sleep(1_000);
      expect(replies(id)).toHaveLength(REPLIES_PER_MINUTE);
      // Other conversations are not affected.
      const other = await newConversation();
      expect((await ask(other, '/echo elsewhere')).text).toBe('elsewhere');
    });
  });

  describe('reminders', () => {
    const reminderTexts = (id: string) =>
      replies(id, 'remind-bot')
        .map((m) => m.text)
        .filter((text) => text.startsWith('⏰ Reminder'));

    it('explains usage for a bad duration', async () => {
      const id = await newConversation();
      for (const text of ['/remind tomorrow call mum', '/remind 31d later', '/remind 10m']) {
        expect((await ask(id, text)).text).toMatch(/^Usage: \/remind <duration> <text>/);
      }
    });

    it('acknowledges a reminder and posts it when it is due', async () => {
      const id = await newConversation();
      const sent = Date.now();
      const ack = await ask(id, '/remind 2s stand-up');
      expect(ack.text).toMatch(/^⏰ I'll remind you at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d UTC\.$/);
      await waitFor(() => reminderTexts(id).length > 0, {
        timeoutMs: 6_000,
        message: 'no reminder',
      });
      const elapsed = Date.now() - sent;
      expect(reminderTexts(id)).toEqual(['⏰ Reminder for alice: stand-up']);
      // Not early, and about on time (the bound is generous: this checks correctness, not speed).
      expect(elapsed).toBeGreaterThanOrEqual(1_900);
      expect(elapsed).toBeLessThan(4_500);
    });

    it('drops the reminders of a remind-bot removed before they are due', async () => {
      const id = await newConversation();
      await ask(id, '/remind 1s never mind');
      await http().delete(`/conversations/${id}/bots/remind-bot`).set(as('alice')).expect(204);
      await sleep(2_000);
      expect(reminderTexts(id)).toEqual([]);
    });

    it('delivers a reminder set before a restart after it, once', async () => {
      const id = await newConversation();
      await ask(id, '/remind 2s tea');
      await app.close();
      await sleep(2_500); // due while no bots instance runs
      await startBots();
      await waitFor(() => reminderTexts(id).length > 0, {
        timeoutMs: 6_000,
        message: 'no reminder',
      });
      await sleep(1_500);
      expect(reminderTexts(id)).toEqual(['⏰ Reminder for alice: tea']);
      const posts = chat.postRequests.filter(
        (r) => r.conversationId === id && r.text.startsWith('⏰ Reminder'),
      );
      expect(posts).toHaveLength(1);
    });
  });
});
