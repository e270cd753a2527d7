import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/** One row per (message, bot) a bot answered: what bots did, and a guard against answering twice. */
@Entity({ name: 'bot_replies' })
@Unique('bot_replies_trigger_bot', ['triggerMessageId', 'bot'])
export class BotReplyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'trigger_message_id', type: 'varchar', length: 36 })
  triggerMessageId!: string;

  @Column({ type: 'varchar', length: 64 })
  bot!: string;

  @Column({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  /** The message the bot posted (chat's id). */
  @Column({ name: 'reply_message_id', type: 'varchar', length: 36 })
  replyMessageId!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
