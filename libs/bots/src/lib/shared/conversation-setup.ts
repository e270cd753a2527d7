import { Inject, Injectable, Logger } from '@nestjs/common';
import { insertIfAbsent } from '@switchboard/platform-persistence';
import { SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { type EntityManager } from 'typeorm';
import { type BotsConfig } from '../bots.config';
import { BotConversationEntity } from '../entities/bot-conversation.entity';
import { BotInstallationEntity } from '../entities/bot-installation.entity';

/** `installed_by` of the bots installed by default. */
export const DEFAULT_INSTALLER = 'system';

/**
 * Installs `BOTS_DEFAULT_INSTALL` in a conversation the first time bots hears of it — from chat's
 * `conversation.created` event, a message, or an admin managing its bots, whichever comes first.
 * Events of different subjects arrive in no particular order, so waiting for the event alone would
 * let `/echo` sent right after creating a conversation find no echo-bot. The `bot_conversations`
 * row is written once; everything that reads or changes a conversation's installations calls this
 * first, so a removal is never undone by a late event.
 */
@Injectable()
export class ConversationSetup {
  private readonly log = new Logger(ConversationSetup.name);

  constructor(@Inject(SERVICE_CONFIG) private readonly config: BotsConfig) {}

  /** Call inside the transaction that then reads or changes the installations. */
  async ensureInitialized(manager: EntityManager, conversationId: string): Promise<void> {
    // Every command passes here, and the row exists after the first: look before inserting.
    if (await manager.existsBy(BotConversationEntity, { conversationId })) return;
    const installedAt = new Date();
    const first = await insertIfAbsent(manager, BotConversationEntity, {
      conversationId,
      initializedAt: installedAt,
    });
    if (!first) return;
    for (const botName of this.config.BOTS_DEFAULT_INSTALL) {
      await insertIfAbsent(manager, BotInstallationEntity, {
        conversationId,
        botName,
        installedBy: DEFAULT_INSTALLER,
        installedAt,
      });
    }
    this.log.log(
      `Conversation ${conversationId}: installed ${this.config.BOTS_DEFAULT_INSTALL.join(', ') || 'no bots'} by default`,
    );
  }
}
