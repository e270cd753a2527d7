import { Controller, type INestApplication } from '@nestjs/common';
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
import { connect, headers, type JetStreamManager, type NatsConnection, StringCodec } from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { EventHandler } from '../handler.decorators';
import { MessagingModule } from '../messaging.module';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { InboxMessageEntity } from '../storage/inbox-message.entity';
import { Outbox } from '../outbox/outbox';
import { OutboxMessageEntity } from '../storage/outbox-message.entity';
import { OutboxModule } from '../outbox/outbox.module';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '../storage/messaging-tables';
import { CreateEffects1764150009999, EffectEntity } from './effects.fixture';
import { type EventContext, UnprocessableEvent } from './event-context';
import { EventHeaders } from '../jetstream/event-headers';
import { JetStreamTransport } from './jetstream.transport';
import { DLQ_STREAM } from '../jetstream/streams';

/** Handled at most two at a time (`@EventHandler(…, { concurrency: 2 })`). */
const Throttled = defineEvent({
  subject: 'evt.test.thing.throttled.v1',
  payload: z.object({ n: z.number().int() }).strict(),
});
const throttled = { running: 0, most: 0, done: 0 };

const Happened = defineEvent({
  subject: 'evt.test.thing.happened.v1',
  payload: z
    .object({
      n: z.number().int(),
      failTimes: z.number().int().optional(),
      slowMs: z.number().int().optional(),
      unprocessable: z.boolean().optional(),
    })
    .strict(),
});

const attempts = new Map<number, number>();

@Controller()
class ThingHandler {
  @EventHandler(Happened)
  async happened(
    @Payload() payload: EventPayload<typeof Happened>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    attempts.set(payload.n, (attempts.get(payload.n) ?? 0) + 1);
    if (payload.slowMs) await sleep(payload.slowMs);
    // The effect is written first, so a failure after it proves the rollback.
    await context.manager.insert(EffectEntity, { eventId: context.eventId, n: payload.n });
    if (payload.unprocessable) {
      throw new UnprocessableEvent(`thing ${payload.n} can never be handled`);
    }
    if ((attempts.get(payload.n) ?? 0) <= (payload.failTimes ?? 0)) {
      throw new Error(`thing ${payload.n} failed on purpose`);
    }
  }
  @EventHandler(Throttled, { concurrency: 2 })
  async throttle(): Promise<void> {
    throttled.running += 1;
    throttled.most = Math.max(throttled.most, throttled.running);
    await sleep(150);
    throttled.running -= 1;
    throttled.done += 1;
  }
}

