import {
  buildDataSourceOptions,
  insertIfAbsent,
  runMigrations,
} from '@switchboard/platform-persistence';
import { createTestDatabase } from '@switchboard/platform-testing';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { BotsDomain } from '../bots.module';
import { BotConversationEntity } from '../entities/bot-conversation.entity';
import { BotReplyEntity } from '../entities/bot-reply.entity';
import { PollEntity } from '../entities/poll.entity';
import { ReminderEntity } from '../entities/reminder.entity';

/**
 * The bots schema on both databases Switchboard runs on: SQLite is the `npm start` default,
 * Postgres the deployed one. Migrations go up and down, and the statements that depend on the
 * dialect (insert-if-absent, the unique open poll, timestamp comparisons) behave alike.
 */
describe.each(['sqlite', 'postgres'] as const)('bots migrations on %s', (kind) => {
  let dataSource: DataSource;
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    let url = 'sqlite::memory:';
    if (kind === 'postgres') {
      const database = await createTestDatabase('bots-migrations');
      url = database.url;
      dropDatabase = () => database.drop();
    }
    dataSource = new DataSource(
      buildDataSourceOptions({
        url,
        entities: BotsDomain.entities,
        migrations: BotsDomain.migrations,
      }),
    );
    await dataSource.initialize();
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase?.();
  });

  it('migrates down and up again', async () => {
    await dataSource.undoLastMigration({ transaction: 'each' });
    await runMigrations(dataSource);
  });

  it('inserts a row once and says whether it did', async () => {
    await dataSource.transaction(async (manager) => {
      const row = { conversationId: 'c1', initializedAt: new Date() };
      expect(await insertIfAbsent(manager, BotConversationEntity, row)).toBe(true);
      expect(await insertIfAbsent(manager, BotConversationEntity, row)).toBe(false);
    });
    expect(await dataSource.getRepository(BotConversationEntity).countBy({})).toBe(1);
  });

  it('allows one open poll per conversation and any number of closed ones', async () => {
    const polls = dataSource.getRepository(PollEntity);
    const poll = (id: string, openIn: string | null) => ({
      id,
      conversationId: 'c1',
      openIn,
      question: 'Q?',
      options: ['a', 'b'],
      createdBy: 'alice',
      createdAt: new Date(),
      closedAt: null,
    });
    await polls.insert(poll('p1', null));
    await polls.insert(poll('p2', null));
    await expect(
      dataSource.transaction((manager) => insertIfAbsent(manager, PollEntity, poll('p3', 'c1'))),
    ).resolves.toBe(true);
    await expect(
      dataSource.transaction((manager) => insertIfAbsent(manager, PollEntity, poll('p4', 'c1'))),
    ).resolves.toBe(false);
    await expect(polls.insert(poll('p5', 'c1'))).rejects.toThrow();
    expect(await polls.findOneByOrFail({ openIn: 'c1' })).toMatchObject({
      id: 'p3',
      options: ['a', 'b'],
    });
  });

  it('keeps one reply per (bot, key) and finds reminders by due time', async () => {
    const reply = {
      triggerMessageId: 'm1',
      bot: 'remind-bot',
      conversationId: 'c1',
      replyMessageId: 'r1',
      createdAt: new Date(),
    };
    const replies = dataSource.getRepository(BotReplyEntity);
    await replies.insert({ ...reply, id: 'a', replyKey: 'm1' });
    await replies.insert({ ...reply, id: 'b', replyKey: 'reminder:1' });
    await expect(replies.insert({ ...reply, id: 'c', replyKey: 'm1' })).rejects.toThrow();

    const reminders = dataSource.getRepository(ReminderEntity);
    const now = Date.now();
    for (const [id, offset] of [
      ['due', -1_000],
      ['later', 60_000],
    ] as const) {
      await reminders.insert({
        id,
        conversationId: 'c1',
        requestedBy: 'alice',
        triggerMessageId: 'm1',
        text: 'x',
        dueAt: new Date(now + offset),
        status: 'pending',
        leaseUntil: null,
        attempts: 0,
        createdAt: new Date(now),
        finishedAt: null,
      });
    }
    const due = await reminders.findBy({
      status: 'pending',
      dueAt: LessThanOrEqual(new Date(now)),
    });
    expect(due.map((reminder) => reminder.id)).toEqual(['due']);
    const claimed = await reminders.update(
      { id: 'due', attempts: 0 },
      { status: 'delivering', attempts: 1 },
    );
    expect(claimed.affected).toBe(1);
    const lost = await reminders.update({ id: 'due', attempts: 0 }, { status: 'delivering' });
    expect(lost.affected).toBe(0);
  });
});
