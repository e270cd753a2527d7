import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * A user in a ringing (as its caller) or active (as caller or the one who accepted) call. The
 * primary key is what keeps a user in one call at a time however many requests race: the row is
 * inserted in the transaction that makes the user busy and deleted in the one that ends the call.
 */
@Entity({ name: 'call_busy_users' })
@Index('call_busy_users_call_id', ['callId'])
export class BusyUserEntity {
  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId!: string;

  @Column({ name: 'call_id', type: 'varchar', length: 36 })
  callId!: string;
}
