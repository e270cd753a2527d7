import { z } from 'zod';
import { defineEvent } from '../contract';
import { EntityId, Instant, UserId } from '../common/ids';
import { ConversationView, MemberIds, MemberView } from './conversation';
import { MessageView } from './message';

/** A message was stored in a conversation. */
export const MessageCreated = defineEvent({
  subject: 'evt.chat.message.created.v1',
  payload: z.object({ message: MessageView, memberIds: MemberIds }).strict(),
});

/** Its sender changed a message's text; `message` is the message after the edit. */
export const MessageEdited = defineEvent({
  subject: 'evt.chat.message.edited.v1',
  payload: z.object({ message: MessageView, memberIds: MemberIds }).strict(),
});

/** Its sender deleted a message; `message` is the tombstone (empty text, `deletedAt` set). */
export const MessageDeleted = defineEvent({
  subject: 'evt.chat.message.deleted.v1',
  payload: z.object({ message: MessageView, memberIds: MemberIds }).strict(),
});

/** A conversation was created, with its first members. */
export const ConversationCreated = defineEvent({
  subject: 'evt.chat.conversation.created.v1',
  payload: z.object({ conversation: ConversationView }).strict(),
});

/** Someone joined a group (added by an admin). `memberIds` includes the new member. */
export const MemberAdded = defineEvent({
  subject: 'evt.chat.member.added.v1',
  payload: z
    .object({
      conversationId: EntityId,
      member: MemberView,
      addedBy: UserId,
      memberIds: MemberIds,
    })
    .strict(),
});

/**
 * Someone left a group or an admin removed them. `memberIds` are the remaining members (the
 * removed user is told through `userId`). When the last admin left, `promotedUserId` is the
 * member who became admin.
 */
export const MemberRemoved = defineEvent({
  subject: 'evt.chat.member.removed.v1',
  payload: z
    .object({
      conversationId: EntityId,
      userId: UserId,
      removedBy: UserId,
      reason: z.enum(['left', 'removed']),
      promotedUserId: UserId.nullable(),
      memberIds: MemberIds,
    })
    .strict(),
});

/**
 * An admin made a member admin, or an admin a plain member again. Not published for the automatic
 * promotion when the last admin goes: `MemberRemoved.promotedUserId` tells that.
 */
export const MemberRoleChanged = defineEvent({
  subject: 'evt.chat.member.role-changed.v1',
  payload: z
    .object({
      conversationId: EntityId,
      /** The member, with the new role. */
      member: MemberView,
      /** The admin who changed it. */
      changedBy: UserId,
      memberIds: MemberIds,
    })
    .strict(),
});

/** A member read a conversation up to a message. Receipts only move forward. */
export const ReceiptUpdated = defineEvent({
  subject: 'evt.chat.receipt.updated.v1',
  payload: z
    .object({
      conversationId: EntityId,
      userId: UserId,
      lastReadMessageId: EntityId,
      readAt: Instant,
      memberIds: MemberIds,
    })
    .strict(),
});
