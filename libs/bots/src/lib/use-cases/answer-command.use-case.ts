import { Injectable, Logger } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/platform-messaging';
import { isUniqueViolation, uuidv7 } from '@switchboard/platform-persistence';
import { DataSource } from 'typeorm';
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

  constructor(
    private readonly dataSource: DataSource,
    private readonly rpc: RpcClient,
  ) {}

  async execute(message: Chat.MessageView): Promise<'answered' | 'ignored' | 'duplicate'> {
    if (message.sender.kind !== 'user') return 'ignored';
    const command = parseCommand(message.text);
    if (!command || command.name !== 'echo') return 'ignored';
    const reply = command.args.length > 0 ? command.args : 'Usage: /echo <text>';

    // Claim the (message, bot) pair before posting: a concurrent delivery of the same message
    // blocks on the unique key until this transaction ends, then sees the claim and backs off. If
    // chat refuses, the transaction rolls back and the claim with it, so a later delivery may retry.
    try {
      return await this.dataSource.transaction(async (manager) => {
        const claim = {
          id: uuidv7(),
          triggerMessageId: message.id,
          bot: ECHO_BOT,
          conversationId: message.conversationId,
          replyMessageId: null,
          createdAt: new Date(),
        };
        await manager.insert(BotReplyEntity, claim);
        const posted = await this.rpc.call(
          Chat.PostMessage,
          {
            conversationId: message.conversationId,
            sender: { kind: 'bot', id: ECHO_BOT },
            text: reply,
          },
          { timeoutMs: POST_TIMEOUT_MS },
        );
        await manager.update(
          BotReplyEntity,
          { id: claim.id },
          { replyMessageId: posted.message.id },
        );
        this.log.log(`${ECHO_BOT} answered message ${message.id} with ${posted.message.id}`);
        return 'answered' as const;
      });
    } catch (error) {
      if (isUniqueViolation(error)) return 'duplicate';
      throw error;
    }
  }
}
