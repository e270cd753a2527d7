import { Bots, EntityId, Instant, UserId } from '@switchboard/contracts';
import { z } from 'zod';
import { type BotInstallationEntity } from '../entities/bot-installation.entity';
import { type CatalogBot } from './bot-catalog';

export const CommandView = z
  .object({
    name: Bots.BotCommandName,
    /** How to call it, e.g. `/remind <duration> <text>`. */
    usage: z.string(),
    description: z.string(),
  })
  .strict();

/** A bot as the HTTP API shows it; never with its signing secret. */
export const BotView = z
  .object({
    /** Unique; the bot's sender id in chat. */
    name: z.string(),
    kind: z.enum(['built-in', 'webhook']),
    description: z.string(),
    commands: z.array(CommandView),
    /** Webhook bots' id (`botId` of webhook calls); null for built-in bots. */
    id: EntityId.nullable(),
    /** Who registered a webhook bot; null for built-in bots. */
    ownerId: UserId.nullable(),
    createdAt: Instant.nullable(),
  })
  .strict();
export type BotView = z.infer<typeof BotView>;

/** The answer to a registration: the only time the signing secret is shown. */
export const RegisteredBotView = BotView.extend({
  id: EntityId,
  ownerId: UserId,
  createdAt: Instant,
  webhookUrl: z.string(),
  /** HMAC key of the webhook signature: 32 random bytes, base64url. Shown once; store it. */
  signingSecret: z.string(),
}).strict();
export type RegisteredBotView = z.infer<typeof RegisteredBotView>;

export const BotList = z.object({ bots: z.array(BotView) }).strict();
export type BotList = z.infer<typeof BotList>;

/** A bot installed in a conversation. */
export const InstalledBotView = BotView.extend({
  /** A user id, or `system` for the default installs. */
  installedBy: z.string(),
  installedAt: Instant,
}).strict();
export type InstalledBotView = z.infer<typeof InstalledBotView>;

export const InstalledBotList = z
  .object({ conversationId: EntityId, bots: z.array(InstalledBotView) })
  .strict();
export type InstalledBotList = z.infer<typeof InstalledBotList>;

export function botView(bot: CatalogBot): BotView {
  const commands = bot.commands.map(({ name, usage, description }) => ({
    name,
    usage,
    description,
  }));
  if (bot.kind === 'built-in') {
    return {
      name: bot.name,
      kind: bot.kind,
      description: bot.description,
      commands,
      id: null,
      ownerId: null,
      createdAt: null,
    };
  }
  return {
    name: bot.name,
    kind: bot.kind,
    description: bot.description,
    commands,
    id: bot.entity.id,
    ownerId: bot.entity.ownerId,
    createdAt: bot.entity.createdAt.toISOString(),
  };
}

export function installedBotView(bot: CatalogBot, row: BotInstallationEntity): InstalledBotView {
  return {
    ...botView(bot),
    installedBy: row.installedBy,
    installedAt: row.installedAt.toISOString(),
  };
}
