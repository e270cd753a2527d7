import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { ConversationMemberEntity } from '../../entities/conversation-member.entity';

/** Everyone who shares a conversation with the user, sorted (stories shows their stories). */
@Injectable()
export class ListContactsUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: { userId: string }): Promise<string[]> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(ConversationMemberEntity, 'contact')
      .select('contact.userId', 'userId')
      .distinct(true)
      .innerJoin(
        ConversationMemberEntity,
        'mine',
        'mine.conversationId = contact.conversationId AND mine.userId = :userId',
        { userId: input.userId },
      )
      .where('contact.userId <> :userId', { userId: input.userId })
      .orderBy('contact.userId', 'ASC')
      .getRawMany<{ userId: string }>();
    return rows.map((row) => row.userId);
  }
}
