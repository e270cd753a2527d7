import { Controller, type DynamicModule, Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { Ctx, Payload } from '@nestjs/microservices';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import {
  EventContext,
  EventHandler,
  JetStreamTransport,
  MESSAGING_ENTITIES,
  MESSAGING_MIGRATIONS,
  MessagingModule,
  NATS_CONNECTION,
  Outbox,
  OutboxModule,
  OutboxRelay,
} from '@switchboard/platform-messaging';
import { PersistenceModule } from '@switchboard/platform-persistence';
import { type NatsConnection } from 'nats';
import {
  DataSource,
  type EntitySubscriberInterface,
  type TransactionCommitEvent,
  type TransactionRollbackEvent,
} from 'typeorm';
import { BenchEvent, benchEvent, type BenchEventPayload, nowUs } from '../bench-event.contract';
import { type ConsumedLog } from '../consumed.log';
import { BenchEffectEntity, CreateBenchEffects1764160000000 } from '../effect.entity';
import {
  type ConsumerSettings,
  type EventsConsumer,
  type EventsImplementation,
  type EventsProducer,
  produceUnits,
  type ProducerSettings,
} from './implementation';

const PRODUCER_SERVICE = 'bench-producer';
const CONSUMER_SERVICE = 'bench-consumer';
/** Query-runner key under which the handler leaves its events for the commit hook. */
const HANDLED_EVENTS = 'bench.handledEvents';

@Controller()
class BenchEventHandler {
  /**
   * What a real handler does, at its smallest: one effect row in the inbox's transaction. It
   * writes nothing but that row, so it may share a transaction with other events (`batch`).
   */
  @EventHandler(BenchEvent, { batch: true })
  async recorded(@Payload() event: BenchEventPayload, @Ctx() context: EventContext): Promise<void> {
    await context.manager.insert(BenchEffectEntity, { eventId: context.eventId, seq: event.seq });
    // Measured when the transaction has committed, not here: see EffectCommits.
    const runner = context.manager.queryRunner;
    if (runner) {
      const handled = (runner.data[HANDLED_EVENTS] as BenchEventPayload[] | undefined) ?? [];
      handled.push(event);
      runner.data[HANDLED_EVENTS] = handled;
    }
  }
}

/**
 * Records an event as done when the transaction holding its inbox row and effect has committed
 * (TypeORM's commit hook, the one the outbox relay also listens to) — the ack follows right after.
 */
class EffectCommits implements EntitySubscriberInterface {
  constructor(private readonly log: ConsumedLog) {}

  afterTransactionCommit(event: TransactionCommitEvent): void {
    const handled = event.queryRunner.data[HANDLED_EVENTS] as BenchEventPayload[] | undefined;
    if (handled === undefined) return;
    event.queryRunner.data[HANDLED_EVENTS] = undefined;
    for (const { seq, at } of handled) this.log.record(seq, at);
  }
}

/** A rolled-back transaction's events were not handled: a batch that failed is handled again. */
class EffectRollbacks implements EntitySubscriberInterface {
  afterTransactionRollback(event: TransactionRollbackEvent): void {
    event.queryRunner.data[HANDLED_EVENTS] = undefined;
  }
}

/**
 * Resolves once the relay has published `target` events since boot, looked at after every commit
 * (the relay deletes what it published and commits, so its last commit is when the outbox is empty
 * again). No polling: nothing runs in the producer that a service would not run.
 */
class RelayDrained implements EntitySubscriberInterface {
  private waiting?: { target: number; resolve: (atUs: number) => void };

  constructor(private readonly relay: OutboxRelay) {}

  until(target: number): Promise<number> {
    if (this.relay.published >= target) return Promise.resolve(nowUs());
    return new Promise((resolve) => {
      this.waiting = { target, resolve };
    });
  }

  afterTransactionCommit(): void {
    if (this.waiting && this.relay.published >= this.waiting.target) {
      this.waiting.resolve(nowUs());
      this.waiting = undefined;
    }
  }
}

@Module({})
class PlatformProducerModule {
  static forDatabase(natsUrl: string, databaseUrl: string): DynamicModule {
    return {
      module: PlatformProducerModule,
      imports: [
        PersistenceModule.forRoot({
          url: databaseUrl,
          entities: MESSAGING_ENTITIES,
          migrations: MESSAGING_MIGRATIONS,
          migrate: true,
        }),
        MessagingModule.forRoot({ serviceName: PRODUCER_SERVICE, natsUrl }),
        OutboxModule,
      ],
    };
  }
}

@Module({})
class PlatformConsumerModule {
  static forDatabase(natsUrl: string, databaseUrl: string): DynamicModule {
    return {
      module: PlatformConsumerModule,
      imports: [
        PersistenceModule.forRoot({
          url: databaseUrl,
          entities: [...MESSAGING_ENTITIES, BenchEffectEntity],
          migrations: [...MESSAGING_MIGRATIONS, CreateBenchEffects1764160000000],
          migrate: true,
        }),
        MessagingModule.forRoot({ serviceName: CONSUMER_SERVICE, natsUrl }),
      ],
      controllers: [BenchEventHandler],
    };
  }
}

function databaseOf(settings: { databaseUrl?: string }): string {
  if (settings.databaseUrl === undefined) throw new Error('the platform needs a database');
  return settings.databaseUrl;
}

/**
 * The real path between two services. The producer is a Nest app with the platform's persistence,
 * messaging and outbox modules: each transaction writes `batch` events with `Outbox.add`, and the
 * `OutboxRelay` of the same process publishes them (`Nats-Msg-Id`, PubAck, delete). The consumer is
 * a Nest app with `JetStreamTransport` and an `@EventHandler` that writes one effect row per event
 * with `context.manager`: inbox row + effect in one transaction, ack after the commit. Each side has
 * its own Postgres database, as two services do.
 */
export const platformEventsImplementation: EventsImplementation = {
  async startProducer(settings: ProducerSettings): Promise<EventsProducer> {
    const app = await NestFactory.createApplicationContext(
      PlatformProducerModule.forDatabase(settings.natsUrl, databaseOf(settings)),
      { logger: false },
    );
    const dataSource = app.get(DataSource);
    const outbox = app.get(Outbox);
    const drained = new RelayDrained(app.get(OutboxRelay));
    dataSource.subscribers.push(drained);
    return {
      async produce(from: number, count: number) {
        const committedAtUs = new Float64Array(count);
        const transactions = Math.ceil(count / settings.batch);
        const startedAtUs = nowUs();
        const scheduleLag = await produceUnits(
          transactions,
          settings.batch,
          { lanes: settings.transactions, rate: settings.rate },
          async (unit) => {
            const first = unit * settings.batch;
            const end = Math.min(count, first + settings.batch);
            await dataSource.transaction(async (manager) => {
              for (let i = first; i < end; i++) {
                await outbox.add(manager, BenchEvent, benchEvent(from + i, settings.payloadBytes));
              }
            });
            committedAtUs.fill(nowUs(), first, end);
          },
        );
        const writtenAtUs = nowUs();
        const relayedAtUs = await drained.until(from + count);
        return { startedAtUs, writtenAtUs, relayedAtUs, committedAtUs, scheduleLag };
      },
      stop: () => app.close(),
    };
  },

  async startConsumer(settings: ConsumerSettings): Promise<EventsConsumer> {
    const app = await NestFactory.create(
      PlatformConsumerModule.forDatabase(settings.natsUrl, databaseOf(settings)),
      new FastifyAdapter(),
      { logger: false },
    );
    const dataSource = app.get(DataSource);
    dataSource.subscribers.push(new EffectCommits(settings.log), new EffectRollbacks());
    // Wired as createServiceApp wires a service's consumers, with the transport's defaults.
    app.connectMicroservice(
      {
        strategy: new JetStreamTransport({
          connection: app.get<NatsConnection>(NATS_CONNECTION),
          domains: [{ name: CONSUMER_SERVICE, dataSource }],
        }),
      },
      { inheritAppConfig: true },
    );
    await app.startAllMicroservices();
    // No HTTP listener: init() runs the lifecycle hooks, and the consumer is already pulling.
    await app.init();
    return { stop: () => app.close() };
  },
};
