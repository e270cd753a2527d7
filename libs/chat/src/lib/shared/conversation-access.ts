import { type EntityManager } from 'typeorm';
import { ChatErrors } from '../chat.errors';
import { ConversationMemberEntity } from '../entities/conversation-member.entity';
import { ConversationEntity } from '../entities/conversation.entity';

/**
 * 404 when the conversation does not exist, 403 when the user is not in it. Runs inside the caller's
 * transaction so the answer holds for the write that follows.
 */
export async function requireMembership(
  manager: EntityManager,
  conversationId: string,
  userId: string,
): Promise<ConversationMemberEntity> {
  const member = await manager.findOneBy(ConversationMemberEntity, { conversationId, userId });
  if (member) return member;
  await requireConversation(manager, conversationId);
  throw ChatErrors.notAMember(conversationId);
}

/** {@link requireMembership}, and 403 `CHAT.NOT_AN_ADMIN` unless the member is an admin. */
export async function requireAdmin(
  manager: EntityManager,
  conversationId: string,
  userId: string,
): Promise<ConversationMemberEntity> {
  const member = await requireMembership(manager, conversationId, userId);
  if (member.role !== 'admin') throw ChatErrors.notAnAdmin(conversationId);
  return member;
}

export async function requireConversation(
  manager: EntityManager,
  conversationId: string,
): Promise<ConversationEntity> {
  const conversation = await manager.findOneBy(ConversationEntity, { id: conversationId });
  if (!conversation) throw ChatErrors.conversationNotFound(conversationId);
  return conversation;
}

/**
 * Reads the conversation and, on Postgres, locks its row until the transaction ends. Every change
 * of membership takes this lock first, so checks that span several rows (the member cap, "is
 * anyone still admin?") see no concurrent change. SQLite runs one write transaction at a time.
 */
export async function lockConversation(
  manager: EntityManager,
  conversationId: string,
): Promise<ConversationEntity> {
  const query = manager
    .createQueryBuilder(ConversationEntity, 'conversation')
    .where('conversation.id = :conversationId', { conversationId });
  if (manager.connection.options.type === 'postgres') query.setLock('pessimistic_write');
  const conversation = await query.getOne();
  if (!conversation) throw ChatErrors.conversationNotFound(conversationId);
  return conversation;
}

/** Current members, oldest first (joined_at, then user id: the order promotion follows too). */
export function membersOf(
  manager: EntityManager,
  conversationId: string,
): Promise<ConversationMemberEntity[]> {
  return manager.find(ConversationMemberEntity, {
    where: { conversationId },
    order: { joinedAt: 'ASC', userId: 'ASC' },
  });
}

/** Who an event about the conversation concerns: its current members. */
export async function memberIdsOf(
  manager: EntityManager,
  conversationId: string,
): Promise<string[]> {
  return (await membersOf(manager, conversationId)).map((member) => member.userId);
}
