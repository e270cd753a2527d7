import { Module } from '@nestjs/common';
import { Chat, Stories } from '@switchboard/contracts';
import { type DomainDefinition } from '@switchboard/platform-runtime';
import { ContactsDirectory } from './contacts/contacts-directory';
import { CloseFriendEntity } from './entities/close-friend.entity';
import { StoryReplyEntity } from './entities/story-reply.entity';
import { StoryViewEntity } from './entities/story-view.entity';
import { StoryEntity } from './entities/story.entity';
import { StoryExpiryJob } from './expiry/story-expiry.job';
import { FeedHttpController } from './http/feed.http.controller';
import { MeHttpController } from './http/me.http.controller';
import { StoriesHttpController } from './http/stories.http.controller';
import { CreateStoriesTables1764190000000 } from './migrations/1764190000000-create-stories-tables';
import { ActiveCountMessageController } from './rpc/active-count.message.controller';
import { StoryAccess } from './shared/story-access';
import { StoriesConfig } from './stories.config';
import { ActiveCountUseCase } from './use-cases/active-count';
import { AddCloseFriendUseCase } from './use-cases/add-close-friend';
import { DeleteStoryUseCase } from './use-cases/delete-story';
import { GetFeedUseCase } from './use-cases/get-feed';
import { GetStoryUseCase } from './use-cases/get-story';
import { ListCloseFriendsUseCase } from './use-cases/list-close-friends';
import { ListMyStoriesUseCase } from './use-cases/list-my-stories';
import { ListViewsUseCase } from './use-cases/list-views';
import { MarkViewedUseCase } from './use-cases/mark-viewed';
import { PostStoryUseCase } from './use-cases/post-story';
import { RemoveCloseFriendUseCase } from './use-cases/remove-close-friend';
import { ReplyToStoryUseCase } from './use-cases/reply-to-story';

@Module({
  controllers: [
    StoriesHttpController,
    FeedHttpController,
    MeHttpController,
    ActiveCountMessageController,
  ],
  providers: [
    ContactsDirectory,
    StoryAccess,
    StoryExpiryJob,
    PostStoryUseCase,
    GetStoryUseCase,
    DeleteStoryUseCase,
    ListMyStoriesUseCase,
    GetFeedUseCase,
    MarkViewedUseCase,
    ListViewsUseCase,
    ReplyToStoryUseCase,
    ActiveCountUseCase,
    ListCloseFriendsUseCase,
    AddCloseFriendUseCase,
    RemoveCloseFriendUseCase,
  ],
})
export class StoriesModule {}

/** The stories domain as a host composes it: module, config keys, tables and migrations. */
export const StoriesDomain: DomainDefinition = {
  name: Stories.DOMAIN,
  module: StoriesModule,
  config: StoriesConfig,
  calls: [Chat.ListContacts],
  entities: [StoryEntity, StoryViewEntity, StoryReplyEntity, CloseFriendEntity],
  migrations: [CreateStoriesTables1764190000000],
};
