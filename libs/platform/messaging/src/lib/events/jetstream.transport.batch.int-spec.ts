import { Controller, type INestApplication } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { defineEvent, type EventPayload } from '@switchboard/contracts';
import { PersistenceModule, uuidv7 } from '@switchboard/platform-persistence';
import {
  createTestEnvironment,
  startTcpProxy,
  type TcpProxy,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import {
  connect,
  headers,
  type JetStreamManager,
  type NatsConnection,
  StringCodec,
  type Subscription,
} from 'nats';
import { setTimeout as sleep } from 'node:timers/promises';
import {
  Column,
  DataSource,
  Entity,
  type EntitySubscriberInterface,
  type MigrationInterface,
  PrimaryColumn,
  type QueryRunner,
  Table,
  type TransactionCommitEvent,
} from 'typeorm';
import { z } from 'zod';
import { EventHandler } from '../handler.decorators';
import { MessagingModule } from '../messaging.module';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { InboxMessageEntity } from '../storage/inbox-message.entity';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '../storage/messaging-tables';
import { type EventContext } from './event-context';
import { EventHeaders } from '../jetstream/event-headers';
import { type JetStreamTransportOptions } from './jetstream-transport.options';
import { JetStreamTransport } from './jetstream.transport';
import { DLQ_STREAM } from '../jetstream/streams';

const Recorded = defineEvent({
  subject: 'evt.batch.item.recorded.v1',
  payload: z
    .object({
      n: z.number().int(),
      /** The handler waits until the test opens this event's gate. */
      gate: z.boolean().optional(),
      /** The handler writes its effect, then throws: on every attempt. */
      poison: z.boolean().optional(),
      /** The handler takes this long before writing its effect. */
      slowMs: z.number().int().optional(),
    })
    .strict(),
});
const STREAM = 'BATCH';
const CONSUMER = 'tester_evt-batch-item-recorded-v1';
const MAX_DELIVER = 3;

/**
 * One row per effect, with the id of the transaction that wrote it. No unique key on the event: a
 * second effect would be counted, not swallowed.
 */
@Entity({ name: 'batch_effects' })
class BatchEffectEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'event_id', type: 'varchar', length: 128 })
  eventId!: string;

  @Column({ type: 'integer' })
  n!: number;

  @Column({ type: 'varchar', length: 32 })
  tx!: string;
}

class CreateBatchEffects1764150009998 implements MigrationInterface {
  name = 'CreateBatchEffects1764150009998';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'batch_effects',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'event_id', type: 'varchar', length: '128' },
          { name: 'n', type: 'integer' },
          { name: 'tx', type: 'varchar', length: '32' },
        ],
      }),
    );
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('batch_effects');
  }
}

/** A handler call: which event, which delivery, in which transaction. */
interface Call {
  n: number;
  attempt: number;
  transaction: QueryRunner | undefined;
}

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve!: () => void;
  const promise = new Promise<void>((done) => (resolve = done));
  return { promise, resolve };
}

/** Events whose handler waits for the test: `entered(n)` once it waits, `open(n)` lets it go on. */
class Gates {
  private readonly gates = new Map<
    number,
    { entered: ReturnType<typeof deferred>; opened: ReturnType<typeof deferred> }
  >();

  private of(n: number) {
    let gate = this.gates.get(n);
    if (!gate) {
      gate = { entered: deferred(), opened: deferred() };
      this.gates.set(n, gate);
    }
    return gate;
  }

  async pass(n: number): Promise<void> {
    const gate = this.of(n);
    gate.entered.resolve();
    await gate.opened.promise;
  }

  entered(n: number): Promise<void> {
    return this.of(n).entered.promise;
  }

  open(n: number): void {
    this.of(n).opened.resolve();
  }

  openAll(): void {
    for (const gate of this.gates.values()) gate.opened.resolve();
  }
}

/** What the handler saw; reset by each suite. */
const world = { calls: [] as Call[], gates: new Gates() };

