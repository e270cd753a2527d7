import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { uuidv7 } from '@switchboard/platform-persistence';
import { DataSource } from 'typeorm';
import { MessageEntity } from '../entities/message.entity';
import { requireConversation, requireMembership } from './conversation-access';
import { toMessageView } from './message-view';

export interface PostMessageInput {
  conversationId: string;
  sender: Chat.Sender;
  text: string;
}

/** Stores a message and announces it. Reached over HTTP (users) and RPC (bots, system). */
@Injectable()
export class PostMessageUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async execute(input: PostMessageInput): Promise<Chat.MessageView> {
    return this.dataSource.transaction(async (manager) => {
      // People must be members; bots and the system are platform callers acting in the conversation.
      if (input.sender.kind === 'user') {
        await requireMembership(manager, input.conversationId, input.sender.id);
      } else {
        await requireConversation(manager, input.conversationId);
      }
      const message = await manager.save(
        manager.create(MessageEntity, {
          id: uuidv7(),
          conversationId: input.conversationId,
          senderKind: input.sender.kind,
          senderId: input.sender.id,
          text: input.text,
          createdAt: new Date(),
        }),
      );
      const view = toMessageView(message);
      // Same transaction: the event exists if and only if the message does.
      await this.outbox.add(manager, Chat.MessageCreated, view);
      return view;
    });
  }
}
