import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A command a bot answers, as `/help` lists it. */
export interface BotCommandSpec {
  /** Without the slash, e.g. `weather`. */
  name: string;
  description: string;
}

/** A bot a user registered: chat commands are POSTed to its URL, signed with its secret. */
@Entity({ name: 'webhook_bots' })
export class WebhookBotEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  /** Unique across built-in and webhook bots; the bot's sender id in chat. */
  @Column({ type: 'varchar', length: 32, unique: true })
  name!: string;

  @Column({ name: 'owner_id', type: 'varchar', length: 64 })
  ownerId!: string;

  @Column({ type: 'varchar', length: 200 })
  description!: string;

  @Column({ type: 'simple-json' })
  commands!: BotCommandSpec[];

  @Column({ name: 'webhook_url', type: 'varchar', length: 2048 })
  webhookUrl!: string;

  /**
   * HMAC key for the signature header. Stored as is because signing needs it; shown to the owner
   * once, at registration.
   */
  @Column({ name: 'signing_secret', type: 'varchar', length: 128 })
  signingSecret!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
