import { errorResponsesFor } from '@switchboard/platform-runtime';
import { ChatErrorCodes } from '../chat.errors';

type ChatErrorCode = (typeof ChatErrorCodes)[keyof typeof ChatErrorCodes];

/** What each code means to a client, for the OpenAPI document (docs/chat.md has the full table). */
const MEANING: Record<ChatErrorCode | 'VALIDATION_FAILED', string> = {
  VALIDATION_FAILED: 'a field is invalid (`details` names it)',
  [ChatErrorCodes.CONVERSATION_NOT_FOUND]: 'no such conversation',
  [ChatErrorCodes.NOT_A_MEMBER]: 'the caller is not a member',
  [ChatErrorCodes.NOT_AN_ADMIN]: 'the caller is not an admin',
  [ChatErrorCodes.MEMBER_NOT_FOUND]: 'that user is not a member',
  [ChatErrorCodes.DIRECT_WITH_SELF]: 'a direct conversation needs another person',
  [ChatErrorCodes.DIRECT_MEMBERS_FIXED]: 'the members of a direct conversation cannot change',
  [ChatErrorCodes.TOO_MANY_MEMBERS]: 'a group has at most 100 members',
  [ChatErrorCodes.LAST_ADMIN]: 'the group would be left without an admin',
  [ChatErrorCodes.CLIENT_MESSAGE_ID_REUSED]: 'the clientMessageId was used for another text',
  [ChatErrorCodes.MESSAGE_NOT_FOUND]: 'no such message in this conversation',
  [ChatErrorCodes.NOT_THE_SENDER]: 'only its sender can change a message',
  [ChatErrorCodes.MESSAGE_DELETED]: 'the message was deleted',
};

/**
 * Documents the domain errors a route can answer, one `@Returns` per status naming its codes.
 *
 * @example @ChatErrorResponses({ 403: [ChatErrorCodes.NOT_A_MEMBER], 404: [ChatErrorCodes.CONVERSATION_NOT_FOUND] })
 */
export const ChatErrorResponses = errorResponsesFor(MEANING);

/** The two answers of every route under `/conversations/:id` to a caller who may not be there. */
export const MEMBERS_ONLY = {
  403: [ChatErrorCodes.NOT_A_MEMBER],
  404: [ChatErrorCodes.CONVERSATION_NOT_FOUND],
} as const;
