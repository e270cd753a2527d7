import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { DataSource } from 'typeorm';
import { ChatErrors } from '../../chat.errors';
import { ConversationMemberEntity } from '../../entities/conversation-member.entity';
import { MessageEntity } from '../../entities/message.entity';
import { memberIdsOf, requireMembership } from '../../shared/conversation-access';
import { unreadCounts } from '../../shared/unread-counts';

export interface MarkReadInput {
  conversationId: string;
  userId: string;
  /** Read up to and including this message. */
  messageId: string;
}

export interface ReadReceipt {
  userId: string;
  /** Newest message read; null before the first read. */
  lastReadMessageId: string | null;
  readAt: string | null;
}

export interface MarkReadOutcome {
  /** The reader's receipt after the call. */
  receipt: ReadReceipt;
  /** Messages by others after the receipt, deleted ones not counted. */
  unreadCount: number;
}

/**
 * Moves a member's read receipt forward. An older message than the one already read is accepted
 * (clients on several devices report out of order) but changes nothing and announces nothing.
 */
@Injectable()
export class MarkReadUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  execute(input: MarkReadInput): Promise<MarkReadOutcome> {
    return this.dataSource.transaction(async (manager) => {
      await requireMembership(manager, input.conversationId, input.userId);
      const message = await manager.findOneBy(MessageEntity, {
        id: input.messageId,
        conversationId: input.conversationId,
      });
      if (!message) throw ChatErrors.messageNotFound(input.conversationId, input.messageId);

      const readAt = new Date();
      // Conditional, so concurrent reads from two devices can only move the receipt forward.
      const result = await manager
        .createQueryBuilder()
        .update(ConversationMemberEntity)
        .set({ lastReadMessageId: message.id, lastReadAt: readAt })
        .where('conversation_id = :conversationId AND user_id = :userId', {
          conversationId: input.conversationId,
          userId: input.userId,
        })
        .andWhere('(last_read_message_id IS NULL OR last_read_message_id < :messageId)', {
          messageId: message.id,
        })
        .execute();
      if (result.affected) {
        await this.outbox.add(manager, Chat.ReceiptUpdated, {
          conversationId: input.conversationId,
          userId: input.userId,
          lastReadMessageId: message.id,
          readAt: readAt.toISOString(),
          memberIds: await memberIdsOf(manager, input.conversationId),
        });
      }
      const member = await requireMembership(manager, input.conversationId, input.userId);
      const unread = await unreadCounts(manager, input.userId, [input.conversationId]);
      return {
        receipt: toReadReceipt(member),
        unreadCount: unread.get(input.conversationId) ?? 0,
      };
    });
  }
}

export function toReadReceipt(member: ConversationMemberEntity): ReadReceipt {
  return {
    userId: member.userId,
    lastReadMessageId: member.lastReadMessageId,
    readAt: member.lastReadAt?.toISOString() ?? null,
  };
}
