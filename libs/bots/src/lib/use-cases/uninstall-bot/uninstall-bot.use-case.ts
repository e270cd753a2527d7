import { Injectable, Logger } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BotsErrors } from '../../bots.errors';
import { BotInstallationEntity } from '../../entities/bot-installation.entity';
import { BotCatalog } from '../../shared/bot-catalog';
import { ConversationAccess } from '../../shared/conversation-access';
import { ConversationSetup } from '../../shared/conversation-setup';

/**
 * Removes a bot from a conversation (admins only); from then on it stays silent there, pending
 * reminders included. Idempotent: removing a bot that is not installed succeeds.
 */
@Injectable()
export class UninstallBotUseCase {
  private readonly log = new Logger(UninstallBotUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: ConversationAccess,
    private readonly setup: ConversationSetup,
    private readonly catalog: BotCatalog,
  ) {}

  async execute(input: { conversationId: string; userId: string; botName: string }): Promise<void> {
    await this.access.requireAdmin(input.conversationId, input.userId);
    await this.dataSource.transaction(async (manager) => {
      const bot = await this.catalog.find(manager, input.botName);
      if (!bot) throw BotsErrors.botNotFound(input.botName);
      // Initialise first: otherwise a late conversation.created event would install it again.
      await this.setup.ensureInitialized(manager, input.conversationId);
      const result = await manager.delete(BotInstallationEntity, {
        conversationId: input.conversationId,
        botName: bot.name,
      });
      if ((result.affected ?? 0) > 0) {
        this.log.log(`${input.userId} removed ${bot.name} from ${input.conversationId}`);
      }
    });
  }
}
