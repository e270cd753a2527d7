import { Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { randomUUID } from 'node:crypto';
import { DataSource, type QueryRunner, type Repository } from 'typeorm';
import {
  AbortedTransactionError,
  buildDataSourceOptions,
  DatabaseHealth,
  PersistenceModule,
  POSTGRES_POOL_SIZE,
  runMigrations,
  timestampColumnType,
} from '../index';
import { CreateWidgets1732600000000 } from '../test-support/create-widgets.migration';
import {
  createTestDatabase,
  missingDatabaseUrl,
  type TestDatabase,
} from '../test-support/test-database.util';
import { Widget } from '../test-support/widget.entity';

jest.setTimeout(30_000);

@Injectable()
class WidgetStore {
  constructor(@InjectRepository(Widget) readonly widgets: Repository<Widget>) {}
}

@Module({
  imports: [TypeOrmModule.forFeature([Widget])],
  providers: [WidgetStore],
  exports: [WidgetStore],
})
class WidgetModule {}

describe('persistence on Postgres', () => {
  const databases: TestDatabase[] = [];
  const openDataSources: DataSource[] = [];

  async function freshDatabase(): Promise<string> {
    const database = await createTestDatabase();
    databases.push(database);
    return database.url;
  }

  async function open(url: string): Promise<DataSource> {
    const dataSource = new DataSource(
      buildDataSourceOptions({ url, entities: [Widget], migrations: [CreateWidgets1732600000000] }),
    );
    openDataSources.push(dataSource);
    return dataSource.initialize();
  }

  beforeAll(() => {
    Logger.overrideLogger(false);
  });

  afterAll(async () => {
    for (const dataSource of openDataSources) {
      if (dataSource.isInitialized) await dataSource.destroy();
    }
    for (const database of databases) await database.drop();
  });

  it('migrates with timestamptz columns, round-trips an instant to the millisecond, and applies nothing on the next boot', async () => {
    const url = await freshDatabase();
    const occurredAt = new Date('2024-05-06T07:08:09.123Z');
    const id = randomUUID();

    const first = await open(url);
    expect(timestampColumnType(first)).toBe('timestamptz');
    expect(await runMigrations(first)).toEqual(['CreateWidgets1732600000000']);
    expect(
      await first.query(
        `SELECT column_name, data_type FROM information_schema.columns
          WHERE table_name = 'widget' AND column_name IN ('occurred_at', 'created_at') ORDER BY column_name`,
      ),
    ).toEqual([
      { column_name: 'created_at', data_type: 'timestamp with time zone' },
      { column_name: 'occurred_at', data_type: 'timestamp with time zone' },
    ]);
    await first.getRepository(Widget).save({ id, name: 'first', occurredAt });
    const read = await first.getRepository(Widget).findOneByOrFail({ id });
    expect(read.occurredAt).toBeInstanceOf(Date);
    expect(read.occurredAt.getTime()).toBe(occurredAt.getTime());
    expect(Number.isNaN(read.createdAt.getTime())).toBe(false);
    await first.destroy();

    const second = await open(url);
    expect(await runMigrations(second)).toEqual([]);
    expect(await second.query('SELECT name FROM migrations')).toEqual([
      { name: 'CreateWidgets1732600000000' },
    ]);
    expect((await second.getRepository(Widget).findOneByOrFail({ id })).occurredAt.getTime()).toBe(
      occurredAt.getTime(),
    );
    await second.destroy();
  });

  it('refuses to commit a transaction whose failed statement was caught, instead of losing its writes silently', async () => {
    const dataSource = await open(await freshDatabase());
    await runMigrations(dataSource);
    const widgets = dataSource.getRepository(Widget);
    const occurredAt = new Date();
    await widgets.insert({ id: 'taken', name: 'first', occurredAt });

    // Without the guard Postgres answers this COMMIT by rolling back, and transaction() resolves.
    const swallowing = dataSource.transaction(async (manager) => {
      await manager.insert(Widget, { id: 'written', name: 'lost?', occurredAt });
      await manager.insert(Widget, { id: 'taken', name: 'duplicate', occurredAt }).catch(() => {
        // the caller decides the race does not matter, and carries on
      });
    });
    await expect(swallowing).rejects.toBeInstanceOf(AbortedTransactionError);
    expect(await widgets.existsBy({ id: 'written' })).toBe(false);

    // The way that works: the statement that may fail in a savepoint of its own.
    await dataSource.transaction(async (manager) => {
      await manager.insert(Widget, { id: 'written', name: 'kept', occurredAt });
      await manager
        .transaction((savepoint) =>
          savepoint.insert(Widget, { id: 'taken', name: 'duplicate', occurredAt }),
        )
        .catch(() => undefined);
    });
    expect((await widgets.findOneByOrFail({ id: 'written' })).name).toBe('kept');
  });

  it('lets two replicas migrate the same fresh database at once: both succeed, the migration applies once', async () => {
    const url = await freshDatabase();
    const [replicaA, replicaB] = await Promise.all([open(url), open(url)]);

    const applied = await Promise.all([runMigrations(replicaA), runMigrations(replicaB)]);

    expect(applied.flat()).toEqual(['CreateWidgets1732600000000']);
    expect(await replicaA.query('SELECT name FROM migrations')).toEqual([
      { name: 'CreateWidgets1732600000000' },
    ]);
    // The lock is released: a later run on either replica takes it again without waiting forever.
    expect(await runMigrations(replicaB)).toEqual([]);
    await Promise.all([replicaA.destroy(), replicaB.destroy()]);
  });

  it('boots PersistenceModule and reports health: up, down when the pool is exhausted, down once closed', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url: await freshDatabase(),
          entities: [Widget],
          migrations: [CreateWidgets1732600000000],
          migrate: true,
        }),
        WidgetModule,
      ],
    }).compile();
    const dataSource = moduleRef.get(DataSource);
    const health = moduleRef.get(DatabaseHealth);

    await moduleRef
      .get(WidgetStore)
      .widgets.save({ id: randomUUID(), name: 'via module', occurredAt: new Date() });
    expect(await moduleRef.get(WidgetStore).widgets.count()).toBe(1);
    expect(await health.check()).toEqual({ database: { status: 'up' } });

    const holders: QueryRunner[] = [];
    for (let i = 0; i < POSTGRES_POOL_SIZE; i += 1) {
      const runner = dataSource.createQueryRunner();
      await runner.connect();
      holders.push(runner);
    }
    expect(await health.check('database', 200)).toEqual({
      database: { status: 'down', message: 'no answer to SELECT 1 within 200 ms' },
    });
    await Promise.all(holders.map((runner) => runner.release()));
    expect(await health.check()).toEqual({ database: { status: 'up' } });

    await dataSource.destroy();
    expect(await health.check()).toEqual({
      database: { status: 'down', message: 'database connection is closed' },
    });
    await moduleRef.close();
  });

  it('refuses to boot without DB_MIGRATE on a database with pending migrations, naming them', async () => {
    const url = await freshDatabase();
    const boot = (migrate: boolean) =>
      Test.createTestingModule({
        imports: [
          PersistenceModule.forRoot({
            url,
            entities: [Widget],
            migrations: [CreateWidgets1732600000000],
            migrate,
          }),
        ],
      }).compile();
    await expect(boot(false)).rejects.toThrow(
      'The database schema is behind (DATABASE_URL): 1 pending migration(s) (CreateWidgets1732600000000). ' +
        'Apply them with `node main.js --migrate`, or start with DB_MIGRATE=true.',
    );

    // Once applied (e.g. by the migrations job), the same service boots without migrating.
    await (await boot(true)).close();
    const moduleRef = await boot(false);
    const dataSource = moduleRef.get(DataSource);
    expect(dataSource.isInitialized).toBe(true);

    // It closes the data source when the application shuts down.
    await moduleRef.close();
    expect(dataSource.isInitialized).toBe(false);
  });

  it('fails boot at once, naming the cause, when the database cannot be opened', async () => {
    const boot = Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url: missingDatabaseUrl(),
          entities: [Widget],
          migrations: [CreateWidgets1732600000000],
          migrate: true,
        }),
      ],
    }).compile();
    await expect(boot).rejects.toThrow(
      /^Could not open the Postgres database \(DATABASE_URL\): .*does not exist/,
    );
  });
});
