import { Inject, Injectable, Logger } from '@nestjs/common';
import { Chat } from '@switchboard/contracts';
import { RpcClient } from '@switchboard/platform-messaging';
import { uuidv7 } from '@switchboard/platform-persistence';
import { SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { type EntityManager, MoreThan } from 'typeorm';
import { type BotsConfig } from '../bots.config';
import { BotReplyEntity } from '../entities/bot-reply.entity';

/** How long bots wait for chat to store a reply. */
const POST_TIMEOUT_MS = 3_000;

/** The window of `BOTS_REPLIES_PER_MINUTE`. */
const RATE_WINDOW_MS = 60_000;

export interface BotReply {
  /** The bot's name: its sender id in chat. */
  bot: string;
  conversationId: string;
  /** Cut to chat's 4 KiB limit (with an ellipsis) if longer. */
  text: string;
  /**
   * Makes the post retry-safe: chat stores one message per `<bot>:<key>`, so a redelivered event or
   * a re-run job that posts again gets the stored message back. Usually the trigger message id.
   */
  key: string;
  /** The chat message this reply answers (recorded in `bot_replies`). */
  triggerMessageId: string;
}

/**
 * The one way bots post into chat: through `rpc.chat.post-message.v1` as the bot, keyed for
 * idempotency, recorded in `bot_replies`, and rate-limited per conversation.
 */
@Injectable()
export class BotReplies {
  private readonly log = new Logger(BotReplies.name);

  constructor(
    private readonly rpc: RpcClient,
    @Inject(SERVICE_CONFIG) private readonly config: BotsConfig,
  ) {}

  /**
   * Posts the reply, or returns `null` when the conversation already got `BOTS_REPLIES_PER_MINUTE`
   * bot replies in the last 60 s: the reply is then dropped (and logged), not queued. The count is
   * taken from `bot_replies`, so it holds across instances; on Postgres a transaction-scoped
   * advisory lock per conversation makes concurrent replies to one conversation count one after
   * the other (SQLite has a single writer anyway), so a burst cannot overshoot the limit.
   * A retry of a key already posted is never dropped: it only fetches the stored message again.
   *
   * Runs inside the caller's transaction (`manager`, usually an event's inbox transaction). The RPC
   * is outside it: if the commit fails after chat stored the reply, the retry posts again with the
   * same key and chat returns the message it stored instead of a second one. Throws the RPC's
   * `AppError` (e.g. `UNAVAILABLE`) when chat cannot be reached, so the caller's event is retried.
   */
  async post(manager: EntityManager, reply: BotReply): Promise<Chat.MessageView | null> {
    const recorded = await manager.existsBy(BotReplyEntity, {
      bot: reply.bot,
      replyKey: reply.key,
    });
    if (!recorded) {
      await lockConversationReplies(manager, reply.conversationId);
      const recent = await manager.countBy(BotReplyEntity, {
        conversationId: reply.conversationId,
        createdAt: MoreThan(new Date(Date.now() - RATE_WINDOW_MS)),
      });
      if (recent >= this.config.BOTS_REPLIES_PER_MINUTE) {
        this.log.warn(
          `Dropped a reply of ${reply.bot} in conversation ${reply.conversationId} (trigger ${reply.triggerMessageId}): ${recent} bot replies in the last minute, limit ${this.config.BOTS_REPLIES_PER_MINUTE}`,
        );
        return null;
      }
    }
    const posted = await this.rpc.call(
      Chat.PostMessage,
      {
        conversationId: reply.conversationId,
        sender: { kind: 'bot', id: reply.bot },
        text: fitMessageText(reply.text),
        clientMessageId: `${reply.bot}:${reply.key}`,
      },
      { timeoutMs: POST_TIMEOUT_MS },
    );
    if (!recorded) {
      await manager.insert(BotReplyEntity, {
        id: uuidv7(),
        triggerMessageId: reply.triggerMessageId,
        bot: reply.bot,
        replyKey: reply.key,
        conversationId: reply.conversationId,
        replyMessageId: posted.message.id,
        createdAt: new Date(),
      });
    }
    this.log.log(
      `${reply.bot} answered message ${reply.triggerMessageId} with ${posted.message.id}`,
    );
    return posted.message;
  }
}

/** `bots` in ASCII: the advisory-lock namespace of the reply rate limit. */
const RATE_LOCK_NAMESPACE = 0x626f7473;

/**
 * Until the caller's transaction ends, other replies to this conversation wait here: their count
 * then includes this reply. Held across the post RPC (a few ms, at most its time-out), and only
 * by transactions that post into the same conversation.
 */
async function lockConversationReplies(
  manager: EntityManager,
  conversationId: string,
): Promise<void> {
  if (manager.connection.options.type !== 'postgres') return;
  await manager.query('SELECT pg_advisory_xact_lock($1, hashtext($2))', [
    RATE_LOCK_NAMESPACE,
    conversationId,
  ]);
}

/** Bots quote user text (echo, polls, reminders); cut it rather than fail chat's 4 KiB check. */
export function fitMessageText(text: string): string {
  const trimmed = text.trim();
  const bytes = Buffer.from(trimmed, 'utf8');
  if (bytes.length <= Chat.MESSAGE_TEXT_MAX_BYTES) return trimmed;
  // Room for the 3-byte ellipsis; a character cut in half decodes to U+FFFD and is dropped.
  const cut = bytes
    .subarray(0, Chat.MESSAGE_TEXT_MAX_BYTES - 3)
    .toString('utf8')
    .replace(/\uFFFD+$/, '');
  return `${cut.trimEnd()}…`;
}