@Controller()
class RecordedHandler {
  @EventHandler(Recorded, { batch: true })
  async recorded(
    @Payload() payload: EventPayload<typeof Recorded>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    world.calls.push({
      n: payload.n,
      attempt: context.attempt,
      transaction: context.manager.queryRunner,
    });
    if (payload.gate) await world.gates.pass(payload.n);
    if (payload.slowMs) await sleep(payload.slowMs);
    const [{ tx }] = (await context.manager.query('SELECT txid_current()::text AS tx')) as {
      tx: string;
    }[];
    await context.manager.insert(BatchEffectEntity, {
      id: uuidv7(),
      eventId: context.eventId,
      n: payload.n,
      tx,
    });
    if (payload.poison) throw new Error(`item ${payload.n} is poison`);
  }
}

/** A consumer of `Recorded` whose one handler slot (concurrency 1) lets the test line events up. */
async function startConsumer(
  databaseUrl: string,
  natsUrl: string,
  options: Partial<JetStreamTransportOptions> = {},
): Promise<{ app: INestApplication; dataSource: DataSource }> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      PersistenceModule.forRoot({
        url: databaseUrl,
        entities: [...MESSAGING_ENTITIES, BatchEffectEntity],
        migrations: [...MESSAGING_MIGRATIONS, CreateBatchEffects1764150009998],
        migrate: true,
      }),
      MessagingModule.forRoot({ serviceName: 'tester', natsUrl }),
    ],
    controllers: [RecordedHandler],
  }).compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: false });
  const dataSource = app.get(DataSource);
  app.connectMicroservice({
    strategy: new JetStreamTransport({
      connection: app.get(NATS_CONNECTION),
      domains: [{ name: 'tester', dataSource }],
      concurrency: 1,
      maxDeliver: MAX_DELIVER,
      backoffMs: 50,
      maxBackoffMs: 200,
      ...options,
    }),
  });
  await app.startAllMicroservices();
  await app.init();
  return { app, dataSource };
}

/** The test's own connection: publishes events and watches the consumer's acks. */
class Driver {
  private readonly sc = StringCodec();
  /** Stream sequence → what the consumer answered each delivery (`+ACK`, `-NAK`, `+TERM`). */
  readonly answers = new Map<number, string[]>();
  private readonly watch: Subscription;

  constructor(
    readonly nats: NatsConnection,
    readonly jsm: JetStreamManager,
  ) {
    // $JS.ACK.<stream>.<consumer>.<delivered>.<stream seq>.<consumer seq>.<time>.<pending>
    this.watch = nats.subscribe(`$JS.ACK.${STREAM}.${CONSUMER}.>`, {
      callback: (_error, msg) => {
        const seq = Number(msg.subject.split('.')[5]);
        const answer = this.sc.decode(msg.data).split(' ')[0] ?? '';
        this.answers.set(seq, [...(this.answers.get(seq) ?? []), answer]);
      },
    });
  }

  /** Publishes event `n` (event id `event-<n>` unless given) and returns its stream sequence. */
  async publish(
    payload: EventPayload<typeof Recorded>,
    eventId = `event-${payload.n}`,
    msgID = eventId,
  ): Promise<number> {
    const h = headers();
    h.set(EventHeaders.EVENT_ID, eventId);
    const ack = await this.nats
      .jetstream()
      .publish(Recorded.subject, this.sc.encode(JSON.stringify(payload)), { msgID, headers: h });
    return ack.seq;
  }

  acked(seq: number): number {
    return (this.answers.get(seq) ?? []).filter((answer) => answer === '+ACK').length;
  }

  async unacked(): Promise<number> {
    return (await this.jsm.consumers.info(STREAM, CONSUMER)).num_ack_pending;
  }

