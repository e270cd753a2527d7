import { Injectable } from '@nestjs/common';
import { Stories } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { uuidv7 } from '@switchboard/platform-persistence';
import { DataSource } from 'typeorm';
import { StoryReplyEntity } from '../../entities/story-reply.entity';
import { StoryAccess } from '../../shared/story-access';
import { toStoryView } from '../../shared/views';
import { StoriesErrors } from '../../stories.errors';

export interface StoryReplyView {
  id: string;
  storyId: string;
  replierId: string;
  text: string;
  createdAt: string;
}

/**
 * Someone who may see a story replies to it. The reply is stored and `StoryReplied` written in the
 * same transaction; chat delivers it as a direct message to the author.
 */
@Injectable()
export class ReplyToStoryUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly access: StoryAccess,
  ) {}

  async execute(input: { storyId: string; userId: string; text: string }): Promise<StoryReplyView> {
    const story = await this.access.requireVisible(input.storyId, input.userId);
    if (story.authorId === input.userId) throw StoriesErrors.replyToOwnStory(story.id);
    return this.dataSource.transaction(async (manager) => {
      const reply = manager.create(StoryReplyEntity, {
        id: uuidv7(),
        storyId: story.id,
        replierId: input.userId,
        text: input.text,
        createdAt: new Date(),
      });
      await manager.insert(StoryReplyEntity, reply);
      await this.outbox.add(manager, Stories.StoryReplied, {
        replyId: reply.id,
        story: toStoryView(story),
        replierId: reply.replierId,
        text: reply.text,
        repliedAt: reply.createdAt.toISOString(),
      });
      return {
        id: reply.id,
        storyId: reply.storyId,
        replierId: reply.replierId,
        text: reply.text,
        createdAt: reply.createdAt.toISOString(),
      };
    });
  }
}
