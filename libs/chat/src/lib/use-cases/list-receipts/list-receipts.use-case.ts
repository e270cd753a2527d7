import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { membersOf, requireMembership } from '../../shared/conversation-access';
import { type ReadReceipt, toReadReceipt } from '../mark-read';

/** How far each member has read, members oldest first. */
@Injectable()
export class ListReceiptsUseCase {
  constructor(private readonly dataSource: DataSource) {}

  execute(input: { conversationId: string; userId: string }): Promise<ReadReceipt[]> {
    return this.dataSource.transaction(async (manager) => {
      await requireMembership(manager, input.conversationId, input.userId);
      return (await membersOf(manager, input.conversationId)).map(toReadReceipt);
    });
  }
}
