import { Injectable } from '@nestjs/common';
import { type Chat, type RpcResult } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { MessageEntity } from '../../entities/message.entity';
import { requireConversation } from '../../shared/conversation-access';

export interface MessageStatsInput {
  conversationId: string;
  /** ISO instant: count only messages created at or after it. */
  since?: string;
}

/** Messages per person in a conversation (deleted, bot and system messages not counted). */
@Injectable()
export class MessageStatsUseCase {
  constructor(private readonly dataSource: DataSource) {}

  execute(input: MessageStatsInput): Promise<RpcResult<typeof Chat.MessageStats>> {
    return this.dataSource.transaction(async (manager) => {
      await requireConversation(manager, input.conversationId);
      const query = manager
        .createQueryBuilder(MessageEntity, 'message')
        .select('message.senderId', 'userId')
        .addSelect('COUNT(*)', 'count')
        .where('message.conversationId = :conversationId', {
          conversationId: input.conversationId,
        })
        .andWhere("message.senderKind = 'user'")
        .andWhere('message.deletedAt IS NULL')
        .groupBy('message.senderId');
      if (input.since !== undefined) {
        query.andWhere('message.createdAt >= :since', { since: new Date(input.since) });
      }
      const rows = await query.getRawMany<{ userId: string; count: string | number }>();
      // Postgres returns COUNT(*) as a string (bigint); sorted here to order ties by user id.
      const perUser = rows
        .map((row) => ({ userId: row.userId, count: Number(row.count) }))
        .sort((a, b) => b.count - a.count || (a.userId < b.userId ? -1 : 1));
      return {
        conversationId: input.conversationId,
        total: perUser.reduce((sum, row) => sum + row.count, 0),
        perUser,
      };
    });
  }
}
