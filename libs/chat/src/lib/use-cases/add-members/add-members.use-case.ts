import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { DataSource } from 'typeorm';
import { ChatErrors } from '../../chat.errors';
import { ConversationMemberEntity } from '../../entities/conversation-member.entity';
import { lockConversation, membersOf, requireMembership } from '../../shared/conversation-access';
import { toConversationView, toMemberView } from '../../shared/views';

export interface AddMembersInput {
  conversationId: string;
  /** The admin adding them. */
  actorId: string;
  userIds: string[];
}

/** An admin adds people to a group; people already in it are left as they are. */
@Injectable()
export class AddMembersUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  execute(input: AddMembersInput): Promise<Chat.ConversationView> {
    return this.dataSource.transaction(async (manager) => {
      // Locked: the member cap must hold against concurrent additions.
      const conversation = await lockConversation(manager, input.conversationId);
      const actor = await requireMembership(manager, input.conversationId, input.actorId);
      if (conversation.kind === 'direct') throw ChatErrors.directMembersFixed(conversation.id);
      if (actor.role !== 'admin') throw ChatErrors.notAnAdmin(conversation.id);

      const members = await membersOf(manager, conversation.id);
      const present = new Set(members.map((member) => member.userId));
      const newcomers = [...new Set(input.userIds)].filter((userId) => !present.has(userId));
      if (newcomers.length === 0) return toConversationView(conversation, members);
      if (members.length + newcomers.length > Chat.GROUP_MEMBERS_MAX) {
        throw ChatErrors.tooManyMembers(Chat.GROUP_MEMBERS_MAX, 'conflict');
      }

      const joinedAt = new Date();
      const added: ConversationMemberEntity[] = newcomers.map((userId) => ({
        conversationId: conversation.id,
        userId,
        role: 'member',
        joinedAt,
        lastReadMessageId: null,
        lastReadAt: null,
      }));
      await manager.insert(ConversationMemberEntity, added);
      const after = await membersOf(manager, conversation.id);
      const memberIds = after.map((member) => member.userId);
      for (const member of added) {
        await this.outbox.add(manager, Chat.MemberAdded, {
          conversationId: conversation.id,
          member: toMemberView(member),
          addedBy: input.actorId,
          memberIds,
        });
      }
      return toConversationView(conversation, after);
    });
  }
}
