import { Injectable } from '@nestjs/common';
import { type EntityManager, In } from 'typeorm';
import { BUILT_IN_BOTS, builtInBot, type CommandSpec } from '../builtins/built-in-bots';
import { BotInstallationEntity } from '../entities/bot-installation.entity';
import { WebhookBotEntity } from '../entities/webhook-bot.entity';

/** A bot of either kind, as the registry, `/help` and the dispatcher see it. */
export type CatalogBot =
  | { kind: 'built-in'; name: string; description: string; commands: readonly CommandSpec[] }
  | {
      kind: 'webhook';
      name: string;
      description: string;
      commands: readonly CommandSpec[];
      entity: WebhookBotEntity;
    };

/**
 * Every bot there is: built-in ones from code, webhook ones from `webhook_bots`. Names are unique
 * across both (registration refuses a built-in's name), so a name says which bot it is.
 */
@Injectable()
export class BotCatalog {
  async all(manager: EntityManager): Promise<CatalogBot[]> {
    const webhooks = await manager.find(WebhookBotEntity, { order: { name: 'ASC' } });
    return [...BUILT_IN_BOTS.map(fromBuiltIn), ...webhooks.map(fromWebhook)];
  }

  async find(manager: EntityManager, name: string): Promise<CatalogBot | null> {
    const builtIn = builtInBot(name);
    if (builtIn) return fromBuiltIn(builtIn);
    const webhook = await manager.findOneBy(WebhookBotEntity, { name });
    return webhook ? fromWebhook(webhook) : null;
  }

  /** The bots installed in a conversation, built-in ones first, in `/help` order. */
  async installed(manager: EntityManager, conversationId: string): Promise<CatalogBot[]> {
    const rows = await manager.find(BotInstallationEntity, { where: { conversationId } });
    const names = new Set(rows.map((row) => row.botName));
    const webhookNames = rows
      .map((row) => row.botName)
      .filter((name) => builtInBot(name) === undefined);
    const webhooks =
      webhookNames.length === 0
        ? []
        : await manager.find(WebhookBotEntity, {
            where: { name: In(webhookNames) },
            order: { name: 'ASC' },
          });
    return [
      ...BUILT_IN_BOTS.filter((bot) => names.has(bot.name)).map(fromBuiltIn),
      ...webhooks.map(fromWebhook),
    ];
  }
}

function fromBuiltIn(spec: (typeof BUILT_IN_BOTS)[number]): CatalogBot {
  return { kind: 'built-in', ...spec };
}

function fromWebhook(entity: WebhookBotEntity): CatalogBot {
  return {
    kind: 'webhook',
    name: entity.name,
    description: entity.description,
    commands: entity.commands.map((command) => ({ ...command, usage: `/${command.name}` })),
    entity,
  };
}