  /**
   * Lines `events` up behind a blocker: the blocker takes the consumer's only handler slot and waits
   * at its gate, the events are delivered and wait for the slot, then the blocker goes on — and
   * the events waiting are handled together. Returns their stream sequences.
   */
  async lineUp(
    blocker: number,
    events: { payload: EventPayload<typeof Recorded>; eventId?: string; msgID?: string }[],
  ): Promise<number[]> {
    await this.publish({ n: blocker, gate: true });
    await world.gates.entered(blocker);
    const seqs: number[] = [];
    for (const { payload, eventId, msgID } of events) {
      seqs.push(await this.publish(payload, eventId, msgID));
    }
    await waitFor(async () => (await this.unacked()) === events.length + 1, {
      timeoutMs: 5_000,
      message: 'the events were not all delivered to the consumer',
    });
    // Delivered by the server; give the client a moment to queue them.
    await sleep(200);
    world.gates.open(blocker);
    return seqs;
  }

  async quiet(): Promise<void> {
    await waitFor(async () => (await this.unacked()) === 0, {
      timeoutMs: 15_000,
      message: 'the consumer still holds unacknowledged deliveries',
    });
  }

  stop(): void {
    this.watch.unsubscribe();
  }
}

async function effectsOf(dataSource: DataSource, n: number): Promise<BatchEffectEntity[]> {
  return dataSource.getRepository(BatchEffectEntity).findBy({ n });
}

