import { Injectable } from '@nestjs/common';
import { BotReplies } from '../replies/bot-replies';
import { BotCatalog } from '../shared/bot-catalog';
import { type BuiltInBotHandler, type CommandInvocation, HELP_BOT } from './built-in-bots';

/** `/help`: the commands of the bots installed in this conversation, webhook bots included. */
@Injectable()
export class HelpBot implements BuiltInBotHandler {
  readonly botName = HELP_BOT;

  constructor(
    private readonly catalog: BotCatalog,
    private readonly replies: BotReplies,
  ) {}

  async handle({ manager, message }: CommandInvocation): Promise<void> {
    const bots = await this.catalog.installed(manager, message.conversationId);
    const lines = bots.flatMap((bot) =>
      bot.commands.map((command) => `${command.usage} — ${command.description} (${bot.name})`),
    );
    await this.replies.post(manager, {
      bot: HELP_BOT,
      conversationId: message.conversationId,
      text: ['Commands in this conversation:', ...lines].join('\n'),
      key: message.id,
      triggerMessageId: message.id,
    });
  }
}
