import { Controller, Inject, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { defineEvent, type EventPayload } from '@switchboard/contracts';
import { PersistenceModule } from '@switchboard/platform-persistence';
import {
  createTestEnvironment,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import {
  AckPolicy,
  connect,
  headers,
  type JetStreamManager,
  type NatsConnection,
  StringCodec,
} from 'nats';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { EventHandler } from '../handler.decorators';
import { MessagingModule } from '../messaging.module';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '../storage/messaging-tables';
import { CreateEffects1764150009999, EffectEntity } from './effects.fixture';
import { type EventContext } from './event-context';
import { EventHeaders } from '../jetstream/event-headers';
import { pullSubscriptionOf } from '../nats/nats-internals';
import { stopConsuming } from './consumer-loop';
import { JetStreamTransport } from './jetstream.transport';

const Queued = defineEvent({
  subject: 'evt.test.thing.queued.v1',
  payload: z.object({ n: z.number().int() }).strict(),
});
const CONSUMER = 'tester_evt-test-thing-queued-v1';
/** Far beyond the test's time-out: a message only the ack wait would give back fails the test. */
const ACK_WAIT_MS = 60_000;

/** One process of the service: what its handlers started, and what holds them until released. */
interface Instance {
  started: number[];
  gate: Promise<void>;
}
const INSTANCE = 'INSTANCE';

@Controller()
class QueuedHandler {
  constructor(@Inject(INSTANCE) private readonly instance: Instance) {}

  @EventHandler(Queued)
  async queued(
    @Payload() payload: EventPayload<typeof Queued>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    this.instance.started.push(payload.n);
    await this.instance.gate;
    await context.manager.insert(EffectEntity, { eventId: context.eventId, n: payload.n });
  }
}

describe('JetStream consumer shutdown with a full client buffer (real nats-server + Postgres)', () => {
  let env: TestEnvironment;
  /** The publisher and observer: neither instance's connection. */
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  const apps: INestApplication[] = [];
  /** Lets the first instance's held handlers finish (also when the test failed before it did). */
  let openFirstGate = (): void => undefined;

  /** A process of the `tester` domain: same durable consumer, same database, its own connection. */
  const startInstance = async (instance: Instance, concurrency: number) => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url: env.databases['shutdown'].url,
          entities: [...MESSAGING_ENTITIES, EffectEntity],
          migrations: [...MESSAGING_MIGRATIONS, CreateEffects1764150009999],
          migrate: true,
        }),
        MessagingModule.forRoot({ serviceName: 'tester', natsUrl: env.nats.url }),
      ],
      controllers: [QueuedHandler],
      providers: [{ provide: INSTANCE, useValue: instance }],
    }).compile();
    const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: ['error'] });
    apps.push(app);
    app.connectMicroservice({
      strategy: new JetStreamTransport({
        connection: app.get<NatsConnection>(NATS_CONNECTION),
        domains: [{ name: 'tester', dataSource: app.get(DataSource) }],
        concurrency,
        ackWaitMs: ACK_WAIT_MS,
      }),
    });
    await app.startAllMicroservices();
    await app.init();
    return app;
  };

  beforeAll(async () => {
    env = await createTestEnvironment(['shutdown']);
    nats = await connect({ servers: env.nats.url });
    jsm = await nats.jetstreamManager();
    // "test" is not a platform domain, so its stream is made here.
    await jsm.streams.add({ name: 'TEST', subjects: ['evt.test.>'] });
  }, 30_000);

  afterAll(async () => {
    openFirstGate();
    for (const app of apps) await app.close().catch(() => undefined);
    await nats?.close();
    await env?.stop();
  });

  it('hands the messages it pulled but did not start to another instance at once, each handled once', async () => {
    const total = 40;
    const first: Instance = {
      started: [],
      gate: new Promise<void>((resolve) => (openFirstGate = resolve)),
    };
    const second: Instance = { started: [], gate: Promise.resolve() };

    const firstApp = await startInstance(first, 2);
    const js = nats.jetstream();
    const sc = StringCodec();
    for (let n = 0; n < total; n++) {
      const h = headers();
      h.set(EventHeaders.EVENT_ID, `event-${n}`);
      await js.publish(Queued.subject, sc.encode(JSON.stringify({ n })), {
        msgID: `msg-${n}`,
        headers: h,
      });
    }
    // The first instance runs two handlers (held at the gate) and holds every other message in
    // its client buffer: all delivered to it, none acked, none left on the server.
    await waitFor(
      async () => {
        const info = await jsm.consumers.info('TEST', CONSUMER);
        return first.started.length === 2 && info.num_ack_pending === total;
      },
      { timeoutMs: 5_000, message: 'the first instance did not pull every message' },
    );

    await startInstance(second, 16);
    // The second instance is pulling before the first closes. (nats-server before
    // nats-io/nats-server#5305, e.g. 2.9, drops a redelivery from its queue when only a closed pull
    // request is waiting, and that message would then wait out the ack wait.)
    await waitFor(async () => (await jsm.consumers.info('TEST', CONSUMER)).num_waiting >= 2, {
      timeoutMs: 5_000,
      message: 'the second instance is not pulling',
    });
    const closing = firstApp.close();
    // While the first instance's two running handlers still wait at the gate, the second one
    // already handles everything else: nothing waits out the 60 s ack wait.
    await waitFor(() => second.started.length >= total - 2, {
      timeoutMs: 10_000,
      message: () =>
        `the second instance got ${second.started.length} of the ${total - 2} messages the first one had not started`,
    });
    openFirstGate();
    await closing;
    apps.splice(apps.indexOf(firstApp), 1);

    const secondApp = apps[0] as INestApplication;
    const database = secondApp.get(DataSource);
    await waitFor(async () => (await database.getRepository(EffectEntity).count()) === total, {
      timeoutMs: 5_000,
      message: 'not every message had its effect',
    });
    const effects = await database.getRepository(EffectEntity).find();
    expect(effects.map((effect) => effect.n).sort((a, b) => a - b)).toEqual(
      Array.from({ length: total }, (_, n) => n),
    );
    // Each message was started once: the first instance's two finished, the rest by the second.
    expect(first.started).toHaveLength(2);
    expect([...first.started, ...second.started].sort((a, b) => a - b)).toEqual(
      Array.from({ length: total }, (_, n) => n),
    );
    // Every delivery acked: nothing is left for a redelivery after the ack wait.
    await waitFor(
      async () => {
        const info = await jsm.consumers.info('TEST', CONSUMER);
        return info.num_ack_pending === 0 && info.num_pending === 0;
      },
      { timeoutMs: 2_000, message: 'deliveries are still unacknowledged' },
    );
  }, 20_000);

  it('drains the pull subscription when it stops consuming: what was delivered is still yielded', async () => {
    // stopConsuming() reaches into nats.js for the subscription under consume(): this fails first
    // if an upgrade moves it.
    await jsm.consumers.add('TEST', {
      durable_name: 'drained',
      filter_subject: 'evt.test.drained.v1',
      ack_policy: AckPolicy.Explicit,
    });
    const js = nats.jetstream();
    const sc = StringCodec();
    for (const text of ['a', 'b', 'c']) await js.publish('evt.test.drained.v1', sc.encode(text));
    const messages = await (await js.consumers.get('TEST', 'drained')).consume({ max_messages: 3 });
    const subscription = pullSubscriptionOf(messages);
    expect(subscription).toBeDefined();
    const yielded: string[] = [];
    for await (const msg of messages) {
      yielded.push(sc.decode(msg.data));
      msg.ack();
      // The other two are in the client's buffer (or on their way) when it stops.
      if (yielded.length === 1) await stopConsuming(messages);
    }
    expect(yielded).toEqual(['a', 'b', 'c']);
    expect(subscription?.isDraining()).toBe(true);
    expect(subscription?.isClosed()).toBe(true);
  });
});
