import { type EntityManager } from 'typeorm';
import { ConversationMemberEntity } from '../entities/conversation-member.entity';
import { MessageEntity } from '../entities/message.entity';

/**
 * For each conversation: how many messages the user has not read — written by someone else, newer
 * than the user's read receipt, not deleted. One grouped query over the `(conversation_id, id)`
 * index, however many conversations are asked for.
 */
export async function unreadCounts(
  manager: EntityManager,
  userId: string,
  conversationIds: readonly string[],
): Promise<Map<string, number>> {
  const counts = new Map<string, number>(conversationIds.map((id) => [id, 0]));
  if (conversationIds.length === 0) return counts;
  const rows = await manager
    .createQueryBuilder(MessageEntity, 'message')
    .select('message.conversationId', 'conversationId')
    .addSelect('COUNT(*)', 'count')
    .innerJoin(
      ConversationMemberEntity,
      'reader',
      'reader.conversationId = message.conversationId AND reader.userId = :userId',
      { userId },
    )
    .where('message.conversationId IN (:...conversationIds)', { conversationIds })
    .andWhere('message.deletedAt IS NULL')
    .andWhere("NOT (message.senderKind = 'user' AND message.senderId = :userId)")
    .andWhere('(reader.lastReadMessageId IS NULL OR message.id > reader.lastReadMessageId)')
    .groupBy('message.conversationId')
    .getRawMany<{ conversationId: string; count: string | number }>();
  // Postgres returns COUNT(*) as a string (bigint).
  for (const row of rows) counts.set(row.conversationId, Number(row.count));
  return counts;
}
