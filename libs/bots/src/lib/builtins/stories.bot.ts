import { Injectable, Logger } from '@nestjs/common';
import { AppError, Chat, CommonErrorCodes, Stories } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/platform-messaging';
import { BotReplies } from '../replies/bot-replies';
import { type BuiltInBotHandler, type CommandInvocation, STORIES_BOT } from './built-in-bots';

/** Chat is asked first, then stories; together well within the event's ack wait. */
const GET_CONVERSATION_TIMEOUT_MS = 2_000;
const ACTIVE_COUNT_TIMEOUT_MS = 2_000;

/** What `/stories` says when stories does not answer in time (or at all). */
export const STORIES_UNAVAILABLE_TEXT =
  '📸 Sorry, I can’t reach stories right now. Try /stories again in a moment.';

/**
 * `/stories`: how many stories the conversation's members have active now
 * (`rpc.stories.active-count.v1`, `contacts` stories only). Members come from chat
 * (`rpc.chat.get-conversation.v1`); when chat does not answer the error propagates and the event is
 * retried, since no reply could be posted anyway. When stories does not answer, the bot says so once
 * instead: a retry storm against a service that is down helps nobody, and the person can ask again.
 */
@Injectable()
export class StoriesBot implements BuiltInBotHandler {
  readonly botName = STORIES_BOT;
  private readonly log = new Logger(StoriesBot.name);

  constructor(
    private readonly rpc: RpcClient,
    private readonly replies: BotReplies,
  ) {}

  async handle({ manager, message }: CommandInvocation): Promise<void> {
    const { conversation } = await this.rpc.call(
      Chat.GetConversation,
      { conversationId: message.conversationId },
      { timeoutMs: GET_CONVERSATION_TIMEOUT_MS },
    );
    const text = await this.answer(conversation);
    await this.replies.post(manager, {
      bot: STORIES_BOT,
      conversationId: message.conversationId,
      text,
      key: message.id,
      triggerMessageId: message.id,
    });
  }

  private async answer(conversation: Chat.ConversationView): Promise<string> {
    const userIds = conversation.members.map((member) => member.userId);
    if (userIds.length === 0) return activeStoriesText({ total: 0, perUser: [] });
    try {
      const counts = await this.rpc.call(
        Stories.ActiveCount,
        { userIds },
        { timeoutMs: ACTIVE_COUNT_TIMEOUT_MS },
      );
      return activeStoriesText(counts);
    } catch (error) {
      if (!isUnreachable(error)) throw error;
      this.log.warn(`/stories in ${conversation.id}: stories did not answer: ${error.message}`);
      return STORIES_UNAVAILABLE_TEXT;
    }
  }
}

/** `📸 3 active stories in this conversation: alice 2, bob 1`, or `📸 No active stories …`. */
export function activeStoriesText(counts: {
  total: number;
  perUser: readonly { userId: string; count: number }[];
}): string {
  if (counts.total === 0) return '📸 No active stories in this conversation.';
  const who = counts.perUser.map(({ userId, count }) => `${userId} ${count}`).join(', ');
  const stories = counts.total === 1 ? 'story' : 'stories';
  return `📸 ${counts.total} active ${stories} in this conversation: ${who}`;
}

function isUnreachable(error: unknown): error is AppError {
  return (
    error instanceof AppError &&
    (error.code === CommonErrorCodes.UNAVAILABLE ||
      error.code === CommonErrorCodes.DEADLINE_EXCEEDED)
  );
}
