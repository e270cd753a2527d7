import { Controller, Module } from '@nestjs/common';
import { contractDigest, defineEvent, defineRpc } from '@switchboard/contracts';
import {
  EventHandler,
  NATS_CONNECTION,
  RpcHandler,
  StreamsNotProvisioned,
} from '@switchboard/platform-messaging';
import { createTestEnvironment, type TestEnvironment } from '@switchboard/platform-testing';
import { connect, Empty, type JetStreamManager, type NatsConnection } from 'nats';
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

const Hello = defineRpc({
  subject: 'rpc.quiet.hello.v1',
  request: z.object({}).strict(),
  result: z.object({}).strict(),
});

@Controller()
class HelloHandler {
  @RpcHandler(Hello)
  hello() {
    return {};
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
@Module({ controllers: [HelloHandler] })
class AnsweringModule {}

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

  it('announces its RPC handlers as a NATS micro service named after the domain', async () => {
    const host: ServiceDefinition = {
      name: 'host',
      defaultPort: 0,
      domains: [{ name: 'quiet', module: AnsweringModule, entities: [], migrations: [] }],
    };
    const { app } = await createServiceApp(
      host,
      env.envFor('quiet', { EVENTS_STREAMS: 'verify', SERVICE_RELEASE: 'abc123' }),
    );
    try {
      // The server has the service's subscriptions once its connection's PING came back.
      await app.get<NatsConnection>(NATS_CONNECTION).flush();
      const reply = await observer.request('$SRV.INFO.quiet', Empty, { timeout: 2_000 });
      expect(JSON.parse(new TextDecoder().decode(reply.data))).toMatchObject({
        name: 'quiet',
        // The workspace's version (root package.json): the micro protocol wants semver.
        version: '0.1.0',
        metadata: { process: 'host', release: 'abc123', contracts: contractDigest([Hello]) },
        endpoints: [{ name: 'hello-v1', subject: Hello.subject, queue_group: 'quiet' }],
      });
    } finally {
      await app.close();
    }
  });
});
