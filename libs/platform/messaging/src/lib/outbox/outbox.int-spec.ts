import { type INestApplicationContext } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { defineEvent } from '@switchboard/contracts';
import { PersistenceModule } from '@switchboard/platform-persistence';
import { createTestDatabase, type TestDatabase } from '@switchboard/platform-testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, type EntitySubscriberInterface } from 'typeorm';
import { z } from 'zod';
import { MESSAGING_OPTIONS } from '../messaging.options';
import { Outbox } from './outbox';
import { OutboxMessageEntity } from '../storage/outbox-message.entity';
import { MESSAGING_ENTITIES, MESSAGING_MIGRATIONS } from '../storage/messaging-tables';

const Noted = defineEvent({
  subject: 'evt.outbox.item.noted.v1',
  payload: z.object({ n: z.number().int() }).strict(),
});

type Kind = 'postgres' | 'sqlite';

/** The outbox alone (no relay): what a transaction leaves in the table is what the relay would see. */
describe.each<Kind>(['postgres', 'sqlite'])('Outbox on %s', (kind) => {
  let database: TestDatabase | undefined;
  let dir: string | undefined;
  let app: INestApplicationContext;
  let dataSource: DataSource;
  let outbox: Outbox;
  /** INSERT statements into the outbox since the test began. */
  let inserts = 0;

  beforeAll(async () => {
    let url: string;
    if (kind === 'postgres') {
      database = await createTestDatabase('outbox');
      url = database.url;
    } else {
      dir = mkdtempSync(join(tmpdir(), 'sb-outbox-'));
      url = `sqlite:${join(dir, 'outbox.sqlite')}`;
    }
    const moduleRef = await Test.createTestingModule({
      imports: [
        PersistenceModule.forRoot({
          url,
          entities: MESSAGING_ENTITIES,
          migrations: MESSAGING_MIGRATIONS,
          migrate: true,
        }),
      ],
      providers: [
        Outbox,
        { provide: MESSAGING_OPTIONS, useValue: { serviceName: 'outbox-test', natsUrl: '' } },
      ],
    }).compile();
    app = await moduleRef.init();
    dataSource = app.get(DataSource);
    outbox = app.get(Outbox);
    const counter: EntitySubscriberInterface = {
      afterQuery(event) {
        if (event.query.startsWith('INSERT INTO outbox')) inserts += 1;
      },
    };
    dataSource.subscribers.push(counter);
  }, 30_000);

  afterAll(async () => {
    await app?.close();
    await database?.drop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  beforeEach(async () => {
    await dataSource.getRepository(OutboxMessageEntity).clear();
    inserts = 0;
  });

  const stored = async () =>
    (await dataSource.getRepository(OutboxMessageEntity).find({ order: { id: 'ASC' } })).map(
      (row) => (JSON.parse(row.payload) as { n: number }).n,
    );

  it('stores the events of a transaction with its commit, in one statement, in the order added', async () => {
    const ids = await dataSource.transaction(async (manager) => {
      const added = [];
      for (let n = 1; n <= 5; n++) added.push(await outbox.add(manager, Noted, { n }));
      added.push(...(await outbox.addMany(manager, Noted, [{ n: 6 }, { n: 7 }])));
      return added;
    });
    expect(await stored()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(inserts).toBe(1);
    const rows = await dataSource.getRepository(OutboxMessageEntity).find({ order: { id: 'ASC' } });
    expect(rows.map((row) => row.id)).toEqual(ids);
    expect(rows[0]?.subject).toBe(Noted.subject);
    expect(rows[0]?.createdAt).toBeInstanceOf(Date);
    expect(Math.abs((rows[0]?.createdAt.getTime() ?? 0) - Date.now())).toBeLessThan(60_000);
    expect(JSON.parse(rows[0]?.headers ?? '{}')).toMatchObject({
      'Switchboard-Source': 'outbox-test',
    });
  });

  it('stores nothing for a transaction that rolls back', async () => {
    await expect(
      dataSource.transaction(async (manager) => {
        await outbox.add(manager, Noted, { n: 1 });
        throw new Error('changed my mind');
      }),
    ).rejects.toThrow('changed my mind');
    expect(await stored()).toEqual([]);
  });

  it('drops the events of a savepoint that rolls back and keeps those around it', async () => {
    await dataSource.transaction(async (manager) => {
      await outbox.add(manager, Noted, { n: 1 });
      await manager
        .transaction(async (inner) => {
          await outbox.add(inner, Noted, { n: 2 });
          throw new Error('inner rolls back');
        })
        .catch(() => undefined);
      await manager.transaction((inner) => outbox.add(inner, Noted, { n: 3 }));
      await outbox.add(manager, Noted, { n: 4 });
    });
    expect(await stored()).toEqual([1, 3, 4]);
  });

  it('stores an event added outside a transaction at once', async () => {
    await outbox.add(dataSource.manager, Noted, { n: 9 });
    expect(await stored()).toEqual([9]);
  });

  it('refuses a batch with one event that breaks its contract, storing none of it', async () => {
    await expect(
      dataSource.transaction((manager) =>
        outbox.addMany(manager, Noted, [{ n: 1 }, { n: 'two' as unknown as number }]),
      ),
    ).rejects.toThrow(`Event for ${Noted.subject} breaks its contract`);
    expect(await stored()).toEqual([]);
  });
});
