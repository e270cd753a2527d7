import { Injectable } from '@nestjs/common';
import { type Stories } from '@switchboard/contracts';
import { DataSource, In } from 'typeorm';
import { StoryViewEntity } from '../../entities/story-view.entity';
import { StoryEntity } from '../../entities/story.entity';
import { activeStories } from '../../shared/active-stories';
import { toStoryView } from '../../shared/views';

export type MyStory = Stories.StoryView & { viewCount: number };

/** The caller's active stories, oldest first, each with how many people saw it. */
@Injectable()
export class ListMyStoriesUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: { userId: string }): Promise<{ items: MyStory[] }> {
    const stories = await this.dataSource.manager.find(StoryEntity, {
      where: { authorId: input.userId, ...activeStories(new Date()) },
      order: { createdAt: 'ASC', id: 'ASC' },
    });
    const counts = new Map<string, number>();
    if (stories.length > 0) {
      const rows = await this.dataSource.manager
        .createQueryBuilder(StoryViewEntity, 'view')
        .select('view.storyId', 'storyId')
        .addSelect('COUNT(*)', 'count')
        .where({ storyId: In(stories.map((story) => story.id)) })
        .groupBy('view.storyId')
        .getRawMany<{ storyId: string; count: string | number }>();
      for (const row of rows) counts.set(row.storyId, Number(row.count));
    }
    return {
      items: stories.map((story) => ({
        ...toStoryView(story),
        viewCount: counts.get(story.id) ?? 0,
      })),
    };
  }
}
