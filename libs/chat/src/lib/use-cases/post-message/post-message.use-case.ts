import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { insertOrFind, uuidv7 } from '@switchboard/platform-persistence';
import { DataSource, type EntityManager, LessThan } from 'typeorm';
import { ChatErrors } from '../../chat.errors';
import { ConversationEntity } from '../../entities/conversation.entity';
import { MessageEntity } from '../../entities/message.entity';
import {
  memberIdsOf,
  requireConversation,
  requireMembership,
} from '../../shared/conversation-access';
import { toMessageView } from '../../shared/views';

export interface PostMessageInput {
  conversationId: string;
  sender: Chat.Sender;
  text: string;
  /** Idempotency key of the sender: a retry with it returns the message stored the first time. */
  clientMessageId?: string;
  /** What the message is about (a story replied to, a call); set by chat's event consumers only. */
  ref?: Chat.MessageRef;
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

  /**
   * In the caller's transaction when given its `manager` (an event handler's inbox transaction),
   * else in one of its own.
   */
  async execute(input: PostMessageInput, manager?: EntityManager): Promise<PostMessageOutcome> {
    if (manager) return this.post(manager, input);
    return this.dataSource.transaction((own) => this.post(own, input));
  }

  private async post(manager: EntityManager, input: PostMessageInput): Promise<PostMessageOutcome> {
    // People must be members; bots and the system are platform callers acting in the conversation.
    if (input.sender.kind === 'user') {
      await requireMembership(manager, input.conversationId, input.sender.id);
    } else {
      await requireConversation(manager, input.conversationId);
    }
    const key =
      input.clientMessageId === undefined
        ? null
        : {
            conversationId: input.conversationId,
            senderKind: input.sender.kind,
            senderId: input.sender.id,
            clientMessageId: input.clientMessageId,
          };
    if (key) {
      const earlier = await manager.findOneBy(MessageEntity, key);
      if (earlier) return retried(earlier, input.text, key.clientMessageId);
    }
    const message: MessageEntity = {
      id: uuidv7(),
      conversationId: input.conversationId,
      senderKind: input.sender.kind,
      senderId: input.sender.id,
      text: input.text,
      clientMessageId: input.clientMessageId ?? null,
      refKind: input.ref?.kind ?? null,
      refId: input.ref?.id ?? null,
      createdAt: new Date(),
      editedAt: null,
      deletedAt: null,
    };
    const insert = async (writer: EntityManager): Promise<void> => {
      // Moves the conversation to the top of its members' lists; the condition keeps the newest id
      // when sends race. Done before the insert so that, like membership changes, a post locks the
      // conversation row before anything else (one lock order, no deadlock between the two).
      await writer.update(
        ConversationEntity,
        { id: input.conversationId, activityKey: LessThan(message.id) },
        { activityKey: message.id },
      );
      await writer.insert(MessageEntity, message);
    };
    if (key) {
      // Two sends with the same key at once: the loser gets the winner's message, and its move of
      // the conversation is undone with its insert.
      const stored = await insertOrFind(manager, MessageEntity, message, key, { insert });
      if (!stored.created) return retried(stored.row, input.text, key.clientMessageId);
    } else {
      await insert(manager);
    }
    const view = toMessageView(message);
    // Same transaction: the event exists if and only if the message does.
    await this.outbox.add(manager, Chat.MessageCreated, {
      message: view,
      memberIds: await memberIdsOf(manager, input.conversationId),
    });
    return { message: view, created: true };
  }
}

/** A retry with the key of a stored message gets that message back, unless the text differs. */
function retried(
  earlier: MessageEntity,
  text: string,
  clientMessageId: string,
): PostMessageOutcome {
  // Once edited or deleted, the stored text no longer tells a retry from a reuse; the message was
  // sent, so the retry gets it back.
  const changed = earlier.editedAt !== null || earlier.deletedAt !== null;
  if (!changed && earlier.text !== text) throw ChatErrors.clientMessageIdReused(clientMessageId);
  return { message: toMessageView(earlier), created: false };
}
