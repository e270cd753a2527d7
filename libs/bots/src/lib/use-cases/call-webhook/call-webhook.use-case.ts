import { Inject, Injectable, Logger } from '@nestjs/common';
import { AppError, Chat, type Bots, type EventPayload } from '@switchboard/contracts';
import { UnprocessableEvent } from '@switchboard/platform-messaging';
import { SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { type EntityManager } from 'typeorm';
import { z } from 'zod';
import { type BotsConfig } from '../../bots.config';
import { WebhookBotEntity } from '../../entities/webhook-bot.entity';
import { BotReplies } from '../../replies/bot-replies';
import { WebhookHttpClient, type WebhookHttpResult } from '../../webhooks/webhook-http.client';
import { webhookRequestHeaders } from '../../webhooks/webhook-signature';
import { checkWebhookUrl } from '../../webhooks/webhook-url.policy';

/** A webhook answer is a small JSON object; anything longer is not read. */
export const WEBHOOK_RESPONSE_MAX_BYTES = 64 * 1024;

/** Thrown for failures that may pass: the event is nak'd, retried with backoff, then dead-lettered. */
export const WEBHOOK_UNAVAILABLE = 'BOTS.WEBHOOK_UNAVAILABLE';

/** The JSON body of every webhook call (documented in docs/bots.md). */
export interface WebhookCallBody {
  /** Same on every retry of this call; also in `Switchboard-Call-Id`. */
  callId: string;
  /** The bot's name. */
  bot: string;
  command: string;
  args: string;
  conversationId: string;
  message: Pick<Chat.MessageView, 'id' | 'sender' | 'text' | 'createdAt'>;
}

/** What a webhook may answer with a 2xx; every key optional, unknown keys ignored. */
const WebhookAnswer = z.object({ text: z.string().nullish() });

/**
 * How a call ended well. Failures are thrown: what may succeed later (5xx, 408, 429, network
 * errors, time-outs, DNS failures) as a retriable `AppError` — retried with backoff, then
 * dead-lettered; what cannot (3xx/4xx, an unusable answer, a refused address) as
 * `UnprocessableEvent` — dead-lettered at once, to be replayed once the bot is fixed.
 */
export type WebhookCallOutcome =
  /** 2xx with a text, posted into the conversation as the bot. */
  | 'replied'
  /** 2xx with a text that the conversation's reply rate limit dropped. */
  | 'rate-limited'
  /** 2xx without a text (204, empty body, `{}`, blank text). */
  | 'no-reply'
  /** The bot was deleted after the call was requested. */
  | 'bot-gone';

/**
 * Calls a webhook bot with one command and posts its answer back into the conversation. Runs inside
 * the event's inbox transaction (`manager`): it only reads the bot row, taking no lock of its own
 * across the HTTP call, and the reply is written with the inbox row, so a redelivered event does
 * not post twice.
 */
@Injectable()
export class CallWebhookUseCase {
  private readonly log = new Logger(CallWebhookUseCase.name);

  constructor(
    private readonly http: WebhookHttpClient,
    private readonly replies: BotReplies,
    @Inject(SERVICE_CONFIG) private readonly config: BotsConfig,
  ) {}

  async execute(
    call: EventPayload<typeof Bots.WebhookCallRequested>,
    manager: EntityManager,
    attempt = 1,
  ): Promise<WebhookCallOutcome> {
    const bot = await manager.findOneBy(WebhookBotEntity, { id: call.botId });
    if (!bot) {
      this.log.warn(`Webhook call ${call.callId}: bot ${call.botId} no longer exists; skipped`);
      return 'bot-gone';
    }
    const where = `Webhook call ${call.callId} to ${bot.name} (/${call.command}, attempt ${attempt})`;
    const allowPrivate = this.config.BOTS_ALLOW_PRIVATE_WEBHOOKS;

    // Checked again on every call, as DNS may have changed since registration: the URL and IP
    // literals here, the addresses a host name resolves to by the HTTP client as it connects (a
    // DNS failure is then a network error, retried).
    const refusal = await checkWebhookUrl(bot.webhookUrl, allowPrivate, { resolveHost: false });
    if (refusal) throw this.unprocessable(where, `refused: ${refusal.message}`);

    const body: WebhookCallBody = {
      callId: call.callId,
      bot: bot.name,
      command: call.command,
      args: call.args,
      conversationId: call.message.conversationId,
      message: {
        id: call.message.id,
        sender: call.message.sender,
        text: call.message.text,
        createdAt: call.message.createdAt,
      },
    };
    const rawBody = JSON.stringify(body);
    const result = await this.http.post({
      url: bot.webhookUrl,
      headers: webhookRequestHeaders({ secret: bot.signingSecret, callId: call.callId, rawBody }),
      body: rawBody,
      timeoutMs: this.config.BOTS_WEBHOOK_TIMEOUT_MS,
      allowPrivate,
      maxResponseBytes: WEBHOOK_RESPONSE_MAX_BYTES,
    });

    const text = this.answerOf(where, result);
    if (text === null) return 'no-reply';
    // null once BotReplies rate-limits the conversation (it logs the dropped reply).
    const posted: Chat.MessageView | null = await this.replies.post(manager, {
      bot: bot.name,
      conversationId: call.message.conversationId,
      text,
      key: call.message.id,
      triggerMessageId: call.message.id,
    });
    return posted ? 'replied' : 'rate-limited';
  }

  /** The text to post, or null for an answer without one; throws on failures (see the outcome). */
  private answerOf(where: string, result: WebhookHttpResult): string | null {
    switch (result.kind) {
      case 'timeout':
        throw this.unavailable(where, `no answer within ${this.config.BOTS_WEBHOOK_TIMEOUT_MS} ms`);
      case 'network':
        throw this.unavailable(where, result.message);
      case 'refused-address':
        throw this.unprocessable(where, `refused at connect time: ${result.message}`);
      case 'too-large':
        throw this.unprocessable(
          where,
          `answer larger than ${WEBHOOK_RESPONSE_MAX_BYTES} bytes (HTTP ${result.status})`,
        );
    }
    const { status } = result;
    if (status >= 500 || status === 408 || status === 429) {
      throw this.unavailable(where, `HTTP ${status}`);
    }
    if (status < 200 || status >= 300) {
      throw this.unprocessable(
        where,
        `HTTP ${status}${status < 400 ? ' (redirects are not followed)' : ''}`,
      );
    }
    if (status === 204 || result.body.trim() === '') return null;

    let json: unknown;
    try {
      json = JSON.parse(result.body);
    } catch {
      throw this.unprocessable(where, 'answer is not JSON');
    }
    const answer = WebhookAnswer.safeParse(json);
    if (!answer.success) {
      throw this.unprocessable(where, 'answer is not an object with a string "text"');
    }
    const text = answer.data.text ?? '';
    if (text.trim() === '') return null;
    const valid = Chat.MessageText.safeParse(text);
    if (!valid.success) {
      throw this.unprocessable(
        where,
        `answer text is not a valid message (${valid.error.issues[0]?.message})`,
      );
    }
    return valid.data;
  }

  private unprocessable(where: string, reason: string): UnprocessableEvent {
    return new UnprocessableEvent(`${where} failed, not retried: ${reason}`);
  }

  private unavailable(where: string, reason: string): AppError {
    return new AppError(WEBHOOK_UNAVAILABLE, 'unavailable', `${where} failed: ${reason}`);
  }
}
