import { type EntityManager } from 'typeorm';
import { ChatErrors } from '../chat.errors';
import { MessageEntity } from '../entities/message.entity';
import { requireMembership } from './conversation-access';

/**
 * The message a member wants to change: 404 unless it is in this conversation, 403 unless they
 * sent it (bot and system messages belong to no user, so no user can change them).
 */
export async function requireOwnMessage(
  manager: EntityManager,
  conversationId: string,
  messageId: string,
  userId: string,
): Promise<MessageEntity> {
  await requireMembership(manager, conversationId, userId);
  const message = await manager.findOneBy(MessageEntity, { id: messageId, conversationId });
  if (!message) throw ChatErrors.messageNotFound(conversationId, messageId);
  if (message.senderKind !== 'user' || message.senderId !== userId) {
    throw ChatErrors.notTheSender(messageId);
  }
  return message;
}