describe('JetStreamTransport: a batched handler (real nats-server + Postgres)', () => {
  let env: TestEnvironment;
  let app: INestApplication;
  let dataSource: DataSource;
  let observer: NatsConnection;
  let driver: Driver;
  /** Per commit of a transaction that handled events: how many of their acks were seen by then. */
  const acksSeenAtCommit: { ns: number[]; acks: number }[] = [];
  const seqOfEvent = new Map<number, number>();

  beforeAll(async () => {
    world.calls = [];
    world.gates = new Gates();
    env = await createTestEnvironment(['batch']);
    observer = await connect({ servers: env.nats.url });
    const jsm = await observer.jetstreamManager();
    await jsm.streams.add({ name: STREAM, subjects: ['evt.batch.>'], duplicate_window: 120e9 });
    ({ app, dataSource } = await startConsumer(env.databases['batch'].url, env.nats.url));
    driver = new Driver(observer, jsm);
    const watcher: EntitySubscriberInterface = {
      beforeTransactionCommit(event: TransactionCommitEvent) {
        const ns = world.calls
          .filter((call) => call.transaction === event.queryRunner)
          .map((call) => call.n);
        const acks = ns.reduce((sum, n) => sum + driver.acked(seqOfEvent.get(n) ?? -1), 0);
        acksSeenAtCommit.push({ ns, acks });
      },
    };
    dataSource.subscribers.push(watcher);
  }, 30_000);

  let closed = false;
  /** The consumer's database, read after the app closed its own connection. */
  const reopen = async (): Promise<DataSource> => {
    const database = new DataSource({
      type: 'postgres',
      url: env.databases['batch'].url,
      entities: [BatchEffectEntity],
    });
    await database.initialize();
    opened.push(database);
    return database;
  };
  const opened: DataSource[] = [];

  afterAll(async () => {
    world.gates.openAll();
    driver?.stop();
    if (!closed) await app?.close();
    for (const database of opened) await database.destroy();
    await observer?.close();
    await env?.stop();
  });

  it('handles the events waiting for it in one transaction: one inbox row and one effect each, acks after the commit', async () => {
    const ns = Array.from({ length: 20 }, (_, i) => 101 + i);
    const seqs = await driver.lineUp(
      100,
      // The last handler of the batch takes its time: an ack sent before the commit would be seen.
      ns.map((n) => ({ payload: n === 120 ? { n, slowMs: 300 } : { n } })),
    );
    ns.forEach((n, i) => seqOfEvent.set(n, seqs[i] as number));
    await waitFor(async () => (await dataSource.getRepository(BatchEffectEntity).count()) >= 21, {
      timeoutMs: 10_000,
      message: 'the events were not handled',
    });
    await waitFor(() => seqs.every((seq) => driver.acked(seq) === 1), {
      timeoutMs: 5_000,
      message: 'not every event was acked',
    });

    const effects = (await Promise.all(ns.map((n) => effectsOf(dataSource, n)))).flat();
    expect(effects).toHaveLength(20);
    expect(new Set(effects.map((effect) => effect.tx)).size).toBe(1);
    const inbox = await dataSource
      .getRepository(InboxMessageEntity)
      .countBy(ns.map((n) => ({ consumer: CONSUMER, eventId: `event-${n}` })));
    expect(inbox).toBe(20);
    const commit = acksSeenAtCommit.find((entry) => entry.ns.includes(101));
    expect(commit).toEqual({ ns, acks: 0 });
    for (const seq of seqs) expect(driver.answers.get(seq)).toEqual(['+ACK']);
    await driver.quiet();
  }, 30_000);

  it('rolls a batch with a poison event back: the others commit once, the poison alone is retried and dead-lettered', async () => {
    const ns = Array.from({ length: 10 }, (_, i) => 201 + i);
    const poison = 205;
    await driver.lineUp(
      200,
      ns.map((n) => ({ payload: n === poison ? { n, poison: true } : { n } })),
    );
    const dlqSubject = `dlq.${CONSUMER}.${Recorded.subject}`;
    await waitFor(
      async () =>
        (await driver.jsm.streams
          .getMessage(DLQ_STREAM, { last_by_subj: dlqSubject })
          .catch(() => undefined)) !== undefined,
      { timeoutMs: 15_000, message: 'the poison event did not reach the DLQ' },
    );
    await driver.quiet();

    for (const n of ns) {
      expect({ n, effects: (await effectsOf(dataSource, n)).length }).toEqual({
        n,
        effects: n === poison ? 0 : 1,
      });
    }
    const dead = await driver.jsm.streams.getMessage(DLQ_STREAM, { last_by_subj: dlqSubject });
    expect(dead.header.get(EventHeaders.EVENT_ID)).toBe(`event-${poison}`);
    expect(dead.header.get(EventHeaders.DLQ_ATTEMPTS)).toBe(String(MAX_DELIVER));
    expect(dead.header.get(EventHeaders.DLQ_ERROR)).toContain(`item ${poison} is poison`);
    // First in the batch, then alone on each of its deliveries.
    const poisonCalls = world.calls.filter((call) => call.n === poison);
    expect(poisonCalls.map((call) => call.attempt)).toEqual([1, 1, 2, 3]);
    for (const call of poisonCalls.slice(1)) {
      const sharing = world.calls.filter((other) => other.transaction === call.transaction);
      expect(sharing.map((other) => other.n)).toEqual([poison]);
    }
  }, 30_000);

  it('has one effect for an event delivered twice in a batch, and none for it in a later batch', async () => {
    const first = await driver.lineUp(300, [
      { payload: { n: 301 }, msgID: 'msg-301-a' },
      { payload: { n: 302 } },
      // The same event stored again under another Nats-Msg-Id (a replay, a second publisher).
      { payload: { n: 301 }, msgID: 'msg-301-b' },
      { payload: { n: 303 } },
    ]);
    await driver.quiet();
    const later = await driver.lineUp(310, [
      { payload: { n: 311 } },
      { payload: { n: 301 }, msgID: 'msg-301-c' },
      { payload: { n: 312 } },
    ]);
    await driver.quiet();

    for (const n of [301, 302, 303, 311, 312]) {
      expect({ n, effects: (await effectsOf(dataSource, n)).length }).toEqual({ n, effects: 1 });
    }
    expect(world.calls.filter((call) => call.n === 301)).toHaveLength(1);
    // Every copy was acked, the duplicates included.
    for (const seq of [...first, ...later]) expect(driver.acked(seq)).toBe(1);
  }, 30_000);

  it('refuses a batch size that is not a positive integer', () => {
    expect(() => EventHandler(Recorded, { batch: 0 })).toThrow(
      '@EventHandler(evt.batch.item.recorded.v1): batch must be true, false or a positive integer, not 0',
    );
    expect(() => EventHandler(Recorded, { batch: 2.5 })).toThrow('not 2.5');
  });

  // Runs last: it closes the app.
  it('on shutdown lets the running batch commit and hands the waiting events back at once', async () => {
    const ns = [501, 502, 503];
    await driver.publish({ n: 500, gate: true });
    await world.gates.entered(500);
    const seqs: number[] = [];
    for (const n of ns) seqs.push(await driver.publish({ n }));
    await waitFor(async () => (await driver.unacked()) === ns.length + 1, {
      timeoutMs: 5_000,
      message: 'the events were not all delivered to the consumer',
    });
    await sleep(200);
    const closing = app.close();
    await waitFor(() => seqs.every((seq) => (driver.answers.get(seq) ?? []).includes('-NAK')), {
      timeoutMs: 5_000,
      message: 'the waiting events were not handed back',
    });
    world.gates.open(500);
    await closing;
    closed = true;

    // The running batch committed its effect before the app closed.
    expect((await effectsOf(await reopen(), 500)).length).toBe(1);
    for (const n of ns) expect(world.calls.some((call) => call.n === n)).toBe(false);
    const consumer = await driver.jsm.consumers.info(STREAM, CONSUMER);
    expect(consumer.num_pending + consumer.num_ack_pending).toBeGreaterThanOrEqual(ns.length);
  }, 30_000);
});

