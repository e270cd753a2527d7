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
import { BotConversationEntity } from './entities/bot-conversation.entity';
import { BotInstallationEntity } from './entities/bot-installation.entity';
import { BotReplyEntity } from './entities/bot-reply.entity';
import { PollVoteEntity } from './entities/poll-vote.entity';
import { PollEntity } from './entities/poll.entity';
import { ReminderEntity } from './entities/reminder.entity';
import { WebhookBotEntity } from './entities/webhook-bot.entity';
import { ConversationCreatedHandler } from './events/conversation-created.handler';
import { MessageCreatedHandler } from './events/message-created.handler';
import { WebhookCallRequestedHandler } from './events/webhook-call-requested.handler';
import { BotsHttpController } from './http/bots.http.controller';
import { ConversationBotsHttpController } from './http/conversation-bots.http.controller';
import { CreateBotReplies1764150000001 } from './migrations/1764150000001-create-bot-replies';
import { CreateBotRegistry1764170000000 } from './migrations/1764170000000-create-bot-registry';
import { CreateBotState1764180000000 } from './migrations/1764180000000-create-bot-state';
import { ReminderScheduler } from './reminders/reminder.scheduler';
import { BotReplies } from './replies/bot-replies';
import { BotCatalog } from './shared/bot-catalog';
import { ConversationAccess } from './shared/conversation-access';
import { ConversationSetup } from './shared/conversation-setup';
import { CallWebhookUseCase } from './use-cases/call-webhook';
import { DispatchCommandUseCase } from './use-cases/dispatch-command';
import { InstallBotUseCase } from './use-cases/install-bot';
import { ListBotsUseCase } from './use-cases/list-bots';
import { ListInstalledBotsUseCase } from './use-cases/list-installed-bots';
import { RegisterWebhookBotUseCase } from './use-cases/register-webhook-bot';
import { UninstallBotUseCase } from './use-cases/uninstall-bot';
import { WebhookHttpClient } from './webhooks/webhook-http.client';

const BUILT_IN_BOT_HANDLERS = [HelpBot, EchoBot, RemindBot, PollBot, StatsBot, StoriesBot];

@Module({
  controllers: [
    BotsHttpController,
    ConversationBotsHttpController,
    MessageCreatedHandler,
    ConversationCreatedHandler,
    WebhookCallRequestedHandler,
  ],
  providers: [
    BotReplies,
    BotCatalog,
    ConversationAccess,
    ConversationSetup,
    DispatchCommandUseCase,
    CallWebhookUseCase,
    WebhookHttpClient,
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
  ],
  migrations: [
    CreateBotReplies1764150000001,
    CreateBotRegistry1764170000000,
    CreateBotState1764180000000,
  ],
};
