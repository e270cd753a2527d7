import { Controller, Module } from '@nestjs/common';
import { defineEvent } from '@switchboard/contracts';
import { EventHandler, StreamsNotProvisioned } from '@switchboard/platform-messaging';
import { createTestEnvironment, type TestEnvironment } from '@switchboard/platform-testing';
import { connect, type JetStreamManager, type NatsConnection } from 'nats';
import { z } from 'zod';
import { createServiceApp } from './create-service-app';
import { type ServiceDefinition } from './service-definition';

const Noted = defineEvent({
  subject: 'evt.stories.thing.noted.v1',
  payload: z.object({}),
});

@Controller()
class NotedHandler {
  @EventHandler(Noted)
  noted(): void {
    // nothing
  }
}

@Module({ controllers: [NotedHandler] })
class ChatLikeModule {}

@Module({})
class QuietModule {}

/** "chat" has event contracts, so it publishes to CHAT; it also consumes from STORIES. */
const chat: ServiceDefinition = {
  name: 'chat',
  defaultPort: 0,
  domains: [{ name: 'chat', module: ChatLikeModule, entities: [], migrations: [] }],
};
/** A service without events of its own or handlers: it uses no stream. */
const quiet: ServiceDefinition = {
  name: 'quiet',
  defaultPort: 0,
  domains: [{ name: 'quiet', module: QuietModule, entities: [], migrations: [] }],
};

describe('EVENTS_STREAMS of a service app (real Postgres + nats-server)', () => {
  let env: TestEnvironment;
  let observer: NatsConnection;
  let jsm: JetStreamManager;

  beforeAll(async () => {
    env = await createTestEnvironment(['chat', 'quiet']);
    observer = await connect({ servers: env.nats.url });
    jsm = await observer.jetstreamManager();
  }, 30_000);

  afterAll(async () => {
    await observer?.close();
    await env?.stop();
  });

  const streamNames = async (): Promise<string[]> => {
    const names: string[] = [];
    for await (const stream of jsm.streams.list()) names.push(stream.config.name);
    return names.sort();
  };

  it('verify: a service that uses no stream starts on a server without any', async () => {
    const { app } = await createServiceApp(
      quiet,
      env.envFor('quiet', { EVENTS_STREAMS: 'verify' }),
    );
    await app.close();
    expect(await streamNames()).toEqual([]);
  });

  it('verify: refuses to start without the streams it publishes to and consumes from', async () => {
    const starting = createServiceApp(chat, env.envFor('chat', { EVENTS_STREAMS: 'verify' }));
    await expect(starting).rejects.toBeInstanceOf(StreamsNotProvisioned);
    await expect(starting).rejects.toMatchObject({
      problems: ['CHAT is missing', 'DLQ is missing', 'STORIES is missing'],
    });
    expect(await streamNames()).toEqual([]);
  });

  it('ensure (the default) creates every stream; verify then starts', async () => {
    const first = await createServiceApp(chat, env.envFor('chat'));
    await first.app.close();
    expect(await streamNames()).toEqual(['BOTS', 'CALLS', 'CHAT', 'DLQ', 'STORIES']);

    const second = await createServiceApp(chat, env.envFor('chat', { EVENTS_STREAMS: 'verify' }));
    expect(second.config.EVENTS_STREAMS).toBe('verify');
    await second.app.close();
  }, 30_000);

  it('names its release on every response when SERVICE_RELEASE is set, and not otherwise', async () => {
    // verify: a service that uses no stream starts without creating any.
    const released = await createServiceApp(
      quiet,
      env.envFor('quiet', { EVENTS_STREAMS: 'verify', SERVICE_RELEASE: 'abc123' }),
    );
    const plain = await createServiceApp(quiet, env.envFor('quiet', { EVENTS_STREAMS: 'verify' }));
    try {
      const [a, b] = await Promise.all(
        [released, plain].map(async (service) => {
          await service.app.listen(0, '127.0.0.1');
          const url = (await service.app.getUrl()).replace('[::1]', '127.0.0.1');
          return fetch(`${url}/health/live`);
        }),
      );
      expect([a?.status, a?.headers.get('x-service-release')]).toEqual([200, 'abc123']);
      expect([b?.status, b?.headers.get('x-service-release')]).toEqual([200, null]);
    } finally {
      await Promise.all([released.app.close(), plain.app.close()]);
    }
  });
});
