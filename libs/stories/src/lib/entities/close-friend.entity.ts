import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** `friendId` is on `ownerId`'s close-friends list. */
@Entity({ name: 'close_friends' })
@Index('close_friends_friend_id', ['friendId'])
export class CloseFriendEntity {
  @PrimaryColumn({ name: 'owner_id', type: 'varchar', length: 64 })
  ownerId!: string;

  @PrimaryColumn({ name: 'friend_id', type: 'varchar', length: 64 })
  friendId!: string;

  @Column({ name: 'added_at', type: 'timestamptz' })
  addedAt!: Date;
}
