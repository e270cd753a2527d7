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
): Promise<void> {
  const member = await manager.findOneBy(ConversationMemberEntity, { conversationId, userId });
  if (member) return;
  await requireConversation(manager, conversationId);
  throw ChatErrors.notAMember(conversationId);
}

export async function requireConversation(
  manager: EntityManager,
  conversationId: string,
): Promise<ConversationEntity> {
  const conversation = await manager.findOneBy(ConversationEntity, { id: conversationId });
  if (!conversation) throw ChatErrors.conversationNotFound(conversationId);
  return conversation;
}
