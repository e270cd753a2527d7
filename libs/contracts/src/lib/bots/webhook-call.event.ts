import { z } from 'zod';
import { defineEvent } from '../contract';
import { EntityId } from '../common/ids';
import { MessageView } from '../chat/message';

/** A bot's name: also its sender id in chat, e.g. `echo-bot`. */
export const BOT_NAME = /^[a-z][a-z0-9-]{1,30}[a-z0-9]$/;

/** A command without its slash, e.g. `remind`. */
export const BotCommandName = z
  .string()
  .regex(/^[a-z][a-z0-9_-]{0,31}$/, 'lower-case letters, digits, _ and - (at most 32)');

/**
 * A person sent a command that an installed webhook bot handles. Bots publishes it through its
 * outbox and consumes it itself: the JetStream consumer makes the webhook call, so a failing
 * webhook is retried with backoff and dead-lettered like any other event — and never blocks the
 * consumer of chat's messages.
 */
export const WebhookCallRequested = defineEvent({
  subject: 'evt.bots.webhook-call.requested.v1',
  payload: z
    .object({
      /** Id of this call; sent to the webhook so it can de-duplicate retries. */
      callId: EntityId,
      botId: EntityId,
      /** The command, without the slash. */
      command: BotCommandName,
      /** Everything after the command, trimmed. */
      args: z.string(),
      /** The message that carried the command. */
      message: MessageView,
    })
    .strict(),
});
