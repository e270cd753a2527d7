import { Injectable } from '@nestjs/common';
import { uuidv7 } from '@switchboard/platform-persistence';
import { DataSource } from 'typeorm';
import { ConversationMemberEntity } from '../entities/conversation-member.entity';
import { ConversationEntity } from '../entities/conversation.entity';

export interface CreateConversationInput {
  creatorId: string;
  title: string;
  memberIds: string[];
}

export interface ConversationView {
  id: string;
  title: string;
  createdBy: string;
  createdAt: string;
  memberIds: string[];
}

@Injectable()
export class CreateConversationUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: CreateConversationInput): Promise<ConversationView> {
    const now = new Date();
    // The creator is always a member; listing them again is harmless.
    const memberIds = [...new Set([input.creatorId, ...input.memberIds])];
    const conversation = await this.dataSource.transaction(async (manager) => {
      const created = await manager.save(
        manager.create(ConversationEntity, {
          id: uuidv7(),
          title: input.title,
          createdBy: input.creatorId,
          createdAt: now,
        }),
      );
      await manager.insert(
        ConversationMemberEntity,
        memberIds.map((userId) => ({ conversationId: created.id, userId, joinedAt: now })),
      );
      return created;
    });
    return {
      id: conversation.id,
      title: conversation.title,
      createdBy: conversation.createdBy,
      createdAt: conversation.createdAt.toISOString(),
      memberIds,
    };
  }
}
