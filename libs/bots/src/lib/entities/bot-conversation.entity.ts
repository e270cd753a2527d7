import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * A conversation whose default bots were installed. Written once, by whichever comes first: chat's
 * `conversation.created` event, the first command in it, or an admin managing its bots. Its
 * presence is what stops a late event from re-installing a bot an admin removed.
 */
@Entity({ name: 'bot_conversations' })
export class BotConversationEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  @Column({ name: 'initialized_at', type: 'timestamptz' })
  initializedAt!: Date;
}
