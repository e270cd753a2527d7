import { buildDataSourceOptions, runMigrations } from '@switchboard/platform-persistence';
import { createTestDatabase, type TestDatabase } from '@switchboard/platform-testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource, In } from 'typeorm';
import { StoryViewEntity } from '../entities/story-view.entity';
import { StoryEntity } from '../entities/story.entity';
import { activeStories } from '../shared/active-stories';
import { StoriesDomain } from '../stories.module';

const STORY_OLD = '01900000-0000-7000-8000-000000000001';
const STORY_NEW = '01900000-0000-7000-8000-000000000002';

describe.each(['sqlite', 'postgres'] as const)('stories migrations on %s', (kind) => {
  let url: string;
  let database: TestDatabase | undefined;
  let folder: string | undefined;
  let dataSource: DataSource | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') {
      database = await createTestDatabase('stories_migrations');
      url = database.url;
    } else {
      folder = mkdtempSync(join(tmpdir(), 'stories-migrations-'));
      url = `sqlite:${join(folder, 'stories.sqlite')}`;
    }
  });

  afterAll(async () => {
    await dataSource?.destroy();
    await database?.drop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  it('creates tables the entities map exactly, with the expiry filter working on instants', async () => {
    dataSource = new DataSource(
      buildDataSourceOptions({
        url,
        entities: StoriesDomain.entities,
        migrations: StoriesDomain.migrations,
      }),
    );
    await dataSource.initialize();
    expect(await runMigrations(dataSource)).toEqual(['CreateStoriesTables1764190000000']);
    // Nothing left for TypeORM to change: the migration and the entities agree.
    const pending = await dataSource.driver.createSchemaBuilder().log();
    expect(pending.upQueries.map((query) => query.query)).toEqual([]);

    const now = Date.now();
    const base = {
      authorId: 'alice',
      text: 'hi',
      mediaUrl: null,
      mediaMime: null,
      mediaWidth: null,
      mediaHeight: null,
      visibility: 'contacts' as const,
      endedAt: null,
      endReason: null,
    };
    await dataSource.manager.insert(StoryEntity, [
      { ...base, id: STORY_OLD, createdAt: new Date(now - 10_000), expiresAt: new Date(now - 1) },
      { ...base, id: STORY_NEW, createdAt: new Date(now), expiresAt: new Date(now + 60_000) },
    ]);
    const active = await dataSource.manager.find(StoryEntity, {
      where: { authorId: In(['alice']), ...activeStories(new Date(now)) },
    });
    expect(active.map((story) => story.id)).toEqual([STORY_NEW]);
    expect(active[0]?.expiresAt.getTime()).toBe(now + 60_000);

    await dataSource.manager.insert(StoryViewEntity, {
      storyId: STORY_NEW,
      viewerId: 'bob',
      viewedAt: new Date(now),
    });
    await dataSource.query('DELETE FROM story_views');
    await dataSource.query('DELETE FROM stories');
    await dataSource.undoLastMigration();
    const runner = dataSource.createQueryRunner();
    try {
      for (const table of ['stories', 'story_views', 'story_replies', 'close_friends']) {
        expect(await runner.hasTable(table)).toBe(false);
      }
    } finally {
      await runner.release();
    }
  });
});
