import { z } from 'zod';
import { defineRpc } from '../contract';
import { EntityId, Instant, UserId } from '../common/ids';
import { ConversationView, MemberRole } from './conversation';
import { ClientMessageId, MessageText, MessageView, Sender } from './message';

/**
 * Post a message into a conversation on behalf of a user, a bot or the system.
 * A `user` sender must be a member (`CHAT.NOT_A_MEMBER` otherwise); bots and the system are
 * trusted callers inside the platform.
 */
export const PostMessage = defineRpc({
  subject: 'rpc.chat.post-message.v1',
  request: z
    .object({
      /** Target conversation. */
      conversationId: EntityId,
      /** Author of the message. */
      sender: Sender,
      /** Message text, at most 4 KiB after trimming. */
      text: MessageText,
      /** Idempotency key: a second call with the same key returns the first call's message. */
      clientMessageId: ClientMessageId.optional(),
    })
    .strict(),
  result: z
    .object({
      /** The stored message. */
      message: MessageView,
    })
    .strict(),
});

/** Is this user a member of this conversation, and with which role? */
export const CheckMembership = defineRpc({
  subject: 'rpc.chat.check-membership.v1',
  request: z.object({ conversationId: EntityId, userId: UserId }).strict(),
  result: z
    .object({
      /** False also when the conversation does not exist (see `conversationExists`). */
      member: z.boolean(),
      /** The member's role; null when not a member. */
      role: MemberRole.nullable(),
      conversationExists: z.boolean(),
    })
    .strict(),
});

/** Everyone who shares at least one conversation with a user (the user excluded), sorted. */
export const ListContacts = defineRpc({
  subject: 'rpc.chat.list-contacts.v1',
  request: z.object({ userId: UserId }).strict(),
  result: z.object({ userIds: z.array(UserId) }).strict(),
});

/** A conversation with its members and their roles; `CHAT.CONVERSATION_NOT_FOUND` if unknown. */
export const GetConversation = defineRpc({
  subject: 'rpc.chat.get-conversation.v1',
  request: z.object({ conversationId: EntityId }).strict(),
  result: z.object({ conversation: ConversationView }).strict(),
});

/**
 * How many messages each person posted in a conversation (deleted ones and bot/system messages
 * not counted), most active first; `CHAT.CONVERSATION_NOT_FOUND` if unknown.
 */
export const MessageStats = defineRpc({
  subject: 'rpc.chat.message-stats.v1',
  request: z
    .object({
      conversationId: EntityId,
      /** Only messages created at or after this instant; all when absent. */
      since: Instant.optional(),
    })
    .strict(),
  result: z
    .object({
      conversationId: EntityId,
      /** Sum of `perUser` counts. */
      total: z.number().int().nonnegative(),
      perUser: z.array(z.object({ userId: UserId, count: z.number().int().positive() }).strict()),
    })
    .strict(),
});
