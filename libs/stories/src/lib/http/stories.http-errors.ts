import { errorResponsesFor } from '@switchboard/platform-runtime';
import { StoriesErrorCodes, type StoriesErrorCode } from '../stories.errors';

/** What each code means to a client, for the OpenAPI document (docs/stories.md has the table). */
const MEANING: Record<StoriesErrorCode | 'VALIDATION_FAILED', string> = {
  VALIDATION_FAILED: 'a field is invalid (`details` names it)',
  [StoriesErrorCodes.STORY_NOT_FOUND]: 'no such active story that the caller may see',
  [StoriesErrorCodes.NOT_THE_AUTHOR]: 'only its author can do this',
  [StoriesErrorCodes.REPLY_TO_OWN_STORY]: 'the story is the caller’s own',
  [StoriesErrorCodes.CLOSE_FRIEND_SELF]: 'one cannot be one’s own close friend',
  [StoriesErrorCodes.TOO_MANY_CLOSE_FRIENDS]: 'the close-friends list is full (500)',
  [StoriesErrorCodes.CONTACTS_UNAVAILABLE]:
    'chat is unreachable and the caller’s contacts were never loaded; retry shortly',
};

/**
 * Documents the domain errors a route can answer, one `@Returns` per status naming its codes.
 *
 * @example @StoriesErrorResponses({ 404: [StoriesErrorCodes.STORY_NOT_FOUND] })
 */
export const StoriesErrorResponses = errorResponsesFor(MEANING);

/** Routes that check who may see a story ask chat for the caller's contacts. */
export const CONTACTS_DOWN = [StoriesErrorCodes.CONTACTS_UNAVAILABLE] as const;
