import { Injectable } from '@nestjs/common';
import { type Chat } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import {
  membersOf,
  requireConversation,
  requireMembership,
} from '../../shared/conversation-access';
import { toConversationView } from '../../shared/views';

export interface GetConversationInput {
  conversationId: string;
  /** The person asking, who must be a member; absent for trusted callers over RPC. */
  viewerId?: string;
}

@Injectable()
export class GetConversationUseCase {
  constructor(private readonly dataSource: DataSource) {}

  execute(input: GetConversationInput): Promise<Chat.ConversationView> {
    return this.dataSource.transaction(async (manager) => {
      if (input.viewerId !== undefined) {
        await requireMembership(manager, input.conversationId, input.viewerId);
      }
      const conversation = await requireConversation(manager, input.conversationId);
      return toConversationView(conversation, await membersOf(manager, input.conversationId));
    });
  }
}
