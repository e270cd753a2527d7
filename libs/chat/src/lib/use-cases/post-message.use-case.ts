import { Injectable, Logger } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { EventPublisher } from '@switchboard/platform-messaging';
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
  private readonly log = new Logger(PostMessageUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly events: EventPublisher,
  ) {}

  async execute(input: PostMessageInput): Promise<Chat.MessageView> {
    const message = await this.dataSource.transaction(async (manager) => {
      // People must be members; bots and the system are platform callers acting in the conversation.
      if (input.sender.kind === 'user') {
        await requireMembership(manager, input.conversationId, input.sender.id);
      } else {
        await requireConversation(manager, input.conversationId);
      }
      return manager.save(
        manager.create(MessageEntity, {
          id: uuidv7(),
          conversationId: input.conversationId,
          senderKind: input.sender.kind,
          senderId: input.sender.id,
          text: input.text,
          createdAt: new Date(),
        }),
      );
    });
    const view = toMessageView(message);
    try {
      this.events.publish(Chat.MessageCreated, view, { messageId: view.id });
    } catch (error) {
      // The message is stored either way; the outbox (next step of the platform) makes this lossless.
      this.log.error(
        `Could not publish ${Chat.MessageCreated.subject} for ${view.id}: ${String(error)}`,
      );
    }
    return view;
  }
}