describe('JetStreamTransport: a batched handler losing its database mid-batch', () => {
  let env: TestEnvironment;
  let proxy: TcpProxy;
  let app: INestApplication;
  let dataSource: DataSource;
  let observer: NatsConnection;
  let driver: Driver;

  beforeAll(async () => {
    world.calls = [];
    world.gates = new Gates();
    env = await createTestEnvironment(['batchoutage']);
    const direct = new URL(env.databases['batchoutage'].url);
    proxy = await startTcpProxy({
      targetHost: direct.hostname,
      targetPort: Number(direct.port || 5432),
    });
    const viaProxy = new URL(direct.toString());
    viaProxy.hostname = proxy.host;
    viaProxy.port = String(proxy.port);
    observer = await connect({ servers: env.nats.url });
    const jsm = await observer.jetstreamManager();
    await jsm.streams.add({ name: STREAM, subjects: ['evt.batch.>'], duplicate_window: 120e9 });
    ({ app, dataSource } = await startConsumer(viaProxy.toString(), env.nats.url, {
      maxDeliver: 2,
    }));
    driver = new Driver(observer, jsm);
  }, 30_000);

  afterAll(async () => {
    world.gates.openAll();
    await proxy?.restore();
    driver?.stop();
    await app?.close();
    await proxy?.stop();
    await observer?.close();
    await env?.stop();
  });

  it('loses nothing, and its deliveries meanwhile do not count towards the DLQ', async () => {
    const ns = Array.from({ length: 10 }, (_, i) => 401 + i);
    const gated = 405;
    await driver.lineUp(
      400,
      ns.map((n) => ({ payload: n === gated ? { n, gate: true } : { n } })),
    );
    // The batch is under way: four effects written in its transaction, the fifth handler waiting.
    await world.gates.entered(gated);
    await proxy.cut('refuse');
    world.gates.open(gated);
    // Redelivered every 2 s while the database is unreachable: more deliveries than maxDeliver (2).
    await sleep(5_000);
    const callsDuringOutage = world.calls.filter((call) => call.n > 400).length;
    await proxy.restore();

    await waitFor(
      async () =>
        (await dataSource.getRepository(BatchEffectEntity).count()) >= ns.length + 1 &&
        (await driver.unacked()) === 0,
      { timeoutMs: 30_000, message: 'the events were not all handled after the outage' },
    );
    for (const n of ns) {
      expect({ n, effects: (await effectsOf(dataSource, n)).length }).toEqual({ n, effects: 1 });
    }
    // The batch had begun: its first handlers ran before the database went away.
    expect(callsDuringOutage).toBe(5);
    expect((await driver.jsm.streams.info(DLQ_STREAM)).state.messages).toBe(0);
    const attempts = world.calls.filter((call) => call.n > 400).map((call) => call.attempt);
    expect(Math.max(...attempts)).toBeGreaterThan(2);
  }, 60_000);
});
