import { type Chat } from '@switchboard/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'conversations' })
@Index('conversations_direct_key', ['directKey'], { unique: true })
@Index('conversations_activity_key', ['activityKey'])
export class ConversationEntity {
  /** UUIDv7. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 16 })
  kind!: Chat.ConversationKind;

  /** Group title; null for direct conversations. */
  @Column({ type: 'varchar', length: 100, nullable: true })
  title!: string | null;

  /** The owner: who created the conversation. */
  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /**
   * `<lower user id>/<higher user id>` for a direct conversation, null for groups. Unique, so two
   * people have at most one direct conversation however many requests race to create it.
   */
  @Column({ name: 'direct_key', type: 'varchar', length: 140, nullable: true })
  directKey!: string | null;

  /**
   * Sort key of "most recent activity": the id of the newest message, or the conversation's own id
   * before the first one. Both are UUIDv7, so comparing them compares creation times.
   */
  @Column({ name: 'activity_key', type: 'varchar', length: 36 })
  activityKey!: string;
}
