import { type Chat } from '@switchboard/contracts';
import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'conversation_members' })
export class ConversationMemberEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: Chat.MemberRole;

  @Column({ name: 'joined_at', type: 'timestamptz' })
  joinedAt!: Date;

  /** The member's read receipt: the newest message they have read; null before the first read. */
  @Column({ name: 'last_read_message_id', type: 'varchar', length: 36, nullable: true })
  lastReadMessageId!: string | null;

  @Column({ name: 'last_read_at', type: 'timestamptz', nullable: true })
  lastReadAt!: Date | null;
}
