import { Injectable } from '@nestjs/common';
import { type Chat } from '@switchboard/contracts';
import { DataSource, LessThan, MoreThan } from 'typeorm';
import { MessageEntity } from '../../entities/message.entity';
import { requireMembership } from '../../shared/conversation-access';
import { toMessageView } from '../../shared/views';

export interface ListMessagesInput {
  conversationId: string;
  userId: string;
  /** Only messages older than this message id (ids sort by time); newest first. */
  before?: string;
  /** Only messages newer than this message id; oldest first. Not together with `before`. */
  after?: string;
  limit: number;
}

export interface MessagePage {
  /** Newest first; oldest first when paging with `after`. Deleted messages stay, without text. */
  items: Chat.MessageView[];
  /** Pass as `before` for the next (older) page; null on the last page or when paging `after`. */
  nextBefore: string | null;
  /** Pass as `after` for the next (newer) page; null when none is left or when paging `before`. */
  nextAfter: string | null;
}

@Injectable()
export class ListMessagesUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: ListMessagesInput): Promise<MessagePage> {
    return this.dataSource.transaction(async (manager) => {
      await requireMembership(manager, input.conversationId, input.userId);
      const forward = input.after !== undefined;
      // One extra row tells whether another page exists without a COUNT.
      const rows = await manager.find(MessageEntity, {
        where: {
          conversationId: input.conversationId,
          ...(input.after !== undefined ? { id: MoreThan(input.after) } : {}),
          ...(input.before !== undefined ? { id: LessThan(input.before) } : {}),
        },
        order: { id: forward ? 'ASC' : 'DESC' },
        take: input.limit + 1,
      });
      const items = rows.slice(0, input.limit).map(toMessageView);
      const next = rows.length > input.limit ? (items.at(-1)?.id ?? null) : null;
      return {
        items,
        nextBefore: forward ? null : next,
        nextAfter: forward ? next : null,
      };
    });
  }
}
