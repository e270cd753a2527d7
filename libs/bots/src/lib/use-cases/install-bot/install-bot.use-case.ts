import { Injectable, Logger } from '@nestjs/common';
import { insertOrFind } from '@switchboard/platform-persistence';
import { DataSource } from 'typeorm';
import { BotsErrors } from '../../bots.errors';
import { BotInstallationEntity } from '../../entities/bot-installation.entity';
import { BotCatalog } from '../../shared/bot-catalog';
import { ConversationAccess } from '../../shared/conversation-access';
import { ConversationSetup } from '../../shared/conversation-setup';
import { type InstalledBotView, installedBotView } from '../../shared/views';

export interface InstallBotInput {
  conversationId: string;
  userId: string;
  botName: string;
}

/**
 * Installs a bot in a conversation (admins only). Idempotent: installing an installed bot changes
 * nothing and says so (`created: false`). A bot whose command another installed bot already
 * answers is refused, in either direction (webhook or built-in), so a command always has one owner.
 */
@Injectable()
export class InstallBotUseCase {
  private readonly log = new Logger(InstallBotUseCase.name);

  constructor(
    private readonly dataSource: DataSource,
    private readonly access: ConversationAccess,
    private readonly setup: ConversationSetup,
    private readonly catalog: BotCatalog,
  ) {}

  async execute(input: InstallBotInput): Promise<{ created: boolean; bot: InstalledBotView }> {
    await this.access.requireAdmin(input.conversationId, input.userId);
    return this.dataSource.transaction(async (manager) => {
      const bot = await this.catalog.find(manager, input.botName);
      if (!bot) throw BotsErrors.botNotFound(input.botName);
      await this.setup.ensureInitialized(manager, input.conversationId);
      const key = { conversationId: input.conversationId, botName: bot.name };
      const existing = await manager.findOneBy(BotInstallationEntity, key);
      if (existing) return { created: false, bot: installedBotView(bot, existing) };

      const installed = await this.catalog.installed(manager, input.conversationId);
      for (const command of bot.commands) {
        const owner = installed.find((other) =>
          other.commands.some((spec) => spec.name === command.name),
        );
        if (owner) throw BotsErrors.commandConflict(bot.name, command.name, owner.name);
      }
      const row: BotInstallationEntity = {
        ...key,
        installedBy: input.userId,
        installedAt: new Date(),
      };
      // A concurrent install of the same bot may have won: then this one changed nothing.
      const { row: stored, created } = await insertOrFind(manager, BotInstallationEntity, row, key);
      if (created) {
        this.log.log(`${input.userId} installed ${bot.name} in ${input.conversationId}`);
      }
      return { created, bot: installedBotView(bot, stored) };
    });
  }
}
