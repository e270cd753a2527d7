import { AppError } from '@switchboard/contracts';

/** Stable error codes of the chat domain. */
export const ChatErrorCodes = {
  CONVERSATION_NOT_FOUND: 'CHAT.CONVERSATION_NOT_FOUND',
  NOT_A_MEMBER: 'CHAT.NOT_A_MEMBER',
  CLIENT_MESSAGE_ID_REUSED: 'CHAT.CLIENT_MESSAGE_ID_REUSED',
} as const;

export const ChatErrors = {
  conversationNotFound: (conversationId: string) =>
    new AppError(
      ChatErrorCodes.CONVERSATION_NOT_FOUND,
      'not_found',
      `Conversation ${conversationId} does not exist`,
      { conversationId },
    ),
  clientMessageIdReused: (clientMessageId: string) =>
    new AppError(
      ChatErrorCodes.CLIENT_MESSAGE_ID_REUSED,
      'conflict',
      'This clientMessageId was already used for a different message',
      { clientMessageId },
    ),
  notAMember: (conversationId: string) =>
    new AppError(
      ChatErrorCodes.NOT_A_MEMBER,
      'permission_denied',
      'Only members of the conversation can do this',
      { conversationId },
    ),
};
