import { Column, Entity, PrimaryColumn, Unique } from 'typeorm';

/** One row per (message, bot) a bot answered: a message delivered twice is answered once. */
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

  /** The message the bot posted (chat's id); null while the reply is being posted. */
  @Column({ name: 'reply_message_id', type: 'varchar', length: 36, nullable: true })
  replyMessageId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
