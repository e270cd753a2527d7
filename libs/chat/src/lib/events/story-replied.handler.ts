import { Controller } from '@nestjs/common';
import { Ctx, Payload } from '@nestjs/microservices';
import { type EventPayload, Stories } from '@switchboard/contracts';
import { EventContext, EventHandler } from '@switchboard/platform-messaging';
import { ReplyToStoryUseCase } from '../use-cases/reply-to-story';

/** A story reply is posted into the direct conversation of replier and author. */
@Controller()
export class StoryRepliedHandler {
  constructor(private readonly replyToStory: ReplyToStoryUseCase) {}

  @EventHandler(Stories.StoryReplied)
  async handle(
    @Payload() event: EventPayload<typeof Stories.StoryReplied>,
    @Ctx() context: EventContext,
  ): Promise<void> {
    await this.replyToStory.execute(event, context.manager);
  }
}
