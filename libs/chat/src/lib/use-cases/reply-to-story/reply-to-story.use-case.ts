import { Injectable, Logger } from '@nestjs/common';
import { AppError, Chat, type EventPayload, type Stories } from '@switchboard/contracts';
import { UnprocessableEvent } from '@switchboard/platform-messaging';
import { type EntityManager } from 'typeorm';
import { ChatErrorCodes } from '../../chat.errors';
import { CreateConversationUseCase } from '../create-conversation';
import { PostMessageUseCase } from '../post-message';

export type StoryReply = EventPayload<typeof Stories.StoryReplied>;

export interface ReplyToStoryOutcome {
  /** Null when the reply was ignored (someone replying to their own story). */
  message: Chat.MessageView | null;
  conversationCreated: boolean;
}

/** The idempotency key of the chat message that carries a story reply. */
export function storyReplyClientMessageId(replyId: string): string {
  return `story-reply:${replyId}`;
}

/**
 * A story reply becomes a message from the replier in the direct conversation of replier and
 * author, created (and announced) if the two have none yet, with a reference to the story. Runs in
 * the event's inbox transaction; the message's key makes a second delivery return the first message.
 */
@Injectable()
export class ReplyToStoryUseCase {
  private readonly log = new Logger(ReplyToStoryUseCase.name);

  constructor(
    private readonly createConversation: CreateConversationUseCase,
    private readonly postMessage: PostMessageUseCase,
  ) {}

  async execute(reply: StoryReply, manager: EntityManager): Promise<ReplyToStoryOutcome> {
    const authorId = reply.story.authorId;
    if (reply.replierId === authorId) {
      // Stories refuses these; a direct conversation with oneself does not exist anyway.
      this.log.warn(
        `Story reply ${reply.replyId}: ${authorId} replied to their own story; ignored`,
      );
      return { message: null, conversationCreated: false };
    }
    const text = Chat.MessageText.safeParse(reply.text);
    if (!text.success) {
      throw new UnprocessableEvent(
        `Story reply ${reply.replyId}: text is not a valid chat message`,
      );
    }
    const { conversation, created } = await this.createConversation.execute(
      { kind: 'direct', creatorId: reply.replierId, userId: authorId },
      manager,
    );
    try {
      const { message } = await this.postMessage.execute(
        {
          conversationId: conversation.id,
          sender: { kind: 'user', id: reply.replierId },
          text: text.data,
          clientMessageId: storyReplyClientMessageId(reply.replyId),
          ref: { kind: 'story', id: reply.story.id },
        },
        manager,
      );
      return { message, conversationCreated: created };
    } catch (error) {
      // The same reply id with another text: a publisher bug that no retry can fix.
      if (error instanceof AppError && error.code === ChatErrorCodes.CLIENT_MESSAGE_ID_REUSED) {
        throw new UnprocessableEvent(
          `Story reply ${reply.replyId} was already posted with another text`,
        );
      }
      throw error;
    }
  }
}
