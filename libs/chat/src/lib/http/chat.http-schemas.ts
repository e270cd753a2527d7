import { Chat, EntityId, UserId } from '@switchboard/contracts';
import { z } from 'zod';

export const ConversationIdParams = z.object({ id: EntityId }).strict();

export const CreateConversationBody = z
  .object({
    title: z.string().trim().min(1).max(100),
    /** Other members; the creator is added anyway. */
    memberIds: z.array(UserId).max(100).default([]),
  })
  .strict();
export type CreateConversationBody = z.output<typeof CreateConversationBody>;

export const PostMessageBody = z
  .object({
    text: Chat.MessageText,
    /** Retry-safe sends: the same id from the same user returns the message already stored. */
    clientMessageId: Chat.ClientMessageId.optional(),
  })
  .strict();
export type PostMessageBody = z.output<typeof PostMessageBody>;

export const ListMessagesQuery = z
  .object({
    before: EntityId.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict();
export type ListMessagesQuery = z.output<typeof ListMessagesQuery>;
