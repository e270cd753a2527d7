import { Injectable, Logger } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/platform-messaging';
import { uuidv7 } from '@switchboard/platform-persistence';
import { type EntityManager } from 'typeorm';
import { BotReplyEntity } from '../entities/bot-reply.entity';
import { parseCommand } from './parse-command';

export const ECHO_BOT = 'echo-bot';

/** How long bots wait for chat to store a reply. */
const POST_TIMEOUT_MS = 3_000;

/**
 * Reads every new chat message and answers the commands it knows by posting back through chat's
 * RPC. Only people trigger bots: bot and system messages are ignored, so two bots never loop.
 */
@Injectable()
export class AnswerCommandUseCase {
  private readonly log = new Logger(AnswerCommandUseCase.name);

  constructor(private readonly rpc: RpcClient) {}

  /**
   * Runs inside the event's inbox transaction (`manager`): a redelivered event was recorded as
   * handled and never reaches this point twice. Posting to chat is an RPC, outside that
   * transaction: if the commit fails after chat stored the reply, the redelivery calls again with
   * the same `clientMessageId`, and chat returns the reply it stored instead of a second one.
   */
  async execute(
    message: Chat.MessageView,
    manager: EntityManager,
  ): Promise<'answered' | 'ignored'> {
    if (message.sender.kind !== 'user') return 'ignored';
    const command = parseCommand(message.text);
    if (!command || command.name !== 'echo') return 'ignored';
    const reply = command.args.length > 0 ? command.args : 'Usage: /echo <text>';

    const posted = await this.rpc.call(
      Chat.PostMessage,
      {
        conversationId: message.conversationId,
        sender: { kind: 'bot', id: ECHO_BOT },
        text: reply,
        // A redelivered event repeats this call; the key makes chat store the reply once.
        clientMessageId: `${ECHO_BOT}:${message.id}`,
      },
      { timeoutMs: POST_TIMEOUT_MS },
    );
    await manager.insert(BotReplyEntity, {
      id: uuidv7(),
      triggerMessageId: message.id,
      bot: ECHO_BOT,
      conversationId: message.conversationId,
      replyMessageId: posted.message.id,
      createdAt: new Date(),
    });
    this.log.log(`${ECHO_BOT} answered message ${message.id} with ${posted.message.id}`);
    return 'answered';
  }
}
