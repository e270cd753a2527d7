import { type Chat } from '@switchboard/contracts';
import { type MessageEntity } from '../entities/message.entity';

export function toMessageView(message: MessageEntity): Chat.MessageView {
  return {
    id: message.id,
    conversationId: message.conversationId,
    sender: { kind: message.senderKind, id: message.senderId },
    text: message.text,
    createdAt: message.createdAt.toISOString(),
  };
}
