import { Inject, Injectable } from '@nestjs/common';
import { Bots, type Chat } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { uuidv7 } from '@switchboard/platform-persistence';
import { type EntityManager } from 'typeorm';
import { BUILT_IN_HANDLERS, type BuiltInBotHandler } from '../../builtins/built-in-bots';
import { BotCatalog } from '../../shared/bot-catalog';
import { ConversationSetup } from '../../shared/conversation-setup';
import { parseCommand } from './parse-command';

export type DispatchOutcome = 'built-in' | 'webhook' | 'ignored';

/**
 * Routes a chat message to the bot installed in its conversation that owns its command. Only
 * people trigger bots: bot and system messages are ignored, so bots never answer bots. Commands no
 * installed bot owns are ignored without a word: `/shrug` and the like belong to clients, and a
 * bot that answered every unknown slash would be noise.
 */
@Injectable()
export class DispatchCommandUseCase {
  private readonly handlers: Map<string, BuiltInBotHandler>;

  constructor(
    private readonly catalog: BotCatalog,
    private readonly setup: ConversationSetup,
    private readonly outbox: Outbox,
    @Inject(BUILT_IN_HANDLERS) handlers: BuiltInBotHandler[],
  ) {
    this.handlers = new Map(handlers.map((handler) => [handler.botName, handler]));
  }

  /**
   * Runs inside the event's inbox transaction (`manager`): a redelivered event was recorded as
   * handled and never reaches this point twice, and what a bot writes commits with that record.
   */
  async execute(message: Chat.MessageView, manager: EntityManager): Promise<DispatchOutcome> {
    if (message.sender.kind !== 'user' || message.deletedAt !== null) return 'ignored';
    const command = parseCommand(message.text);
    if (!command) return 'ignored';
    await this.setup.ensureInitialized(manager, message.conversationId);
    const installed = await this.catalog.installed(manager, message.conversationId);
    const bot = installed.find((candidate) =>
      candidate.commands.some((spec) => spec.name === command.name),
    );
    if (!bot) return 'ignored';
    if (bot.kind === 'webhook') {
      // The call itself happens in the webhook-call consumer: a slow or failing webhook is retried
      // there, with backoff, and never holds up the commands of other conversations.
      await this.outbox.add(manager, Bots.WebhookCallRequested, {
        callId: uuidv7(),
        botId: bot.entity.id,
        command: command.name,
        args: command.args,
        message,
      });
      return 'webhook';
    }
    const handler = this.handlers.get(bot.name);
    if (!handler) throw new Error(`Built-in bot ${bot.name} has no handler`);
    await handler.handle({ manager, message, command: command.name, args: command.args });
    return 'built-in';
  }
}
