import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity({ name: 'conversation_members' })
export class ConversationMemberEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId!: string;

  @Column({ name: 'joined_at', type: 'timestamptz' })
  joinedAt!: Date;
}
