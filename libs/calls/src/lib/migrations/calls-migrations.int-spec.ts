import {
  buildDataSourceOptions,
  isUniqueViolation,
  runMigrations,
} from '@switchboard/platform-persistence';
import { createTestDatabase } from '@switchboard/platform-testing';
import { DataSource, LessThanOrEqual } from 'typeorm';
import { CallsDomain } from '../calls.module';
import { BusyUserEntity } from '../entities/busy-user.entity';
import { CallEntity } from '../entities/call.entity';

/**
 * The calls schema on both databases Switchboard runs on (SQLite for `npm start`, Postgres when
 * deployed): the migration goes down and up, and what the domain relies on — the compare-and-set
 * UPDATE's affected count, the busy table's key, timestamp comparisons — behaves alike.
 */
describe.each(['sqlite', 'postgres'] as const)('calls migrations on %s', (kind) => {
  let dataSource: DataSource;
  let dropDatabase: (() => Promise<void>) | undefined;

  beforeAll(async () => {
    let url = 'sqlite::memory:';
    if (kind === 'postgres') {
      const database = await createTestDatabase('calls-migrations');
      url = database.url;
      dropDatabase = () => database.drop();
    }
    dataSource = new DataSource(
      buildDataSourceOptions({
        url,
        entities: CallsDomain.entities,
        migrations: CallsDomain.migrations,
      }),
    );
    await dataSource.initialize();
    await runMigrations(dataSource);
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await dropDatabase?.();
  });

  const call = (id: string, ringsUntil: Date): CallEntity => ({
    id,
    conversationId: '0195f6a0-0000-7000-8000-000000000000',
    callerId: 'alice',
    inviteeIds: ['bob', 'j.doe'],
    state: 'ringing',
    acceptedBy: null,
    createdAt: new Date(),
    ringsUntil,
    answeredAt: null,
    endedAt: null,
    durationSeconds: null,
    failureReason: null,
  });

  it('migrates down and up again', async () => {
    await dataSource.undoLastMigration({ transaction: 'each' });
    await runMigrations(dataSource);
  });

  it('changes a state once, finds due calls by time and keeps a user in one call', async () => {
    const calls = dataSource.getRepository(CallEntity);
    const past = new Date(Date.now() - 1_000);
    await calls.insert([
      call('0195f6a0-0000-7000-8000-000000000001', past),
      call('0195f6a0-0000-7000-8000-000000000002', new Date(Date.now() + 60_000)),
    ]);
    const due = await calls.findBy({ state: 'ringing', ringsUntil: LessThanOrEqual(new Date()) });
    expect(due.map((row) => row.id)).toEqual(['0195f6a0-0000-7000-8000-000000000001']);
    expect(due[0]?.inviteeIds).toEqual(['bob', 'j.doe']);
    expect(due[0]?.ringsUntil.getTime()).toBe(past.getTime());

    const where = { id: '0195f6a0-0000-7000-8000-000000000001', state: 'ringing' as const };
    expect((await calls.update(where, { state: 'missed' })).affected).toBe(1);
    expect((await calls.update(where, { state: 'missed' })).affected).toBe(0);

    const busy = dataSource.getRepository(BusyUserEntity);
    await busy.insert({ userId: 'alice', callId: '0195f6a0-0000-7000-8000-000000000002' });
    const again = await busy
      .insert({ userId: 'alice', callId: '0195f6a0-0000-7000-8000-000000000001' })
      .then(
        () => undefined,
        (error: unknown) => error,
      );
    expect(isUniqueViolation(again)).toBe(true);
  });
});
