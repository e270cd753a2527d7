import { type INestApplication } from '@nestjs/common';
import { FastifyAdapter } from '@nestjs/platform-fastify';
import { Test } from '@nestjs/testing';
import { defineEvent } from '@switchboard/contracts';
import { PersistenceModule } from '@switchboard/platform-persistence';
import {
  createTestEnvironment,
  type TestEnvironment,
  waitFor,
} from '@switchboard/platform-testing';
import { type JetStreamManager, type NatsConnection } from 'nats';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { z } from 'zod';
import { MessagingModule } from '../messaging.module';
import { NATS_CONNECTION } from '../nats/nats-connection';
import { Outbox } from './outbox';
import { OutboxMessageEntity } from '../storage/outbox-message.entity';
import { OutboxModule } from './outbox.module';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '../storage/messaging-tables';
import { OutboxRelay } from './outbox.relay';

const Counted = defineEvent({
  subject: 'evt.relay.item.counted.v1',
  payload: z.object({ n: z.number().int() }).strict(),
});

async function startRelayApp(databaseUrl: string, natsUrl: string): Promise<INestApplication> {
  const moduleRef = await Test.createTestingModule({
    imports: [
      PersistenceModule.forRoot({
        url: databaseUrl,
        entities: MESSAGING_ENTITIES,
        migrations: MESSAGING_MIGRATIONS,
        migrate: true,
      }),
      MessagingModule.forRoot({ serviceName: 'relay-test', natsUrl }),
      OutboxModule,
    ],
  }).compile();
  const app = moduleRef.createNestApplication(new FastifyAdapter(), { logger: ['error'] });
  await app.init();
  return app;
}

/** Writes `count` events, `perTransaction` to a transaction, through the app's outbox. */
async function writeEvents(
  app: INestApplication,
  from: number,
  count: number,
  perTransaction: number,
) {
  const outbox = app.get(Outbox);
  const dataSource = app.get(DataSource);
  for (let start = from; start < from + count; start += perTransaction) {
    await dataSource.transaction(async (manager) => {
      for (let n = start; n < Math.min(start + perTransaction, from + count); n += 1) {
        await outbox.add(manager, Counted, { n });
      }
    });
  }
}

describe('OutboxRelay', () => {
  let env: TestEnvironment;
  let jsm: JetStreamManager;
  let nats: NatsConnection;
  const apps: INestApplication[] = [];

  beforeAll(async () => {
    env = await createTestEnvironment(['relay']);
    const probe = await startRelayApp(env.databases['relay'].url, env.nats.url);
    apps.push(probe);
    nats = probe.get(NATS_CONNECTION);
    jsm = await nats.jetstreamManager();
    await jsm.streams.add({ name: 'RELAY', subjects: ['evt.relay.>'], duplicate_window: 120e9 });
  }, 30_000);

  afterAll(async () => {
    for (const app of apps) await app.close();
    await env?.stop();
  });

  const storedInStream = async () => (await jsm.streams.info('RELAY')).state.messages;

  it('shares the outbox between several relays on Postgres without publishing a row twice', async () => {
    // Two more processes' worth of relays on the same database: three in all.
    apps.push(await startRelayApp(env.databases['relay'].url, env.nats.url));
    apps.push(await startRelayApp(env.databases['relay'].url, env.nats.url));
    const before = await storedInStream();
    const published = () => apps.reduce((sum, app) => sum + app.get(OutboxRelay).published, 0);
    const publishedBefore = published();

    await Promise.all(apps.map((app, index) => writeEvents(app, index * 1_000, 1_000, 25)));

    await waitFor(async () => (await storedInStream()) - before === 3_000, {
      timeoutMs: 30_000,
      message: 'not every event reached the stream',
    });
    // A relay's claiming DELETE commits after the batch's PubAcks: the last batch may be in the
    // stream and still in the table for a moment. Every row must leave it.
    const outbox = apps[0].get(DataSource).getRepository(OutboxMessageEntity);
    await waitFor(async () => (await outbox.count()) === 0, {
      timeoutMs: 10_000,
      message: 'rows are left in the outbox after every event reached the stream',
    });
    const perRelay = apps.map((app) => app.get(OutboxRelay).published);
    process.stdout.write(`3 relays, 3,000 events: published per relay ${perRelay.join(' / ')}\n`);
    // Each row was published by exactly one relay: a second publish would count here even though
    // JetStream's duplicate window would hide it from the stream.
    expect(published() - publishedBefore).toBe(3_000);
  }, 60_000);

  it('works on SQLite, and publishes rows left by a previous run at start-up', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'sb-relay-'));
    const url = `sqlite:${join(dir, 'relay.sqlite')}`;
    try {
      const first = await startRelayApp(url, env.nats.url);
      const before = await storedInStream();
      await writeEvents(first, 10_000, 200, 10);
      await waitFor(async () => (await storedInStream()) - before === 200, {
        timeoutMs: 15_000,
        message: 'the SQLite outbox was not published',
      });
      // Rows committed while no relay runs (here: inserted behind the relay's back after it stopped)
      // are published by the next one.
      await first.get(OutboxRelay).beforeApplicationShutdown();
      await writeEvents(first, 20_000, 30, 30);
      await first.close();
      expect(await storedInStream()).toBe(before + 200);

      const second = await startRelayApp(url, env.nats.url);
      try {
        await waitFor(async () => (await storedInStream()) - before === 230, {
          timeoutMs: 15_000,
          message: 'rows left in the outbox were not published after a restart',
        });
      } finally {
        await second.close();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
