import { createHmac } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { waitFor } from '@switchboard/platform-testing';
import { ApiClient } from './api-client';
import { e2eTopology, startSystem, type System } from './system';

/** Built-in and webhook bots, chat and bots each on its own database, in every topology. */
describe(`bots across chat and bots (${e2eTopology()})`, () => {
  let system: System;
  let alice: ApiClient;
  let bob: ApiClient;
  let carol: ApiClient;

  beforeAll(async () => {
    system = await startSystem(['chat', 'bots'], {
      bots: { BOTS_ALLOW_PRIVATE_WEBHOOKS: 'true' },
    });
    [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((user) => ApiClient.as(system.urlOf('chat'), user)),
    );
  }, 60_000);

  afterAll(async () => {
    const codes = await system?.stop();
    expect(codes?.every((code) => code === 0)).toBe(true);
  });

  const group = async (title: string) =>
    (
      await alice.expect<{ id: string }>(201, 'POST', '/conversations', {
        kind: 'group',
        title,
        memberIds: ['bob', 'carol'],
      })
    ).id;

  it('runs a poll: votes, a changed vote counted once, results on /poll close', async () => {
    const id = await group('lunch');
    const poll = await alice.say(id, '/poll "Lunch?" "pizza" "sushi" "salad"');
    const opened = await alice.replyFrom(id, 'poll-bot', poll);
    expect(opened.text).toContain('Lunch?');
    expect(opened.text).toMatch(/1\W+pizza/);

    for (const [voter, choice] of [
      [bob, 1],
      [carol, 2],
      [bob, 2], // bob changes his mind
      [alice, 3],
    ] as const) {
      const vote = await voter.say(id, `/vote ${choice}`);
      await alice.replyFrom(id, 'poll-bot', vote);
    }
    const close = await alice.say(id, '/poll close');
    const results = await alice.replyFrom(id, 'poll-bot', close);
    expect(results.text).toContain('Lunch?');
    expect(results.text).toMatch(/sushi\D+2\b/);
    expect(results.text).toMatch(/salad\D+1\b/);
    expect(results.text).toMatch(/pizza\D+0\b/);
  });

  it('answers /stats with message counts per member, from chat', async () => {
    const id = await group('stats');
    await alice.say(id, 'one');
    await alice.say(id, 'two');
    await bob.say(id, 'three');
    const stats = await carol.say(id, '/stats');
    const reply = await alice.replyFrom(id, 'stats-bot', stats);
    // The /stats message itself is carol's first message; bot replies are not counted.
    expect(reply.text).toMatch(/alice\D+2\b/);
    expect(reply.text).toMatch(/bob\D+1\b/);
    expect(reply.text).toMatch(/carol\D+1\b/);
  });

  it('delivers a reminder set before a bots restart once, after it', async () => {
    const id = await group('reminders');
    const remind = await bob.say(id, '/remind 4s stretch your legs');
    const acknowledged = await alice.replyFrom(id, 'remind-bot', remind);
    expect(acknowledged.text).toContain("I'll remind you");
    const dueAt = Date.now() + 4_000;

    // The process hosting bots (in the monolith, everything) stops gracefully and comes back.
    expect(await system.restart('bots')).toBe(0);

    const deliveries = async () =>
      (await alice.messages(id)).filter(
        (message) =>
          message.sender.id === 'remind-bot' && message.text.includes('stretch your legs'),
      );
    await waitFor(async () => (await deliveries()).length > 0, {
      timeoutMs: 15_000,
      message: 'the reminder was not delivered after the restart',
    });
    const lateMs = Date.now() - dueAt;
    // Room for a second delivery that must not come.
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    const delivered = await deliveries();
    process.stdout.write(`reminder seen ${lateMs} ms after its due time, across a restart\n`);
    expect(delivered).toHaveLength(1);
    expect(delivered[0].text).toBe('⏰ Reminder for bob: stretch your legs');
  }, 40_000);

  describe('a webhook bot', () => {
    let server: Server;
    let webhookUrl: string;
    const calls: { headers: IncomingMessage['headers']; body: string }[] = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        let body = '';
        req.on('data', (chunk: Buffer) => (body += chunk.toString()));
        req.on('end', () => {
          calls.push({ headers: req.headers, body });
          const { args } = JSON.parse(body) as { args: string };
          res.writeHead(200, { 'content-type': 'application/json' });
          res.end(JSON.stringify({ text: `Sunny in ${args}` }));
        });
      });
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      webhookUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hook`;
    });

    afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

    it('is registered, installed by an admin, called signed, and its reply is posted', async () => {
      const onBots = alice.on(system.urlOf('bots'));
      const registered = await onBots.expect<{ name: string; signingSecret: string }>(
        201,
        'POST',
        '/bots',
        {
          name: 'weather-bot',
          description: 'Weather reports',
          commands: [{ name: 'weather', description: 'The weather in a city' }],
          webhookUrl,
        },
      );
      const id = await group('weather');
      // Only admins install bots: bob is a member, alice created the group.
      const refused = await bob
        .on(system.urlOf('bots'))
        .request('PUT', `/conversations/${id}/bots/weather-bot`);
      expect(refused.status).toBe(403);
      await onBots.expect(201, 'PUT', `/conversations/${id}/bots/weather-bot`);

      const command = await bob.say(id, '/weather Lisbon');
      const reply = await alice.replyFrom(id, 'weather-bot', command);
      expect(reply.text).toBe('Sunny in Lisbon');

      expect(calls).toHaveLength(1);
      const [call] = calls;
      const timestamp = String(call.headers['switchboard-timestamp']);
      const expected = createHmac('sha256', registered.signingSecret)
        .update(`${timestamp}.${call.body}`)
        .digest('hex');
      expect(call.headers['switchboard-signature']).toBe(`v1=${expected}`);
      expect(JSON.parse(call.body)).toMatchObject({
        bot: 'weather-bot',
        command: 'weather',
        args: 'Lisbon',
        conversationId: id,
        message: { id: command.id, sender: { kind: 'user', id: 'bob' } },
      });
    });
  });
});
