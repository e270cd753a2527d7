import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A bot (built-in or webhook, by name) installed in a conversation: only installed bots answer. */
@Entity({ name: 'bot_installations' })
export class BotInstallationEntity {
  @PrimaryColumn({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  @PrimaryColumn({ name: 'bot_name', type: 'varchar', length: 32 })
  botName!: string;

  @Column({ name: 'installed_by', type: 'varchar', length: 64 })
  installedBy!: string;

  @Column({ name: 'installed_at', type: 'timestamptz' })
  installedAt!: Date;
}
