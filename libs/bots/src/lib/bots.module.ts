import { Module } from '@nestjs/common';
import { type DomainDefinition } from '@switchboard/platform-runtime';
import { BotReplyEntity } from './entities/bot-reply.entity';
import { MessageCreatedHandler } from './events/message-created.handler';
import { CreateBotReplies1764150000001 } from './migrations/1764150000001-create-bot-replies';
import { AnswerCommandUseCase } from './use-cases/answer-command.use-case';

@Module({
  controllers: [MessageCreatedHandler],
  providers: [AnswerCommandUseCase],
})
export class BotsModule {}

/** The bots domain as a host composes it: module, tables and migrations. */
export const BotsDomain: DomainDefinition = {
  module: BotsModule,
  entities: [BotReplyEntity],
  migrations: [CreateBotReplies1764150000001],
};
