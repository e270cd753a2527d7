import { Body, Controller, Delete, Get, HttpCode, Param, Post } from '@nestjs/common';
import { Stories } from '@switchboard/contracts';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { StoriesErrorCodes } from '../stories.errors';
import { DeleteStoryUseCase } from '../use-cases/delete-story';
import { GetStoryUseCase } from '../use-cases/get-story';
import { ListViewsUseCase, type StoryViewers as StoryViewersResult } from '../use-cases/list-views';
import { MarkViewedUseCase } from '../use-cases/mark-viewed';
import { PostStoryUseCase } from '../use-cases/post-story';
import { ReplyToStoryUseCase, type StoryReplyView } from '../use-cases/reply-to-story';
import { CONTACTS_DOWN, StoriesErrorResponses } from './stories.http-errors';
import {
  PostStoryBody,
  ReplyBody,
  StoryIdParams,
  StoryReply,
  StoryViewers,
} from './stories.http-schemas';

const NOT_FOUND = [StoriesErrorCodes.STORY_NOT_FOUND] as const;

@Controller('stories')
export class StoriesHttpController {
  constructor(
    private readonly postStory: PostStoryUseCase,
    private readonly getStory: GetStoryUseCase,
    private readonly deleteStory: DeleteStoryUseCase,
    private readonly markViewed: MarkViewedUseCase,
    private readonly listViews: ListViewsUseCase,
    private readonly replyToStory: ReplyToStoryUseCase,
  ) {}

  @Post()
  @Returns(201, Stories.StoryView, 'The new story, with its expiry')
  post(
    @CurrentUser() user: AuthenticatedUser,
    @Body(new ZodValidationPipe(PostStoryBody)) body: PostStoryBody,
  ): Promise<Stories.StoryView> {
    return this.postStory.execute({ authorId: user.id, ...body });
  }

  @Get(':id')
  @Returns(200, Stories.StoryView, 'The story (to its author, or to someone allowed to see it)')
  @StoriesErrorResponses({ 404: NOT_FOUND, 503: CONTACTS_DOWN })
  get(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(StoryIdParams)) params: StoryIdParams,
  ): Promise<Stories.StoryView> {
    return this.getStory.execute({ storyId: params.id, userId: user.id });
  }

  @Delete(':id')
  @HttpCode(204)
  @Returns(204, undefined, 'Deleted (also when it already was, or has expired)')
  @StoriesErrorResponses({
    403: [StoriesErrorCodes.NOT_THE_AUTHOR],
    404: NOT_FOUND,
    503: CONTACTS_DOWN,
  })
  remove(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(StoryIdParams)) params: StoryIdParams,
  ): Promise<void> {
    return this.deleteStory.execute({ storyId: params.id, userId: user.id });
  }

  @Post(':id/views')
  @HttpCode(204)
  @Returns(204, undefined, 'Marked viewed (the first view’s time is kept; the author’s ignored)')
  @StoriesErrorResponses({ 404: NOT_FOUND, 503: CONTACTS_DOWN })
  view(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(StoryIdParams)) params: StoryIdParams,
  ): Promise<void> {
    return this.markViewed.execute({ storyId: params.id, userId: user.id });
  }

  @Get(':id/views')
  @Returns(200, StoryViewers, 'Who saw the story and when they first did (author only)')
  @StoriesErrorResponses({
    403: [StoriesErrorCodes.NOT_THE_AUTHOR],
    404: NOT_FOUND,
    503: CONTACTS_DOWN,
  })
  views(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(StoryIdParams)) params: StoryIdParams,
  ): Promise<StoryViewersResult> {
    return this.listViews.execute({ storyId: params.id, userId: user.id });
  }

  @Post(':id/replies')
  @Returns(201, StoryReply, 'The reply; chat delivers it to the author as a direct message')
  @StoriesErrorResponses({
    400: ['VALIDATION_FAILED', StoriesErrorCodes.REPLY_TO_OWN_STORY],
    404: NOT_FOUND,
    503: CONTACTS_DOWN,
  })
  reply(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(StoryIdParams)) params: StoryIdParams,
    @Body(new ZodValidationPipe(ReplyBody)) body: ReplyBody,
  ): Promise<StoryReplyView> {
    return this.replyToStory.execute({ storyId: params.id, userId: user.id, text: body.text });
  }
}
