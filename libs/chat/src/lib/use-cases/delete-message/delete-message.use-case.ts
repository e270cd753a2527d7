import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { DataSource, IsNull } from 'typeorm';
import { MessageEntity } from '../../entities/message.entity';
import { memberIdsOf } from '../../shared/conversation-access';
import { requireOwnMessage } from '../../shared/message-access';
import { toMessageView } from '../../shared/views';

export interface DeleteMessageInput {
  conversationId: string;
  messageId: string;
  userId: string;
}

/**
 * The sender deletes their message. Soft: the row stays as a tombstone (empty text, `deletedAt`)
 * so pages, cursors and read receipts pointing at it keep working. Deleting again is a no-op.
 */
@Injectable()
export class DeleteMessageUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
  ) {}

  execute(input: DeleteMessageInput): Promise<void> {
    return this.dataSource.transaction(async (manager) => {
      const message = await requireOwnMessage(
        manager,
        input.conversationId,
        input.messageId,
        input.userId,
      );
      if (message.deletedAt !== null) return;
      const deletedAt = new Date();
      // Conditional, so two deletes at once announce the deletion once.
      const result = await manager.update(
        MessageEntity,
        { id: message.id, deletedAt: IsNull() },
        { text: '', deletedAt },
      );
      if (!result.affected) return;
      await this.outbox.add(manager, Chat.MessageDeleted, {
        message: toMessageView({ ...message, text: '', deletedAt }),
        memberIds: await memberIdsOf(manager, input.conversationId),
      });
    });
  }
}
