import { Injectable } from '@nestjs/common';
import { type RpcResult, type Stories } from '@switchboard/contracts';
import { DataSource, In } from 'typeorm';
import { StoryEntity } from '../../entities/story.entity';
import { activeStories } from '../../shared/active-stories';

/** Active `contacts`-visibility stories per user, most first (ties by user id). */
@Injectable()
export class ActiveCountUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: { userIds: string[] }): Promise<RpcResult<typeof Stories.ActiveCount>> {
    const rows = await this.dataSource.manager
      .createQueryBuilder(StoryEntity, 'story')
      .select('story.authorId', 'userId')
      .addSelect('COUNT(*)', 'count')
      .where({
        authorId: In([...new Set(input.userIds)]),
        visibility: 'contacts',
        ...activeStories(new Date()),
      })
      .groupBy('story.authorId')
      .getRawMany<{ userId: string; count: string | number }>();
    const perUser = rows
      .map((row) => ({ userId: row.userId, count: Number(row.count) }))
      .sort((a, b) => b.count - a.count || (a.userId < b.userId ? -1 : 1));
    return { total: perUser.reduce((sum, row) => sum + row.count, 0), perUser };
  }
}
