import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { CloseFriendEntity } from '../../entities/close-friend.entity';

/** Takes someone off the caller's close-friends list; a no-op when they are not on it. */
@Injectable()
export class RemoveCloseFriendUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: { userId: string; friendId: string }): Promise<void> {
    await this.dataSource.manager.delete(CloseFriendEntity, {
      ownerId: input.userId,
      friendId: input.friendId,
    });
  }
}
