import { Injectable, Logger, Module } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { InjectRepository, TypeOrmModule } from '@nestjs/typeorm';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import {
  Column,
  DataSource,
  Entity,
  getMetadataArgsStorage,
  type MigrationInterface,
  PrimaryColumn,
  type Repository,
} from 'typeorm';
import {
  buildDataSourceOptions,
  DatabaseHealth,
  PersistenceModule,
  runMigrations,
  SQLITE_BUSY_TIMEOUT_MS,
  timestampColumnType,
} from '../index';
import { CreateWidgets1732600000000 } from '../test-support/create-widgets.migration';
import { Widget } from '../test-support/widget.entity';

/** Declares `timestamptz` like Widget but is never handed to `buildDataSourceOptions`. */
@Entity({ name: 'unlisted' })
class Unlisted {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;
}

class FailingMigration1732600000001 implements MigrationInterface {
  name = 'FailingMigration1732600000001';

  async up(): Promise<void> {
    throw new Error('column "nope" does not exist');
  }

  async down(): Promise<void> {
    // nothing to undo
  }
}

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

function columnType(target: object, propertyName: string): unknown {
  return getMetadataArgsStorage().columns.find(
    (column) => column.target === target && column.propertyName === propertyName,
  )?.options.type;
}

async function openSqlite(url: string): Promise<DataSource> {
  const dataSource = new DataSource(
    buildDataSourceOptions({ url, entities: [Widget], migrations: [CreateWidgets1732600000000] }),
  );
  return dataSource.initialize();
}

