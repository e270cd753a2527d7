import { Logger } from '@nestjs/common';
import { setTimeout as sleep } from 'node:timers/promises';
import { type DataSource } from 'typeorm';
import {
  buildDataSourceOptions,
  insertIfAbsent,
  insertOrFind,
  isUniqueViolation,
  openDataSource,
} from '../index';
import { CreateWidgets1732600000000 } from '../test-support/create-widgets.migration';
import { createTestDatabase, type TestDatabase } from '../test-support/test-database.util';
import { Widget } from '../test-support/widget.entity';

jest.setTimeout(30_000);

const occurredAt = new Date('2024-05-06T07:08:09.123Z');
const widget = (id: string, name: string): Widget => ({
  id,
  name,
  occurredAt,
  createdAt: occurredAt,
});

/**
 * On both databases, through `openDataSource` as services open theirs (on SQLite that makes
 * transactions take turns): a lost race leaves the caller's transaction usable and hands back the
 * winner's row.
 */
describe.each(['sqlite', 'postgres'] as const)('insertOrFind on %s', (kind) => {
  let dataSource: DataSource;
  let database: TestDatabase | undefined;

  beforeAll(async () => {
    Logger.overrideLogger(false);
    if (kind === 'postgres') database = await createTestDatabase();
    const url = database?.url ?? 'sqlite::memory:';
    dataSource = await openDataSource(
      () =>
        buildDataSourceOptions({
          url,
          entities: [Widget],
          migrations: [CreateWidgets1732600000000],
        }),
      true,
    );
    await dataSource.getRepository(Widget).insert(widget('taken', 'first'));
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
  });

  const names = async (...ids: string[]) =>
    (await Promise.all(ids.map((id) => dataSource.getRepository(Widget).findOneBy({ id })))).map(
      (found) => found?.name ?? null,
    );

  it('inserts a row whose key is free and says it did', async () => {
    const result = await dataSource.transaction((manager) =>
      insertOrFind(manager, Widget, widget('new', 'created'), { id: 'new' }),
    );
    expect(result).toEqual({ row: widget('new', 'created'), created: true });
    expect(await names('new')).toEqual(['created']);
  });

  it('returns the row holding the key and keeps the transaction usable', async () => {
    const result = await dataSource.transaction(async (manager) => {
      await manager.insert(Widget, widget('before', 'kept'));
      const found = await insertOrFind(manager, Widget, widget('taken', 'second'), { id: 'taken' });
      await manager.insert(Widget, widget('after', 'kept'));
      return found;
    });
    expect(result).toMatchObject({ row: { id: 'taken', name: 'first' }, created: false });
    expect(await names('before', 'taken', 'after')).toEqual(['kept', 'first', 'kept']);
  });

  it('lets one of two concurrent inserts of a key win; the other gets its row and commits too', async () => {
    let firstInserted!: () => void;
    const inserted = new Promise<void>((resolve) => (firstInserted = resolve));
    const finished: string[] = [];
    const race = (name: string, start: Promise<void>) =>
      start.then(() =>
        dataSource.transaction(async (manager) => {
          const result = await insertOrFind(manager, Widget, widget('raced', name), {
            id: 'raced',
          });
          if (name === 'a') {
            firstInserted();
            // Uncommitted for a while: b's insert waits on the row (Postgres) or b's whole
            // transaction waits its turn (SQLite).
            await sleep(200);
          }
          await manager.insert(Widget, widget(`after-${name}`, name));
          finished.push(name);
          return result;
        }),
      );

    const [a, b] = await Promise.all([race('a', Promise.resolve()), race('b', inserted)]);

    expect(a).toEqual({ row: widget('raced', 'a'), created: true });
    expect(b).toMatchObject({ row: { id: 'raced', name: 'a' }, created: false });
    expect(finished).toEqual(['a', 'b']);
    expect(await names('raced', 'after-a', 'after-b')).toEqual(['a', 'a', 'b']);
  });

  it('undoes what a custom insert wrote with the row when the key is taken', async () => {
    const result = await dataSource.transaction((manager) =>
      insertOrFind(
        manager,
        Widget,
        widget('taken', 'third'),
        { id: 'taken' },
        {
          insert: async (savepoint) => {
            await savepoint.insert(Widget, widget('side-effect', 'undone'));
            await savepoint.insert(Widget, widget('taken', 'third'));
          },
        },
      ),
    );
    expect(result.created).toBe(false);
    expect(await names('side-effect')).toEqual([null]);
  });

  it('says whether it inserted, inside a transaction and outside one', async () => {
    await dataSource.transaction(async (manager) => {
      expect(await insertIfAbsent(manager, Widget, widget('once', 'in'))).toBe(true);
      expect(await insertIfAbsent(manager, Widget, widget('once', 'again'))).toBe(false);
    });
    expect(await insertIfAbsent(dataSource.manager, Widget, widget('twice', 'out'))).toBe(true);
    expect(await insertIfAbsent(dataSource.manager, Widget, widget('twice', 'again'))).toBe(false);
    expect(await names('once', 'twice')).toEqual(['in', 'out']);
  });

  it('throws, but not as a unique violation, when no row matches the key it was given', async () => {
    // The violation is of the primary key; nothing is named "elsewhere".
    const error: unknown = await insertOrFind(dataSource.manager, Widget, widget('taken', 'x'), {
      name: 'elsewhere',
    }).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(Error);
    expect((error as Error).message).toBe(
      'Inserting into widget conflicted with a unique key, but no row matches {"name":"elsewhere"}',
    );
    expect(isUniqueViolation(error)).toBe(false);
  });

  it('lets any other error through as it is', async () => {
    const nameless = { ...widget('nameless', ''), name: null as unknown as string };
    await expect(insertIfAbsent(dataSource.manager, Widget, nameless)).rejects.toThrow(/null/i);
  });
});
