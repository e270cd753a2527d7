import {
  createTestEnvironment,
  freePort,
  spawnService,
  type ServiceProcess,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { Client } from 'pg';
import { ApiClient } from './api-client';
import { DOMAINS, entryOf, startMonolith } from './services';

/**
 * Extracting bots from the running monolith without losing or doubling a reply: while `/echo`
 * messages keep coming, a bots service starts on the bots domain's own database (its consumer and
 * inbox are the domain's, so it shares the work at once), then the monolith is replaced by one
 * without bots (the new one up before the old one stops, so chat never stops answering). Every
 * accepted message gets exactly one reply, and the last ones can only have come from the extracted
 * service.
 */
/**
 * The default ack wait (30 s): on shutdown the monolith hands every event delivered to it but not
 * started (buffered, or still on the wire) straight back to the consumer, so the bots service gets
 * it at once and no reply waits for the ack wait to run out.
 */
const BOTS_SETTINGS = { BOTS_REPLIES_PER_MINUTE: '10000' };

describe('live extraction of bots from the monolith', () => {
  let env: TestEnvironment;
  const started: ServiceProcess[] = [];

  const monolith = async (domains: string[]): Promise<ServiceProcess> => {
    const process = await startMonolith(env, domains, BOTS_SETTINGS);
    started.push(process);
    return process;
  };

  beforeAll(async () => {
    env = await createTestEnvironment(DOMAINS);
  }, 30_000);

  afterAll(async () => {
    await Promise.all(started.map((process) => process.stop()));
    await env?.stop();
  });

  it('moves bots to its own process under load: every /echo answered exactly once', async () => {
    const everything = await monolith(DOMAINS);
    let target = everything.url;
    const alice = await ApiClient.as(everything.url, 'alice');
    const conversation = await alice.expect<{ id: string }>(201, 'POST', '/conversations', {
      title: 'extraction',
      memberIds: ['bob'],
    });

    // The load: one /echo after another, each to whichever process serves chat now.
    const accepted: string[] = [];
    const refused: string[] = [];
    let running = true;
    const load = (async () => {
      for (let n = 1; running; n++) {
        const text = `m${n}`;
        const sent = await alice
          .on(target)
          .request('POST', `/conversations/${conversation.id}/messages`, {
            text: `/echo ${text}`,
          });
        (sent.status === 201 ? accepted : refused).push(`${text} → ${sent.status}`);
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    })();
    const acceptedSoFar = () => accepted.length;
    const waitForMore = async (count: number) => {
      const goal = acceptedSoFar() + count;
      await waitFor(async () => acceptedSoFar() >= goal, { timeoutMs: 20_000 });
    };

    await waitForMore(20);
    // 1. The bots service, on the bots domain's database: the same consumer, the same inbox.
    const bots = await spawnService({
      name: 'bots',
      entry: entryOf('bots'),
      port: await freePort(),
      env: {
        ...env.envFor('bots', BOTS_SETTINGS),
        HOST: '127.0.0.1',
      },
    });
    started.push(bots);
    await waitForMore(20);
    // 2. A monolith without bots takes over chat, stories and calls; then the old one stops.
    const withoutBots = await monolith(['chat', 'stories', 'calls']);
    target = withoutBots.url;
    await waitForMore(5);
    expect(await everything.stop()).toBe(0);
    started.splice(started.indexOf(everything), 1);
    // 3. From here only the extracted service can answer.
    await waitForMore(20);
    running = false;
    await load;

    const texts = accepted.map((entry) => entry.split(' ')[0] as string);
    // The whole conversation, from chat's own database (the API pages it 100 at a time).
    const chatDb = new Client({ connectionString: env.databases['chat']?.url });
    await chatDb.connect();
    let replies: string[] = [];
    try {
      await waitFor(
        async () => {
          const { rows } = await chatDb.query<{ text: string }>(
            "SELECT text FROM messages WHERE conversation_id = $1 AND sender_id = 'echo-bot'",
            [conversation.id],
          );
          replies = rows.map((row) => row.text);
          return replies.length >= texts.length;
        },
        { timeoutMs: 30_000, message: 'some /echo messages were never answered' },
      );
      // Late duplicates would arrive after the count is reached: give them a moment.
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      const { rows } = await chatDb.query<{ text: string }>(
        "SELECT text FROM messages WHERE conversation_id = $1 AND sender_id = 'echo-bot'",
        [conversation.id],
      );
      replies = rows.map((row) => row.text);
    } finally {
      await chatDb.end();
    }
    expect(texts.length).toBeGreaterThan(60);
    expect(refused).toEqual([]);
    expect(replies.slice().sort()).toEqual(texts.slice().sort());
    expect(new Set(replies).size).toBe(replies.length);
  }, 120_000);
});
