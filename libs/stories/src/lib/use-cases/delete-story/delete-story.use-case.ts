import { Injectable } from '@nestjs/common';
import { Stories } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { DataSource, IsNull, MoreThan } from 'typeorm';
import { StoryEntity } from '../../entities/story.entity';
import { StoryAccess } from '../../shared/story-access';
import { StoriesErrors } from '../../stories.errors';

/**
 * The author ends their story early: it disappears at once and `StoryExpired` (reason `deleted`)
 * is announced. Deleting again, or deleting a story that has expired meanwhile, is a no-op. The row
 * stays (ended) so its views and replies keep their story. Someone else who may see the story is
 * told it is not theirs; anyone else learns nothing (404).
 */
@Injectable()
export class DeleteStoryUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly access: StoryAccess,
  ) {}

  async execute(input: { storyId: string; userId: string }): Promise<void> {
    const story = await this.dataSource.manager.findOneBy(StoryEntity, { id: input.storyId });
    if (!story) throw StoriesErrors.storyNotFound(input.storyId);
    if (story.authorId !== input.userId) {
      await this.access.requireVisible(input.storyId, input.userId);
      throw StoriesErrors.notTheAuthor(input.storyId);
    }
    await this.dataSource.transaction(async (manager) => {
      const endedAt = new Date();
      // Conditional, so a delete racing another delete or the expiry job announces the end once;
      // a story already past its expiry is the job's to announce (as `expired`).
      const result = await manager.update(
        StoryEntity,
        { id: story.id, endedAt: IsNull(), expiresAt: MoreThan(endedAt) },
        { endedAt, endReason: 'deleted' },
      );
      if (!result.affected) return;
      await this.outbox.add(manager, Stories.StoryExpired, {
        storyId: story.id,
        authorId: story.authorId,
        reason: 'deleted',
        expiredAt: endedAt.toISOString(),
      });
    });
  }
}
