import { Controller, type INestApplication } from '@nestjs/common';
import { Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { defineEvent, type EventPayload, inboxPrefixOf } from '@switchboard/contracts';
import { PersistenceModule } from '@switchboard/platform-persistence';
import {
  createTestEnvironment,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import {
  connect,
  headers,
  type JetStreamManager,
  type NatsConnection,
  type StreamInfo,
  StringCodec,
} from 'nats';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { EventHandler } from '../handler.decorators';
import { MessagingModule } from '../messaging.module';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '../storage/messaging-tables';
import { EventHeaders } from '../jetstream/event-headers';
import { JetStreamTransport } from './jetstream.transport';
import { ensureStreams, StreamsNotProvisioned } from '../jetstream/streams';

const Checked = defineEvent({
  subject: 'evt.chat.thing.checked.v1',
  payload: z.object({ n: z.number().int() }).strict(),
});

const handled: number[] = [];

@Controller()
class CheckedHandler {
  @EventHandler(Checked)
  checked(@Payload() payload: EventPayload<typeof Checked>): void {
    handled.push(payload.n);
  }
}

/**
 * `streams: 'verify'`, as deployments run: the service ("stories", which publishes its own events
 * and consumes a chat event) only reads the info of the streams it uses.
 */
describe('JetStreamTransport with streams: verify (real nats-server + Postgres)', () => {
  let env: TestEnvironment;
  let observer: NatsConnection;
  let jsm: JetStreamManager;
  /** Every JetStream stream API request anyone sent: core NATS sees them like any message. */
  const streamRequests: string[] = [];
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment(['verify']);
    observer = await connect({ servers: env.nats.url });
    jsm = await observer.jetstreamManager();
    const spy = observer.subscribe('$JS.API.STREAM.>');
    void (async () => {
      // Only the service's requests (replies under its inbox prefix), not the test's own.
      for await (const msg of spy) {
        if (msg.reply?.startsWith(`${inboxPrefixOf('stories')}.`)) streamRequests.push(msg.subject);
      }
    })();
    await observer.flush();
  }, 30_000);

  afterAll(async () => {
    for (const app of apps) await app.close().catch(() => undefined);
    await observer?.close();
    await env?.stop();
  });

  /** Builds the service and starts its event consumers in verify mode. */
  async function startService(): Promise<INestApplication> {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url: env.databases['verify'].url,
          entities: MESSAGING_ENTITIES,
          migrations: MESSAGING_MIGRATIONS,
          migrate: true,
        }),
        MessagingModule.forRoot({ serviceName: 'stories', natsUrl: env.nats.url }),
      ],
      controllers: [CheckedHandler],
    }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: ['error'] });
    apps.push(app);
    app.connectMicroservice({
      strategy: new JetStreamTransport({
        connection: app.get(NATS_CONNECTION),
        domains: [{ name: 'stories', dataSource: app.get(DataSource), publishesEvents: true }],
        streams: 'verify',
      }),
    });
    await app.startAllMicroservices();
    return app;
  }

  const allStreams = async (): Promise<string[]> => {
    const found: StreamInfo[] = [];
    for await (const stream of jsm.streams.list()) found.push(stream);
    return found.map((stream) => stream.config.name);
  };

  it('refuses to start without its streams, naming each, and creates nothing', async () => {
    let error: unknown;
    await startService().catch((caught: unknown) => {
      error = caught;
    });
    expect(error).toBeInstanceOf(StreamsNotProvisioned);
    // Its own stream (it publishes), the one it consumes from, and the DLQ; not CALLS or BOTS.
    expect((error as StreamsNotProvisioned).problems).toEqual([
      'CHAT is missing',
      'DLQ is missing',
      'STORIES is missing',
    ]);
    await observer.flush();
    expect(streamRequests.length).toBeGreaterThan(0);
    expect(streamRequests.filter((subject) => !subject.startsWith('$JS.API.STREAM.INFO.'))).toEqual(
      [],
    );
    expect(await allStreams()).toEqual([]);
  });

  it('starts once the streams exist, consumes events, and never writes a stream', async () => {
    await ensureStreams(jsm);
    await observer.flush();
    streamRequests.length = 0;
    await startService();
    // The observer sees the service's requests on its own connection, possibly after the
    // service already has its answers: wait until three subjects have arrived, then compare.
    // (A timeout falls through to the comparison, whose diff says what is missing.)
    await waitFor(() => new Set(streamRequests).size >= 3).catch(() => undefined);
    expect([...new Set(streamRequests)].sort()).toEqual([
      '$JS.API.STREAM.INFO.CHAT',
      '$JS.API.STREAM.INFO.DLQ',
      '$JS.API.STREAM.INFO.STORIES',
    ]);

    const h = headers();
    h.set(EventHeaders.EVENT_ID, 'checked-1');
    await observer
      .jetstream()
      .publish(Checked.subject, StringCodec().encode(JSON.stringify({ n: 1 })), { headers: h });
    await waitFor(() => handled.includes(1), { timeoutMs: 5_000, message: 'event not consumed' });
  }, 30_000);
});
