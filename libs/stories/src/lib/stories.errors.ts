import { AppError } from '@switchboard/contracts';

/** Stable error codes of the stories domain (HTTP status in brackets; docs/stories.md). */
export const StoriesErrorCodes = {
  /** [404] no such story, it is gone (expired or deleted), or the caller may not see it. */
  STORY_NOT_FOUND: 'STORIES.STORY_NOT_FOUND',
  /** [403] only the story's author may do this. */
  NOT_THE_AUTHOR: 'STORIES.NOT_THE_AUTHOR',
  /** [400] replying to one's own story. */
  REPLY_TO_OWN_STORY: 'STORIES.REPLY_TO_OWN_STORY',
  /** [400] putting oneself on one's close-friends list. */
  CLOSE_FRIEND_SELF: 'STORIES.CLOSE_FRIEND_SELF',
  /** [409] the close-friends list is full. */
  TOO_MANY_CLOSE_FRIENDS: 'STORIES.TOO_MANY_CLOSE_FRIENDS',
  /** [503] chat cannot be reached and no earlier copy of the caller's contacts is cached. */
  CONTACTS_UNAVAILABLE: 'STORIES.CONTACTS_UNAVAILABLE',
} as const;

export type StoriesErrorCode = (typeof StoriesErrorCodes)[keyof typeof StoriesErrorCodes];

export const StoriesErrors = {
  storyNotFound: (storyId: string) =>
    new AppError(
      StoriesErrorCodes.STORY_NOT_FOUND,
      'not_found',
      `Story ${storyId} does not exist`,
      {
        storyId,
      },
    ),
  notTheAuthor: (storyId: string) =>
    new AppError(
      StoriesErrorCodes.NOT_THE_AUTHOR,
      'permission_denied',
      'Only its author can do this',
      { storyId },
    ),
  replyToOwnStory: (storyId: string) =>
    new AppError(
      StoriesErrorCodes.REPLY_TO_OWN_STORY,
      'invalid_argument',
      'You cannot reply to your own story',
      { storyId },
    ),
  closeFriendSelf: () =>
    new AppError(
      StoriesErrorCodes.CLOSE_FRIEND_SELF,
      'invalid_argument',
      'You cannot be your own close friend',
      [{ path: 'userId', message: 'must not be yourself', code: 'custom' }],
    ),
  tooManyCloseFriends: (max: number) =>
    new AppError(
      StoriesErrorCodes.TOO_MANY_CLOSE_FRIENDS,
      'conflict',
      `A close-friends list has at most ${max} people`,
      { max },
    ),
  contactsUnavailable: (cause: unknown) =>
    new AppError(
      StoriesErrorCodes.CONTACTS_UNAVAILABLE,
      'unavailable',
      'Your contacts cannot be loaded right now; try again shortly',
      undefined,
      { cause },
    ),
};