describe('persistence on sqlite', () => {
  let folder: string;

  beforeAll(() => {
    folder = mkdtempSync(join(tmpdir(), 'sb-persist-'));
    Logger.overrideLogger(false);
  });

  afterAll(() => {
    rmSync(folder, { recursive: true, force: true });
  });

  it('creates the parent folder and opens the file in WAL mode with foreign keys and a busy timeout', async () => {
    const file = join(folder, 'nested', 'deeper', 'pragmas.sqlite');
    const options = buildDataSourceOptions({
      url: `sqlite:${file}`,
      entities: [Widget],
      migrations: [],
    });
    expect(existsSync(dirname(file))).toBe(true);
    expect(options).toMatchObject({
      type: 'better-sqlite3',
      synchronize: false,
      migrationsRun: false,
    });

    const dataSource = await new DataSource(options).initialize();
    try {
      expect(await dataSource.query('PRAGMA journal_mode')).toEqual([{ journal_mode: 'wal' }]);
      expect(await dataSource.query('PRAGMA foreign_keys')).toEqual([{ foreign_keys: 1 }]);
      expect(await dataSource.query('PRAGMA busy_timeout')).toEqual([
        { timeout: SQLITE_BUSY_TIMEOUT_MS },
      ]);
      expect(timestampColumnType(dataSource)).toBe('datetime');
    } finally {
      await dataSource.destroy();
    }
  });

  it('syncs every commit (synchronous=FULL) whether it creates the file or reopens it after a restart', async () => {
    const url = `sqlite:${join(folder, 'durable.sqlite')}`;
    for (const boot of ['created', 'reopened']) {
      const dataSource = await openSqlite(url);
      try {
        // 2 = FULL. better-sqlite3's build default for a file already in WAL mode is 1 (NORMAL),
        // which a power loss can cost the last commits.
        expect([boot, await dataSource.query('PRAGMA synchronous')]).toEqual([
          boot,
          [{ synchronous: 2 }],
        ]);
      } finally {
        await dataSource.destroy();
      }
    }
  });

  it('maps timestamptz to datetime for the given entities only, and back when building for Postgres', () => {
    buildDataSourceOptions({ url: 'sqlite::memory:', entities: [Widget], migrations: [] });
    expect(columnType(Widget, 'occurredAt')).toBe('datetime');
    expect(columnType(Widget, 'createdAt')).toBe('datetime');
    expect(columnType(Unlisted, 'at')).toBe('timestamptz');

    buildDataSourceOptions({
      url: 'postgres://postgres@127.0.0.1:5432/unused',
      entities: [Widget],
      migrations: [],
    });
    expect(columnType(Widget, 'occurredAt')).toBe('timestamptz');
    expect(columnType(Widget, 'createdAt')).toBe('timestamptz');
  });

  it('shows why the mapping exists: sqlite refuses a timestamptz entity that was not mapped', async () => {
    const options = buildDataSourceOptions({
      url: 'sqlite::memory:',
      entities: [],
      migrations: [],
    });
    await expect(new DataSource({ ...options, entities: [Unlisted] }).initialize()).rejects.toThrow(
      /timestamptz/,
    );
  });

  it('migrates, round-trips an instant to the millisecond, and applies nothing on the next boot', async () => {
    const url = `sqlite:${join(folder, 'app.sqlite')}`;
    const occurredAt = new Date('2024-05-06T07:08:09.123Z');
    const id = randomUUID();

    const first = await openSqlite(url);
    try {
      expect(await runMigrations(first)).toEqual(['CreateWidgets1732600000000']);
      await first.getRepository(Widget).save({ id, name: 'first', occurredAt });
      const read = await first.getRepository(Widget).findOneByOrFail({ id });
      expect(read.occurredAt).toBeInstanceOf(Date);
      expect(read.occurredAt.getTime()).toBe(occurredAt.getTime());
      expect(Number.isNaN(read.createdAt.getTime())).toBe(false);
    } finally {
      await first.destroy();
    }

    const second = await openSqlite(url);
    try {
      expect(await runMigrations(second)).toEqual([]);
      expect(await second.query('SELECT name FROM migrations')).toEqual([
        { name: 'CreateWidgets1732600000000' },
      ]);
      const read = await second.getRepository(Widget).findOneByOrFail({ id });
      expect(read.occurredAt.getTime()).toBe(occurredAt.getTime());
    } finally {
      await second.destroy();
    }
  });

  it('fills created_at from the migration default on rows inserted without it', async () => {
    const dataSource = await openSqlite('sqlite::memory:');
    try {
      await runMigrations(dataSource);
      await dataSource.query(
        `INSERT INTO widget (id, name, occurred_at) VALUES ('w-1', 'raw', '2024-01-01 00:00:00.000')`,
      );
      const read = await dataSource.getRepository(Widget).findOneByOrFail({ id: 'w-1' });
      expect(read.occurredAt.toISOString()).toBe('2024-01-01T00:00:00.000Z');
      expect(Number.isNaN(read.createdAt.getTime())).toBe(false);
    } finally {
      await dataSource.destroy();
    }
  });

  it('boots PersistenceModule, serves repositories, reports health, and closes the database on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url: `sqlite:${join(folder, 'module.sqlite')}`,
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
    expect(await health.check('db')).toEqual({ db: { status: 'up' } });

    await moduleRef.close();
    expect(dataSource.isInitialized).toBe(false);
    expect(await health.check()).toEqual({
      database: { status: 'down', message: 'database connection is closed' },
    });
  });

  it('runs concurrent transactions one after another, and a nested one inside its parent', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url: `sqlite:${join(folder, 'concurrent.sqlite')}`,
          entities: [Widget],
          migrations: [CreateWidgets1732600000000],
          migrate: true,
        }),
      ],
    }).compile();
    const dataSource = moduleRef.get(DataSource);
    try {
      await dataSource
        .getRepository(Widget)
        .save({ id: 'counter', name: '0', occurredAt: new Date() });
      // Read, yield to the other transactions, write: interleaved, they would lose updates or
      // nest as savepoints of one another on the driver's single connection.
      const increment = (fail: boolean) =>
        dataSource.transaction(async (manager) => {
          const counter = await manager.findOneByOrFail(Widget, { id: 'counter' });
          await new Promise((resolve) => setTimeout(resolve, 2));
          await manager.update(
            Widget,
            { id: 'counter' },
            { name: String(Number(counter.name) + 1) },
          );
          if (fail) throw new Error('rolled back on purpose');
        });
      const outcomes = await Promise.allSettled(
        Array.from({ length: 30 }, (_, index) => increment(index % 3 === 0)),
      );
      expect(outcomes.filter((outcome) => outcome.status === 'rejected')).toHaveLength(10);
      const counter = await dataSource.getRepository(Widget).findOneByOrFail({ id: 'counter' });
      expect(counter.name).toBe('20');

      const nested = await dataSource.transaction(async () =>
        dataSource.transaction(async (manager) => manager.countBy(Widget, { id: 'counter' })),
      );
      expect(nested).toBe(1);
    } finally {
      await moduleRef.close();
    }
  });

  it('fails boot with the migration error and does not retry', async () => {
    const boot = Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url: 'sqlite::memory:',
          entities: [Widget],
          migrations: [CreateWidgets1732600000000, FailingMigration1732600000001],
          migrate: true,
        }),
      ],
    }).compile();
    await expect(boot).rejects.toThrow('Database migrations failed: column "nope" does not exist');
  });
});
