import { Injectable } from '@nestjs/common';
import { insertIfAbsent } from '@switchboard/platform-persistence';
import { DataSource } from 'typeorm';
import { CloseFriendEntity } from '../../entities/close-friend.entity';
import { StoriesErrors } from '../../stories.errors';

/** Most people on one close-friends list. */
export const CLOSE_FRIENDS_MAX = 500;

/**
 * Puts someone on the caller's close-friends list. Idempotent. Anyone may be listed; they see
 * close-friends stories only while they are also a contact.
 */
@Injectable()
export class AddCloseFriendUseCase {
  constructor(private readonly dataSource: DataSource) {}

  async execute(input: { userId: string; friendId: string }): Promise<void> {
    if (input.friendId === input.userId) throw StoriesErrors.closeFriendSelf();
    const manager = this.dataSource.manager;
    const key = { ownerId: input.userId, friendId: input.friendId };
    if (await manager.existsBy(CloseFriendEntity, key)) return;
    // Two adds at once may both pass this check: the cap is a guard, not an invariant.
    if (
      (await manager.countBy(CloseFriendEntity, { ownerId: input.userId })) >= CLOSE_FRIENDS_MAX
    ) {
      throw StoriesErrors.tooManyCloseFriends(CLOSE_FRIENDS_MAX);
    }
    await insertIfAbsent(manager, CloseFriendEntity, { ...key, addedAt: new Date() });
  }
}