describe('JetStream events through the outbox (real nats-server + Postgres)', () => {
  let env: TestEnvironment;
  let app: INestApplication;
  let nats: NatsConnection;
  let jsm: JetStreamManager;
  let dataSource: DataSource;
  let outbox: Outbox;
  const sc = StringCodec();

  beforeAll(async () => {
    env = await createTestEnvironment(['jetstream']);
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url: env.databases['jetstream'].url,
          entities: [...MESSAGING_ENTITIES, EffectEntity],
          migrations: [...MESSAGING_MIGRATIONS, CreateEffects1764150009999],
          migrate: true,
        }),
        MessagingModule.forRoot({ serviceName: 'tester', natsUrl: env.nats.url }),
        OutboxModule,
      ],
      controllers: [ThingHandler],
    }).compile();
    app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: ['error'] });
    nats = app.get(NATS_CONNECTION);
    jsm = await nats.jetstreamManager();
    // "test" is not a platform domain, so its stream is made here.
    await jsm.streams.add({ name: 'TEST', subjects: ['evt.test.>'], duplicate_window: 120e9 });
    dataSource = app.get(DataSource);
    app.connectMicroservice({
      strategy: new JetStreamTransport({
        connection: nats,
        domains: [{ name: 'tester', dataSource }],
        backoffMs: 50,
        maxBackoffMs: 200,
      }),
    });
    await app.startAllMicroservices();
    await app.init();
    outbox = app.get(Outbox);
  }, 30_000);

  let closed = false;

  afterAll(async () => {
    if (!closed) await app?.close();
    await env?.stop();
  });

  const effectsOf = (n: number) => dataSource.getRepository(EffectEntity).countBy({ n });
  const publishRaw = (payload: unknown, eventId: string, msgID: string) => {
    const h = headers();
    h.set(EventHeaders.EVENT_ID, eventId);
    return nats
      .jetstream()
      .publish(Happened.subject, sc.encode(JSON.stringify(payload)), { msgID, headers: h });
  };

  it('publishes what a transaction wrote to the outbox, and the consumer has its effect once', async () => {
    await dataSource.transaction((manager) => outbox.add(manager, Happened, { n: 1 }));
    await waitFor(async () => (await effectsOf(1)) === 1, {
      timeoutMs: 5_000,
      message: 'no effect',
    });
    await waitFor(async () => (await dataSource.getRepository(OutboxMessageEntity).count()) === 0, {
      timeoutMs: 5_000,
      message: 'the outbox was not emptied',
    });
    expect(
      await dataSource
        .getRepository(InboxMessageEntity)
        .countBy({ consumer: 'tester_evt-test-thing-happened-v1' }),
    ).toBeGreaterThan(0);
  });

  it('publishes nothing when the transaction rolls back', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.add(manager, Happened, { n: 2 });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    await dataSource.transaction((manager) => outbox.add(manager, Happened, { n: 3 }));
    await waitFor(async () => (await effectsOf(3)) === 1, {
      timeoutMs: 5_000,
      message: 'no effect',
    });
    expect(await effectsOf(2)).toBe(0);
  });

  it('has one effect for an event published twice, with the same or a new Nats-Msg-Id', async () => {
    await publishRaw({ n: 4 }, 'event-4', 'msg-4');
    await publishRaw({ n: 4 }, 'event-4', 'msg-4'); // dropped by JetStream's duplicate window
    await publishRaw({ n: 4 }, 'event-4', 'msg-4-again'); // stored twice, stopped by the inbox
    await waitFor(async () => (await effectsOf(4)) === 1, {
      timeoutMs: 5_000,
      message: 'no effect',
    });
    await sleep(300);
    expect(await effectsOf(4)).toBe(1);
    expect(attempts.get(4)).toBe(1);
  });

  it('retries a failing handler with backoff and keeps only the successful attempt', async () => {
    await publishRaw({ n: 5, failTimes: 2 }, 'event-5', 'msg-5');
    await waitFor(async () => (await effectsOf(5)) === 1, {
      timeoutMs: 10_000,
      message: 'no effect',
    });
    expect(attempts.get(5)).toBe(3);
  });

  it('sends an event that keeps failing to the DLQ after 5 attempts, while later events flow', async () => {
    await publishRaw({ n: 6, failTimes: 100 }, 'event-6', 'msg-6');
    await publishRaw({ n: 7 }, 'event-7', 'msg-7');
    await waitFor(async () => (await effectsOf(7)) === 1, {
      timeoutMs: 5_000,
      message: 'event 7 was held up',
    });
    await waitFor(async () => (await jsm.streams.info(DLQ_STREAM)).state.messages > 0, {
      timeoutMs: 15_000,
      message: 'nothing reached the DLQ',
    });
    const dead = await jsm.streams.getMessage(DLQ_STREAM, {
      last_by_subj: 'dlq.tester_evt-test-thing-happened-v1.evt.test.thing.happened.v1',
    });
    expect(dead.header.get(EventHeaders.DLQ_ATTEMPTS)).toBe('5');
    expect(dead.header.get(EventHeaders.DLQ_ERROR)).toContain('thing 6 failed on purpose');
    expect(dead.header.get(EventHeaders.DLQ_SUBJECT)).toBe(Happened.subject);
    expect(dead.header.get(EventHeaders.EVENT_ID)).toBe('event-6');
    expect(Number(dead.header.get(EventHeaders.DLQ_STREAM_SEQ))).toBeGreaterThan(0);
    expect(JSON.parse(sc.decode(dead.data))).toEqual({ n: 6, failTimes: 100 });
    expect(attempts.get(6)).toBe(5);
    expect(await effectsOf(6)).toBe(0);
    // Terminated, not merely dead-lettered: the consumer holds no unacknowledged delivery of it.
    await waitFor(
      async () =>
        (await jsm.consumers.info('TEST', 'tester_evt-test-thing-happened-v1')).num_ack_pending ===
        0,
      { timeoutMs: 5_000, message: 'the dead-lettered delivery is still pending on the consumer' },
    );
  });

  it('sends a payload that breaks its contract straight to the DLQ', async () => {
    const before = (await jsm.streams.info(DLQ_STREAM)).state.messages;
    await publishRaw({ n: 'eight' }, 'event-8', 'msg-8');
    await waitFor(async () => (await jsm.streams.info(DLQ_STREAM)).state.messages > before, {
      timeoutMs: 5_000,
      message: 'the bad payload did not reach the DLQ',
    });
    const dead = await jsm.streams.getMessage(DLQ_STREAM, {
      last_by_subj: 'dlq.tester_evt-test-thing-happened-v1.evt.test.thing.happened.v1',
    });
    expect(dead.header.get(EventHeaders.DLQ_ATTEMPTS)).toBe('1');
    expect(dead.header.get(EventHeaders.DLQ_ERROR)).toContain('INVALID_PAYLOAD');
  });

  it('dead-letters at once an event its handler calls unprocessable, without its effect', async () => {
    const before = (await jsm.streams.info(DLQ_STREAM)).state.messages;
    await publishRaw({ n: 9, unprocessable: true }, 'event-9', 'msg-9');
    await waitFor(async () => (await jsm.streams.info(DLQ_STREAM)).state.messages > before, {
      timeoutMs: 5_000,
      message: 'the unprocessable event did not reach the DLQ',
    });
    const dead = await jsm.streams.getMessage(DLQ_STREAM, {
      last_by_subj: 'dlq.tester_evt-test-thing-happened-v1.evt.test.thing.happened.v1',
    });
    expect(dead.header.get(EventHeaders.DLQ_ATTEMPTS)).toBe('1');
    expect(dead.header.get(EventHeaders.DLQ_ERROR)).toContain('thing 9 can never be handled');
    expect(attempts.get(9)).toBe(1);
    expect(await effectsOf(9)).toBe(0);
  });

  // Runs last: it closes the app.
  it('runs a handler declared with concurrency 2 at most two at a time, with two unacked at most', async () => {
    const js = nats.jetstream();
    await Promise.all(
      Array.from({ length: 8 }, (_, n) =>
        js.publish(Throttled.subject, sc.encode(JSON.stringify({ n })), {
          msgID: `throttled-${n}`,
        }),
      ),
    );
    await waitFor(async () => throttled.done === 8, {
      timeoutMs: 10_000,
      message: 'the throttled events were not all handled',
    });
    expect(throttled.most).toBe(2);
    const consumer = await jsm.consumers.info('TEST', 'tester_evt-test-thing-throttled-v1');
    expect(consumer.config.max_ack_pending).toBe(2);
    // Other handlers keep the service's limits.
    const happened = await jsm.consumers.info('TEST', 'tester_evt-test-thing-happened-v1');
    expect(happened.config.max_ack_pending).toBe(256);
  });

  it('refuses a concurrency that is not a positive integer', () => {
    expect(() => EventHandler(Throttled, { concurrency: 0 })).toThrow(
      '@EventHandler(evt.test.thing.throttled.v1): concurrency must be a positive integer, not 0',
    );
  });

  it('on shutdown stops pulling, lets the running handlers commit, and loses nothing', async () => {
    const observer = await connect({ servers: env.nats.url });
    try {
      const slow = Array.from({ length: 60 }, (_, i) => 1_000 + i);
      for (const n of slow) await publishRaw({ n, slowMs: 300 }, `event-${n}`, `msg-${n}`);
      await waitFor(() => slow.some((n) => attempts.has(n)), {
        timeoutMs: 5_000,
        message: 'no slow handler started',
      });
      await app.close();
      closed = true;
      const started = slow.filter((n) => attempts.has(n));
      const consumer = await (
        await observer.jetstreamManager()
      ).consumers.info('TEST', 'tester_evt-test-thing-happened-v1');
      const database = new DataSource({ type: 'postgres', url: env.databases['jetstream'].url });
      await database.initialize();
      const [{ count }] = (await database.query(
        'SELECT COUNT(*)::int AS count FROM effects WHERE n >= 1000',
      )) as { count: number }[];
      await database.destroy();
      process.stdout.write(
        `shutdown with 60 slow events queued: ${started.length} handled, ${consumer.num_pending + consumer.num_ack_pending} left for the next consumer\n`,
      );
      expect(count).toBe(started.length); // every handler that started committed
      expect(started.length).toBeLessThan(slow.length); // it stopped pulling
      // Nothing lost: every event not handled is still the consumer's, pending or (pulled but not
      // started, so handed back) awaiting redelivery. A message just nak'd can show in both counts
      // for a moment, hence "at least".
      expect(consumer.num_pending + consumer.num_ack_pending).toBeGreaterThanOrEqual(
        slow.length - started.length,
      );
    } finally {
      await observer.close();
    }
  }, 30_000);
});
