import { Controller, Get } from '@nestjs/common';
import { type AuthenticatedUser, CurrentUser } from '@switchboard/platform-auth';
import { Returns } from '@switchboard/platform-runtime';
import { GetFeedUseCase, type Feed as FeedResult } from '../use-cases/get-feed';
import { CONTACTS_DOWN, StoriesErrorResponses } from './stories.http-errors';
import { Feed } from './stories.http-schemas';

@Controller()
export class FeedHttpController {
  constructor(private readonly getFeed: GetFeedUseCase) {}

  @Get('feed')
  @Returns(200, Feed, 'Active stories of my contacts that I may see, grouped by author')
  @StoriesErrorResponses({ 503: CONTACTS_DOWN })
  feed(@CurrentUser() user: AuthenticatedUser): Promise<FeedResult> {
    return this.getFeed.execute({ userId: user.id });
  }
}
