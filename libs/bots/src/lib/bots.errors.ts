import { AppError } from '@switchboard/contracts';

/** Stable error codes of the bots domain (HTTP status in brackets). */
export const BotsErrorCodes = {
  /** [404] chat does not know the conversation. */
  CONVERSATION_NOT_FOUND: 'BOTS.CONVERSATION_NOT_FOUND',
  /** [403] the caller is not a member of the conversation. */
  NOT_A_MEMBER: 'BOTS.NOT_A_MEMBER',
  /** [403] the caller is a member but not an admin, and only admins manage bots. */
  NOT_AN_ADMIN: 'BOTS.NOT_AN_ADMIN',
  /** [404] no built-in or webhook bot has this name. */
  BOT_NOT_FOUND: 'BOTS.BOT_NOT_FOUND',
  /** [409] a built-in or webhook bot already has this name. */
  NAME_TAKEN: 'BOTS.NAME_TAKEN',
  /** [409] a bot installed in the conversation already answers one of the bot's commands. */
  COMMAND_CONFLICT: 'BOTS.COMMAND_CONFLICT',
} as const;

export const BotsErrors = {
  conversationNotFound: (conversationId: string) =>
    new AppError(
      BotsErrorCodes.CONVERSATION_NOT_FOUND,
      'not_found',
      `Conversation ${conversationId} does not exist`,
      { conversationId },
    ),
  notAMember: (conversationId: string) =>
    new AppError(
      BotsErrorCodes.NOT_A_MEMBER,
      'permission_denied',
      'Only members of the conversation can see its bots',
      { conversationId },
    ),
  notAnAdmin: (conversationId: string) =>
    new AppError(
      BotsErrorCodes.NOT_AN_ADMIN,
      'permission_denied',
      'Only admins of the conversation can install or remove bots',
      { conversationId },
    ),
  botNotFound: (name: string) =>
    new AppError(BotsErrorCodes.BOT_NOT_FOUND, 'not_found', `There is no bot named ${name}`, {
      name,
    }),
  nameTaken: (name: string) =>
    new AppError(BotsErrorCodes.NAME_TAKEN, 'conflict', `The bot name ${name} is taken`, { name }),
  commandConflict: (bot: string, command: string, installedBot: string) =>
    new AppError(
      BotsErrorCodes.COMMAND_CONFLICT,
      'conflict',
      `/${command} is already answered by ${installedBot} in this conversation`,
      { bot, command, installedBot },
    ),
};
