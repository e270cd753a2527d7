import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { BotInstallationEntity } from '../../entities/bot-installation.entity';
import { BotCatalog } from '../../shared/bot-catalog';
import { ConversationAccess } from '../../shared/conversation-access';
import { ConversationSetup } from '../../shared/conversation-setup';
import { type InstalledBotList, installedBotView } from '../../shared/views';

/** The bots installed in a conversation; members may look. */
@Injectable()
export class ListInstalledBotsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: ConversationAccess,
    private readonly setup: ConversationSetup,
    private readonly catalog: BotCatalog,
  ) {}

  async execute(input: { conversationId: string; userId: string }): Promise<InstalledBotList> {
    await this.access.requireMember(input.conversationId, input.userId);
    return this.dataSource.transaction(async (manager) => {
      // Shows the defaults even before chat's conversation.created event reached bots.
      await this.setup.ensureInitialized(manager, input.conversationId);
      const bots = await this.catalog.installed(manager, input.conversationId);
      const rows = await manager.findBy(BotInstallationEntity, {
        conversationId: input.conversationId,
      });
      const byName = new Map(rows.map((row) => [row.botName, row]));
      return {
        conversationId: input.conversationId,
        bots: bots.flatMap((bot) => {
          const row = byName.get(bot.name);
          return row ? [installedBotView(bot, row)] : [];
        }),
      };
    });
  }
}
