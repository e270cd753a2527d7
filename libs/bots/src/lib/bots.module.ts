import { Module } from '@nestjs/common';
import { Bots, Chat, Stories } from '@switchboard/contracts';
import { type DomainDefinition } from '@switchboard/platform-runtime';
import { BotsConfig } from './bots.config';
import { BUILT_IN_HANDLERS } from './builtins/built-in-bots';
import { EchoBot } from './builtins/echo.bot';
import { HelpBot } from './builtins/help.bot';
import { PollBot } from './builtins/poll.bot';
import { RemindBot } from './builtins/remind.bot';
import { StatsBot } from './builtins/stats.bot';
import { StoriesBot } from './builtins/stories.bot';
import { BotReplyEntity } from './entities/bot-reply.entity';
import { ConversationCreatedHandler } from './events/conversation-created.handler';
import { MessageCreatedHandler } from './events/message-created.handler';
import { BotsHttpController } from './http/bots.http.controller';
import { ConversationBotsHttpController } from './http/conversation-bots.http.controller';
import { CreateBotReplies1764150000001 } from './migrations/1764150000001-create-bot-replies';
import { CreateBotRegistry1764170000000 } from './migrations/1764170000000-create-bot-registry';
import { CreateBotState1764180000000 } from './migrations/1764180000000-create-bot-state';
import { PollVoteEntity } from './polls/poll-vote.entity';
import { PollEntity } from './polls/poll.entity';
import { BotCatalog } from './registry/bot-catalog';
import { BotConversationEntity } from './registry/bot-conversation.entity';
import { BotInstallationEntity } from './registry/bot-installation.entity';
import { WebhookBotEntity } from './registry/webhook-bot.entity';
import { ReminderScheduler } from './reminders/reminder-scheduler';
import { ReminderEntity } from './reminders/reminder.entity';
import { BotReplies } from './replies/bot-replies';
import { ConversationAccess } from './use-cases/conversation-access';
import { ConversationSetup } from './use-cases/conversation-setup';
import { DispatchCommandUseCase } from './use-cases/dispatch-command.use-case';
import { InstallBotUseCase } from './use-cases/install-bot.use-case';
import { ListBotsUseCase } from './use-cases/list-bots.use-case';
import { ListInstalledBotsUseCase } from './use-cases/list-installed-bots.use-case';
import { RegisterWebhookBotUseCase } from './use-cases/register-webhook-bot.use-case';
import { UninstallBotUseCase } from './use-cases/uninstall-bot.use-case';
import {
  WEBHOOK_CONTROLLERS,
  WEBHOOK_ENTITIES,
  WEBHOOK_MIGRATIONS,
  WEBHOOK_PROVIDERS,
} from './webhooks';

const BUILT_IN_BOT_HANDLERS = [HelpBot, EchoBot, RemindBot, PollBot, StatsBot, StoriesBot];

@Module({
  controllers: [
    BotsHttpController,
    ConversationBotsHttpController,
    MessageCreatedHandler,
    ConversationCreatedHandler,
    ...WEBHOOK_CONTROLLERS,
  ],
  providers: [
    BotReplies,
    BotCatalog,
    ConversationAccess,
    ConversationSetup,
    DispatchCommandUseCase,
    RegisterWebhookBotUseCase,
    ListBotsUseCase,
    ListInstalledBotsUseCase,
    InstallBotUseCase,
    UninstallBotUseCase,
    ReminderScheduler,
    ...BUILT_IN_BOT_HANDLERS,
    {
      provide: BUILT_IN_HANDLERS,
      useFactory: (...handlers: unknown[]) => handlers,
      inject: BUILT_IN_BOT_HANDLERS,
    },
    ...WEBHOOK_PROVIDERS,
  ],
})
export class BotsModule {}

/** The bots domain as a host composes it: module, config keys, tables and migrations. */
export const BotsDomain: DomainDefinition = {
  name: Bots.DOMAIN,
  module: BotsModule,
  config: BotsConfig,
  calls: [Chat.PostMessage, Chat.GetConversation, Chat.MessageStats, Stories.ActiveCount],
  entities: [
    BotReplyEntity,
    WebhookBotEntity,
    BotInstallationEntity,
    BotConversationEntity,
    ReminderEntity,
    PollEntity,
    PollVoteEntity,
    ...WEBHOOK_ENTITIES,
  ],
  migrations: [
    CreateBotReplies1764150000001,
    CreateBotRegistry1764170000000,
    CreateBotState1764180000000,
    ...WEBHOOK_MIGRATIONS,
  ],
};
