import { Injectable } from '@nestjs/common';
import { type Chat } from '@switchboard/contracts';
import { DataSource, In } from 'typeorm';
import { ConversationMemberEntity } from '../../entities/conversation-member.entity';
import { ConversationEntity } from '../../entities/conversation.entity';
import { MessageEntity } from '../../entities/message.entity';
import { unreadCounts } from '../../shared/unread-counts';
import { toConversationView, toMessageView } from '../../shared/views';
import { encodeConversationCursor } from './conversation-cursor';

export interface ListConversationsInput {
  userId: string;
  limit: number;
  /** Decoded cursor: only conversations whose activity key is lower. */
  after?: string;
}

export interface ConversationSummary extends Chat.ConversationView {
  lastMessage: Chat.MessageView | null;
  unreadCount: number;
}

export interface ConversationPage {
  /** Most recent activity first. */
  items: ConversationSummary[];
  /** Pass as `cursor` for the next page; null on the last page. */
  nextCursor: string | null;
}

/**
 * My conversations, most recent activity (newest message, else creation) first. Keyset pagination
 * on the activity key: a conversation that gets a message while someone pages moves to the top —
 * pages already fetched are not shifted and nothing repeats; the mover shows on the next refresh.
 * Each page costs four queries, whatever its size.
 */
@Injectable()
export class ListConversationsUseCase {
  constructor(private readonly dataSource: DataSource) {}

  execute(input: ListConversationsInput): Promise<ConversationPage> {
    return this.dataSource.transaction(async (manager) => {
      const query = manager
        .createQueryBuilder(ConversationEntity, 'conversation')
        .innerJoin(
          ConversationMemberEntity,
          'mine',
          'mine.conversationId = conversation.id AND mine.userId = :userId',
          { userId: input.userId },
        )
        .orderBy('conversation.activityKey', 'DESC')
        // One extra row tells whether another page exists without a COUNT.
        .limit(input.limit + 1);
      if (input.after !== undefined) {
        query.where('conversation.activityKey < :after', { after: input.after });
      }
      const rows = await query.getMany();
      const page = rows.slice(0, input.limit);
      if (page.length === 0) return { items: [], nextCursor: null };

      const ids = page.map((conversation) => conversation.id);
      const members = await manager.find(ConversationMemberEntity, {
        where: { conversationId: In(ids) },
        order: { joinedAt: 'ASC', userId: 'ASC' },
      });
      // The activity key of a conversation with messages is its newest message's id.
      const lastMessages = await manager.findBy(MessageEntity, {
        id: In(page.map((conversation) => conversation.activityKey)),
      });
      const unread = await unreadCounts(manager, input.userId, ids);

      const membersById = new Map<string, ConversationMemberEntity[]>();
      for (const member of members) {
        const list = membersById.get(member.conversationId);
        if (list) list.push(member);
        else membersById.set(member.conversationId, [member]);
      }
      const lastById = new Map(lastMessages.map((message) => [message.conversationId, message]));
      const items = page.map((conversation) => {
        const last = lastById.get(conversation.id);
        return {
          ...toConversationView(conversation, membersById.get(conversation.id) ?? []),
          lastMessage: last ? toMessageView(last) : null,
          unreadCount: unread.get(conversation.id) ?? 0,
        };
      });
      const lastOnPage = page.at(-1);
      return {
        items,
        nextCursor:
          rows.length > input.limit && lastOnPage
            ? encodeConversationCursor(lastOnPage.activityKey)
            : null,
      };
    });
  }
}
