import { Injectable } from '@nestjs/common';
import { insertIfAbsent } from '@switchboard/platform-persistence';
import { DataSource } from 'typeorm';
import { StoryViewEntity } from '../../entities/story-view.entity';
import { StoryAccess } from '../../shared/story-access';

/**
 * Records that the caller saw a story they may see. Idempotent: the first view's time is kept.
 * The author's own views are not recorded.
 */
@Injectable()
export class MarkViewedUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: StoryAccess,
  ) {}

  async execute(input: { storyId: string; userId: string }): Promise<void> {
    const story = await this.access.requireVisible(input.storyId, input.userId);
    if (story.authorId === input.userId) return;
    await insertIfAbsent(this.dataSource.manager, StoryViewEntity, {
      storyId: story.id,
      viewerId: input.userId,
      viewedAt: new Date(),
    });
  }
}
