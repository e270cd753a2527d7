import { Injectable } from '@nestjs/common';
import { type Chat, type RpcResult } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { ConversationMemberEntity } from '../../entities/conversation-member.entity';
import { ConversationEntity } from '../../entities/conversation.entity';

/** Whether a user is in a conversation, for other services (calls asks before ringing). */
@Injectable()
export class CheckMembershipUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: {
    conversationId: string;
    userId: string;
  }): Promise<RpcResult<typeof Chat.CheckMembership>> {
    const member = await this.dataSource.manager.findOneBy(ConversationMemberEntity, input);
    if (member) return { member: true, role: member.role, conversationExists: true };
    const conversationExists = await this.dataSource.manager.existsBy(ConversationEntity, {
      id: input.conversationId,
    });
    return { member: false, role: null, conversationExists };
  }
}
