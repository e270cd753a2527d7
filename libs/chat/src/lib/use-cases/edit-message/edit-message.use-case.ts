import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { DataSource, IsNull } from 'typeorm';
import { ChatErrors } from '../../chat.errors';
import { MessageEntity } from '../../entities/message.entity';
import { memberIdsOf } from '../../shared/conversation-access';
import { requireOwnMessage } from '../../shared/message-access';
import { toMessageView } from '../../shared/views';

export interface EditMessageInput {
  conversationId: string;
  messageId: string;
  userId: string;
  text: string;
}

/** The sender replaces the text of their message; `editedAt` tells readers it changed. */
@Injectable()
export class EditMessageUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  execute(input: EditMessageInput): Promise<Chat.MessageView> {
    return this.dataSource.transaction(async (manager) => {
      const message = await requireOwnMessage(
        manager,
        input.conversationId,
        input.messageId,
        input.userId,
      );
      if (message.deletedAt !== null) throw ChatErrors.messageDeleted(message.id);
      // A retried edit changes nothing and announces nothing.
      if (message.text === input.text) return toMessageView(message);

      const editedAt = new Date();
      // Conditional, so an edit racing a delete cannot bring the text back.
      const result = await manager.update(
        MessageEntity,
        { id: message.id, deletedAt: IsNull() },
        { text: input.text, editedAt },
      );
      if (!result.affected) throw ChatErrors.messageDeleted(message.id);
      const view = toMessageView({ ...message, text: input.text, editedAt });
      await this.outbox.add(manager, Chat.MessageEdited, {
        message: view,
        memberIds: await memberIdsOf(manager, input.conversationId),
      });
      return view;
    });
  }
}
