import { Injectable } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/platform-messaging';
import { BotReplies } from '../replies/bot-replies';
import { type BuiltInBotHandler, type CommandInvocation, STATS_BOT } from './built-in-bots';

const STATS_TIMEOUT_MS = 3_000;

/**
 * `/stats`: messages per member, counted by chat (`rpc.chat.message-stats.v1`). When chat does not
 * answer the error propagates, so the event is retried with backoff rather than answered wrongly.
 */
@Injectable()
export class StatsBot implements BuiltInBotHandler {
  readonly botName = STATS_BOT;

  constructor(
    private readonly rpc: RpcClient,
    private readonly replies: BotReplies,
  ) {}

  async handle({ manager, message }: CommandInvocation): Promise<void> {
    const stats = await this.rpc.call(
      Chat.MessageStats,
      { conversationId: message.conversationId },
      { timeoutMs: STATS_TIMEOUT_MS },
    );
    const lines = stats.perUser.map(({ userId, count }) => `${userId}: ${count}`);
    await this.replies.post(manager, {
      bot: STATS_BOT,
      conversationId: message.conversationId,
      text: [`📈 ${plural(stats.total, 'message')} in this conversation`, ...lines].join('\n'),
      key: message.id,
      triggerMessageId: message.id,
    });
  }
}

export function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
