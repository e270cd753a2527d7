import { Injectable } from '@nestjs/common';
import { type Chat } from '@switchboard/contracts';
import { DataSource, LessThan } from 'typeorm';
import { MessageEntity } from '../entities/message.entity';
import { requireMembership } from './conversation-access';
import { toMessageView } from './message-view';

export interface ListMessagesInput {
  conversationId: string;
  userId: string;
  /** Only messages older than this message id (ids sort by time). */
  before?: string;
  limit: number;
}

export interface MessagePage {
  /** Newest first. */
  items: Chat.MessageView[];
  /** Pass as `before` for the next (older) page; null on the last page. */
  nextBefore: string | null;
}

@Injectable()
export class ListMessagesUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: ListMessagesInput): Promise<MessagePage> {
    return this.dataSource.transaction(async (manager) => {
      await requireMembership(manager, input.conversationId, input.userId);
      // One extra row tells whether another page exists without a COUNT.
      const rows = await manager.find(MessageEntity, {
        where: {
          conversationId: input.conversationId,
          ...(input.before ? { id: LessThan(input.before) } : {}),
        },
        order: { id: 'DESC' },
        take: input.limit + 1,
      });
      const items = rows.slice(0, input.limit).map(toMessageView);
      return {
        items,
        nextBefore: rows.length > input.limit ? (items.at(-1)?.id ?? null) : null,
      };
    });
  }
}
