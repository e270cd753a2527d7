import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { DataSource } from 'typeorm';
import { ChatErrors } from '../../chat.errors';
import { ConversationMemberEntity } from '../../entities/conversation-member.entity';
import { lockConversation, membersOf, requireMembership } from '../../shared/conversation-access';

export interface RemoveMemberInput {
  conversationId: string;
  /** Who asks: the member themselves (leaving) or an admin (removing them). */
  actorId: string;
  userId: string;
}

export interface RemoveMemberOutcome {
  /** The member who became admin because the last admin went; null if none did. */
  promotedUserId: string | null;
}

/**
 * Someone leaves a group, or an admin removes them. A group never stays without an admin while it
 * has members: when the last one goes, the longest-standing member (joined_at, then user id)
 * becomes admin.
 */
@Injectable()
export class RemoveMemberUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  execute(input: RemoveMemberInput): Promise<RemoveMemberOutcome> {
    const leaving = input.actorId === input.userId;
    return this.dataSource.transaction(async (manager) => {
      // Locked: two admins leaving at once must not both see "another admin remains".
      const conversation = await lockConversation(manager, input.conversationId);
      const actor = await requireMembership(manager, conversation.id, input.actorId);
      if (conversation.kind === 'direct') throw ChatErrors.directMembersFixed(conversation.id);
      if (!leaving) {
        if (actor.role !== 'admin') throw ChatErrors.notAnAdmin(conversation.id);
        const target = await manager.findOneBy(ConversationMemberEntity, {
          conversationId: conversation.id,
          userId: input.userId,
        });
        if (!target) throw ChatErrors.memberNotFound(conversation.id, input.userId);
      }

      await manager.delete(ConversationMemberEntity, {
        conversationId: conversation.id,
        userId: input.userId,
      });
      const remaining = await membersOf(manager, conversation.id);
      let promotedUserId: string | null = null;
      const successor = remaining[0];
      if (successor && !remaining.some((member) => member.role === 'admin')) {
        await manager.update(
          ConversationMemberEntity,
          { conversationId: conversation.id, userId: successor.userId },
          { role: 'admin' },
        );
        promotedUserId = successor.userId;
      }
      await this.outbox.add(manager, Chat.MemberRemoved, {
        conversationId: conversation.id,
        userId: input.userId,
        removedBy: input.actorId,
        reason: leaving ? 'left' : 'removed',
        promotedUserId,
        memberIds: remaining.map((member) => member.userId),
      });
      return { promotedUserId };
    });
  }
}
