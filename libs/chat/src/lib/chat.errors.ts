import { AppError, type ErrorKind } from '@switchboard/contracts';

/** Stable error codes of the chat domain (docs/chat.md lists when each is raised). */
export const ChatErrorCodes = {
  CONVERSATION_NOT_FOUND: 'CHAT.CONVERSATION_NOT_FOUND',
  NOT_A_MEMBER: 'CHAT.NOT_A_MEMBER',
  NOT_AN_ADMIN: 'CHAT.NOT_AN_ADMIN',
  MEMBER_NOT_FOUND: 'CHAT.MEMBER_NOT_FOUND',
  DIRECT_WITH_SELF: 'CHAT.DIRECT_WITH_SELF',
  DIRECT_MEMBERS_FIXED: 'CHAT.DIRECT_MEMBERS_FIXED',
  TOO_MANY_MEMBERS: 'CHAT.TOO_MANY_MEMBERS',
  LAST_ADMIN: 'CHAT.LAST_ADMIN',
  CLIENT_MESSAGE_ID_REUSED: 'CHAT.CLIENT_MESSAGE_ID_REUSED',
  MESSAGE_NOT_FOUND: 'CHAT.MESSAGE_NOT_FOUND',
  NOT_THE_SENDER: 'CHAT.NOT_THE_SENDER',
  MESSAGE_DELETED: 'CHAT.MESSAGE_DELETED',
} as const;

export const ChatErrors = {
  conversationNotFound: (conversationId: string) =>
    new AppError(
      ChatErrorCodes.CONVERSATION_NOT_FOUND,
      'not_found',
      `Conversation ${conversationId} does not exist`,
      { conversationId },
    ),
  notAMember: (conversationId: string) =>
    new AppError(
      ChatErrorCodes.NOT_A_MEMBER,
      'permission_denied',
      'Only members of the conversation can do this',
      { conversationId },
    ),
  notAnAdmin: (conversationId: string) =>
    new AppError(
      ChatErrorCodes.NOT_AN_ADMIN,
      'permission_denied',
      'Only admins of the conversation can do this',
      { conversationId },
    ),
  memberNotFound: (conversationId: string, userId: string) =>
    new AppError(
      ChatErrorCodes.MEMBER_NOT_FOUND,
      'not_found',
      `${userId} is not a member of the conversation`,
      { conversationId, userId },
    ),
  directWithSelf: () =>
    new AppError(
      ChatErrorCodes.DIRECT_WITH_SELF,
      'invalid_argument',
      'A direct conversation needs another person',
      [{ path: 'userId', message: 'must not be yourself', code: 'custom' }],
    ),
  directMembersFixed: (conversationId: string) =>
    new AppError(
      ChatErrorCodes.DIRECT_MEMBERS_FIXED,
      'conflict',
      'The members of a direct conversation cannot change',
      { conversationId },
    ),
  /** `invalid_argument` when the request alone is too big, `conflict` when the group is full. */
  tooManyMembers: (max: number, kind: Extract<ErrorKind, 'invalid_argument' | 'conflict'>) =>
    new AppError(ChatErrorCodes.TOO_MANY_MEMBERS, kind, `A group has at most ${max} members`, {
      max,
    }),
  lastAdmin: (conversationId: string) =>
    new AppError(
      ChatErrorCodes.LAST_ADMIN,
      'conflict',
      'A group needs an admin: make someone else admin first',
      { conversationId },
    ),
  clientMessageIdReused: (clientMessageId: string) =>
    new AppError(
      ChatErrorCodes.CLIENT_MESSAGE_ID_REUSED,
      'conflict',
      'This clientMessageId was already used for a different message',
      { clientMessageId },
    ),
  messageNotFound: (conversationId: string, messageId: string) =>
    new AppError(
      ChatErrorCodes.MESSAGE_NOT_FOUND,
      'not_found',
      `Message ${messageId} does not exist in this conversation`,
      { conversationId, messageId },
    ),
  notTheSender: (messageId: string) =>
    new AppError(
      ChatErrorCodes.NOT_THE_SENDER,
      'permission_denied',
      'Only its sender can change a message',
      { messageId },
    ),
  messageDeleted: (messageId: string) =>
    new AppError(ChatErrorCodes.MESSAGE_DELETED, 'conflict', 'The message was deleted', {
      messageId,
    }),
};
