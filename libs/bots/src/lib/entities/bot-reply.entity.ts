import { Column, Entity, Index, PrimaryColumn, Unique } from 'typeorm';

/**
 * One row per reply a bot posted: what bots did, the guard against posting a key twice, and what
 * the per-conversation rate limit counts.
 */
@Entity({ name: 'bot_replies' })
@Unique('bot_replies_bot_key', ['bot', 'replyKey'])
@Index('bot_replies_conversation_created', ['conversationId', 'createdAt'])
export class BotReplyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** The chat message that led to the reply (the `/remind` for a reminder). */
  @Column({ name: 'trigger_message_id', type: 'varchar', length: 36 })
  triggerMessageId!: string;

  @Column({ type: 'varchar', length: 64 })
  bot!: string;

  /** The reply's idempotency key (`BotReply.key`); chat's clientMessageId is `<bot>:<key>`. */
  @Column({ name: 'reply_key', type: 'varchar', length: 100, nullable: true })
  replyKey!: string | null;

  @Column({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  /** The message the bot posted (chat's id). */
  @Column({ name: 'reply_message_id', type: 'varchar', length: 36 })
  replyMessageId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
