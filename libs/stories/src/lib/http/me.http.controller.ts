import { Controller, Delete, Get, HttpCode, Param, Put } from '@nestjs/common';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns, ZodValidationPipe } from '@switchboard/platform-runtime';
import { StoriesErrorCodes } from '../stories.errors';
import { AddCloseFriendUseCase } from '../use-cases/add-close-friend';
import { ListCloseFriendsUseCase } from '../use-cases/list-close-friends';
import { ListMyStoriesUseCase, type MyStory } from '../use-cases/list-my-stories';
import { RemoveCloseFriendUseCase } from '../use-cases/remove-close-friend';
import { StoriesErrorResponses } from './stories.http-errors';
import { CloseFriendList, CloseFriendParams, MyStoryList } from './stories.http-schemas';

@Controller('me')
export class MeHttpController {
  constructor(
    private readonly listMyStories: ListMyStoriesUseCase,
    private readonly listCloseFriends: ListCloseFriendsUseCase,
    private readonly addCloseFriend: AddCloseFriendUseCase,
    private readonly removeCloseFriend: RemoveCloseFriendUseCase,
  ) {}

  @Get('stories')
  @Returns(200, MyStoryList, 'My active stories, oldest first, with view counts')
  myStories(@CurrentUser() user: AuthenticatedUser): Promise<{ items: MyStory[] }> {
    return this.listMyStories.execute({ userId: user.id });
  }

  @Get('close-friends')
  @Returns(200, CloseFriendList, 'My close-friends list, sorted')
  closeFriends(@CurrentUser() user: AuthenticatedUser): Promise<{ userIds: string[] }> {
    return this.listCloseFriends.execute({ userId: user.id });
  }

  @Put('close-friends/:userId')
  @HttpCode(204)
  @Returns(204, undefined, 'On the list (also when they already were)')
  @StoriesErrorResponses({
    400: ['VALIDATION_FAILED', StoriesErrorCodes.CLOSE_FRIEND_SELF],
    409: [StoriesErrorCodes.TOO_MANY_CLOSE_FRIENDS],
  })
  add(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(CloseFriendParams)) params: CloseFriendParams,
  ): Promise<void> {
    return this.addCloseFriend.execute({ userId: user.id, friendId: params.userId });
  }

  @Delete('close-friends/:userId')
  @HttpCode(204)
  @Returns(204, undefined, 'Off the list (also when they were not on it)')
  remove(
    @CurrentUser() user: AuthenticatedUser,
    @Param(new ZodValidationPipe(CloseFriendParams)) params: CloseFriendParams,
  ): Promise<void> {
    return this.removeCloseFriend.execute({ userId: user.id, friendId: params.userId });
  }
}
