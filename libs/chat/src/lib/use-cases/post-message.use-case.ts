import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { isUniqueViolation, uuidv7 } from '@switchboard/platform-persistence';
import { DataSource, type EntityManager } from 'typeorm';
import { ChatErrors } from '../chat.errors';
import { MessageEntity } from '../entities/message.entity';
import { requireConversation, requireMembership } from './conversation-access';
import { toMessageView } from './message-view';

export interface PostMessageInput {
  conversationId: string;
  sender: Chat.Sender;
  text: string;
  /** Idempotency key of the sender: a retry with it returns the message stored the first time. */
  clientMessageId?: string;
}

export interface PostMessageOutcome {
  message: Chat.MessageView;
  /** False when `clientMessageId` matched a message stored earlier. */
  created: boolean;
}

/** Stores a message and announces it. Reached over HTTP (users) and RPC (bots, system). */
@Injectable()
export class PostMessageUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  async execute(input: PostMessageInput): Promise<PostMessageOutcome> {
    try {
      return await this.dataSource.transaction((manager) => this.post(manager, input));
    } catch (error) {
      // Two sends with the same key at once: the loser finds the winner's message.
      if (input.clientMessageId === undefined || !isUniqueViolation(error)) throw error;
      return this.dataSource.transaction((manager) => this.post(manager, input));
    }
  }

  private async post(manager: EntityManager, input: PostMessageInput): Promise<PostMessageOutcome> {
    // People must be members; bots and the system are platform callers acting in the conversation.
    if (input.sender.kind === 'user') {
      await requireMembership(manager, input.conversationId, input.sender.id);
    } else {
      await requireConversation(manager, input.conversationId);
    }
    if (input.clientMessageId !== undefined) {
      const earlier = await manager.findOneBy(MessageEntity, {
        conversationId: input.conversationId,
        senderKind: input.sender.kind,
        senderId: input.sender.id,
        clientMessageId: input.clientMessageId,
      });
      if (earlier) {
        if (earlier.text !== input.text)
          throw ChatErrors.clientMessageIdReused(input.clientMessageId);
        return { message: toMessageView(earlier), created: false };
      }
    }
    const message = await manager.save(
      manager.create(MessageEntity, {
        id: uuidv7(),
        conversationId: input.conversationId,
        senderKind: input.sender.kind,
        senderId: input.sender.id,
        text: input.text,
        clientMessageId: input.clientMessageId ?? null,
        createdAt: new Date(),
      }),
    );
    const view = toMessageView(message);
    // Same transaction: the event exists if and only if the message does.
    await this.outbox.add(manager, Chat.MessageCreated, view);
    return { message: view, created: true };
  }
}
