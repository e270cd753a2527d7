import { Injectable } from '@nestjs/common';
import { BotReplies } from '../replies/bot-replies';
import { type BuiltInBotHandler, type CommandInvocation, ECHO_BOT } from './built-in-bots';

/** `/echo <text>`: says it back. The smallest bot there is; the e2e tests' probe. */
@Injectable()
export class EchoBot implements BuiltInBotHandler {
  readonly botName = ECHO_BOT;

  constructor(private readonly replies: BotReplies) {}

  async handle({ manager, message, args }: CommandInvocation): Promise<void> {
    await this.replies.post(manager, {
      bot: ECHO_BOT,
      conversationId: message.conversationId,
      text: args.length > 0 ? args : 'Usage: /echo <text>',
      key: message.id,
      triggerMessageId: message.id,
    });
  }
}
