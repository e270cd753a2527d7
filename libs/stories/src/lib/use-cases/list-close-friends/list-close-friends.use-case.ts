import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CloseFriendEntity } from '../../entities/close-friend.entity';

/** The caller's close-friends list, sorted by user id. */
@Injectable()
export class ListCloseFriendsUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: { userId: string }): Promise<{ userIds: string[] }> {
    const rows = await this.dataSource.manager.find(CloseFriendEntity, {
      where: { ownerId: input.userId },
      order: { friendId: 'ASC' },
    });
    return { userIds: rows.map((row) => row.friendId) };
  }
}
