import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { DataSource } from 'typeorm';
import { ChatErrors } from '../../chat.errors';
import { ConversationMemberEntity } from '../../entities/conversation-member.entity';
import { lockConversation, membersOf, requireMembership } from '../../shared/conversation-access';
import { toConversationView, toMemberView } from '../../shared/views';

export interface ChangeMemberRoleInput {
  conversationId: string;
  /** The admin making the change. */
  actorId: string;
  userId: string;
  role: Chat.MemberRole;
}

/** An admin makes a member admin, or an admin a plain member again (never the last admin). */
@Injectable()
export class ChangeMemberRoleUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  execute(input: ChangeMemberRoleInput): Promise<Chat.ConversationView> {
    return this.dataSource.transaction(async (manager) => {
      // Locked: two admins demoting each other at once must not leave the group without one.
      const conversation = await lockConversation(manager, input.conversationId);
      const actor = await requireMembership(manager, conversation.id, input.actorId);
      if (conversation.kind === 'direct') throw ChatErrors.directMembersFixed(conversation.id);
      if (actor.role !== 'admin') throw ChatErrors.notAnAdmin(conversation.id);

      const members = await membersOf(manager, conversation.id);
      const target = members.find((member) => member.userId === input.userId);
      if (!target) throw ChatErrors.memberNotFound(conversation.id, input.userId);
      if (target.role === input.role) return toConversationView(conversation, members);
      const admins = members.filter((member) => member.role === 'admin');
      if (input.role === 'member' && admins.length === 1) {
        throw ChatErrors.lastAdmin(conversation.id);
      }

      await manager.update(
        ConversationMemberEntity,
        { conversationId: conversation.id, userId: target.userId },
        { role: input.role },
      );
      target.role = input.role;
      await this.outbox.add(manager, Chat.MemberRoleChanged, {
        conversationId: conversation.id,
        member: toMemberView(target),
        changedBy: input.actorId,
        memberIds: members.map((member) => member.userId),
      });
      return toConversationView(conversation, members);
    });
  }
}
