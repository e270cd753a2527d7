import { Chat, EntityId, Instant, UserId } from '@switchboard/contracts';
import { z } from 'zod';
import { decodeConversationCursor } from '../use-cases/list-conversations';

// ---- request parts ----

export const ConversationIdParams = z.object({ id: EntityId }).strict();
export type ConversationIdParams = z.output<typeof ConversationIdParams>;

export const MemberParams = z.object({ id: EntityId, userId: UserId }).strict();
export type MemberParams = z.output<typeof MemberParams>;

export const MessageParams = z.object({ id: EntityId, messageId: EntityId }).strict();
export type MessageParams = z.output<typeof MessageParams>;

/** `kind` may be left out and then means `group`, as before direct conversations existed. */
export const CreateConversationBody = z.discriminatedUnion('kind', [
  z
    .object({
      kind: z.literal('group').default('group'),
      title: z.string().trim().min(1).max(Chat.GROUP_TITLE_MAX),
      /** Other members; the creator is added anyway. */
      memberIds: z.array(UserId).max(Chat.GROUP_MEMBERS_MAX).default([]),
    })
    .strict(),
  z
    .object({
      kind: z.literal('direct'),
      /** The other person. */
      userId: UserId,
    })
    .strict(),
]);
export type CreateConversationBody = z.output<typeof CreateConversationBody>;

export const ListConversationsQuery = z
  .object({
    limit: z.coerce.number().int().min(1).max(100).default(20),
    /** `nextCursor` of the previous page. */
    cursor: z
      .string()
      .max(200)
      .transform((cursor, context) => {
        const key = decodeConversationCursor(cursor);
        if (key === undefined) {
          context.addIssue({ code: 'custom', message: 'not a cursor this API returned' });
          return z.NEVER;
        }
        return key;
      })
      .optional(),
  })
  .strict();
export type ListConversationsQuery = z.output<typeof ListConversationsQuery>;

export const AddMembersBody = z
  .object({ userIds: z.array(UserId).min(1).max(Chat.GROUP_MEMBERS_MAX) })
  .strict();
export type AddMembersBody = z.output<typeof AddMembersBody>;

export const ChangeRoleBody = z.object({ role: Chat.MemberRole }).strict();
export type ChangeRoleBody = z.output<typeof ChangeRoleBody>;

export const PostMessageBody = z
  .object({
    text: Chat.MessageText,
    /** Retry-safe sends: the same id from the same user returns the message already stored. */
    clientMessageId: Chat.ClientMessageId.optional(),
  })
  .strict();
export type PostMessageBody = z.output<typeof PostMessageBody>;

export const EditMessageBody = z.object({ text: Chat.MessageText }).strict();
export type EditMessageBody = z.output<typeof EditMessageBody>;

export const ListMessagesQuery = z
  .object({
    /** Older than this message, newest first. */
    before: EntityId.optional(),
    /** Newer than this message, oldest first. */
    after: EntityId.optional(),
    limit: z.coerce.number().int().min(1).max(100).default(50),
  })
  .strict()
  .refine((query) => query.before === undefined || query.after === undefined, {
    message: 'use either before or after, not both',
    path: ['after'],
  });
export type ListMessagesQuery = z.output<typeof ListMessagesQuery>;

export const MarkReadBody = z.object({ messageId: EntityId }).strict();
export type MarkReadBody = z.output<typeof MarkReadBody>;

// ---- responses no contract describes ----

export const ConversationSummary = Chat.ConversationView.extend({
  /** Newest message (a tombstone if it was deleted); null before the first one. */
  lastMessage: Chat.MessageView.nullable(),
  /** Messages by others after my read receipt, deleted ones not counted. */
  unreadCount: z.number().int().nonnegative(),
}).strict();

export const ConversationPage = z
  .object({
    /** Most recent activity (newest message, else creation) first. */
    items: z.array(ConversationSummary),
    /** Pass as `cursor` for the next page; null on the last page. */
    nextCursor: z.string().nullable(),
  })
  .strict();

export const MessagePage = z
  .object({
    /** Newest first; oldest first when paging with `after`. */
    items: z.array(Chat.MessageView),
    /** Pass as `before` for older messages; null on the last page or when paging with `after`. */
    nextBefore: EntityId.nullable(),
    /** Pass as `after` for newer messages; null when none are left or when paging with `before`. */
    nextAfter: EntityId.nullable(),
  })
  .strict();

export const ReadReceiptView = z
  .object({
    userId: UserId,
    /** Newest message the member has read; null before the first read. */
    lastReadMessageId: EntityId.nullable(),
    readAt: Instant.nullable(),
  })
  .strict();

export const MarkReadResponse = z
  .object({
    /** My receipt after the call (unchanged when the message was older than it). */
    receipt: ReadReceiptView,
    /** Messages by others after my receipt, deleted ones not counted. */
    unreadCount: z.number().int().nonnegative(),
  })
  .strict();

export const ReceiptList = z.object({ items: z.array(ReadReceiptView) }).strict();
