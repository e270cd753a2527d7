import { type Chat } from '@switchboard/contracts';
import { type ConversationMemberEntity } from '../entities/conversation-member.entity';
import { type ConversationEntity } from '../entities/conversation.entity';
import { type MessageEntity } from '../entities/message.entity';

export function toMessageView(message: MessageEntity): Chat.MessageView {
  return {
    id: message.id,
    conversationId: message.conversationId,
    sender: { kind: message.senderKind, id: message.senderId },
    text: message.text,
    clientMessageId: message.clientMessageId,
    ref:
      message.refKind !== null && message.refId !== null
        ? { kind: message.refKind, id: message.refId }
        : null,
    createdAt: message.createdAt.toISOString(),
    editedAt: message.editedAt?.toISOString() ?? null,
    deletedAt: message.deletedAt?.toISOString() ?? null,
  };
}

export function toMemberView(member: ConversationMemberEntity): Chat.MemberView {
  return { userId: member.userId, role: member.role, joinedAt: member.joinedAt.toISOString() };
}

/** `members` must be the conversation's current members, oldest first. */
export function toConversationView(
  conversation: ConversationEntity,
  members: readonly ConversationMemberEntity[],
): Chat.ConversationView {
  return {
    id: conversation.id,
    kind: conversation.kind,
    title: conversation.title,
    ownerId: conversation.createdBy,
    createdAt: conversation.createdAt.toISOString(),
    members: members.map(toMemberView),
  };
}
