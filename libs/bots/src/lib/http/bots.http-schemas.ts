import { Bots, EntityId } from '@switchboard/contracts';
import { z } from 'zod';
import { WEBHOOK_URL_MAX_LENGTH } from '../webhooks/webhook-url.policy';

export const RegisterBotBody = z
  .object({
    /** 3–32 characters: lower-case letters, digits and inner dashes, e.g. `weather-bot`. */
    name: z.string().regex(Bots.BOT_NAME, 'lower-case letters, digits and dashes, 3 to 32'),
    description: z.string().trim().min(1).max(200),
    commands: z
      .array(
        z
          .object({ name: Bots.BotCommandName, description: z.string().trim().min(1).max(200) })
          .strict(),
      )
      .min(1)
      .max(20)
      .refine((commands) => new Set(commands.map((c) => c.name)).size === commands.length, {
        message: 'command names must be unique',
      }),
    /** Checked by the webhook URL policy (scheme, credentials, address); 400 if refused. */
    webhookUrl: z.string().min(1).max(WEBHOOK_URL_MAX_LENGTH),
  })
  .strict();
export type RegisterBotBody = z.output<typeof RegisterBotBody>;

export const ConversationParams = z.object({ id: EntityId }).strict();
export type ConversationParams = z.output<typeof ConversationParams>;

export const ConversationBotParams = z
  .object({ id: EntityId, name: z.string().regex(Bots.BOT_NAME, 'not a bot name') })
  .strict();
export type ConversationBotParams = z.output<typeof ConversationBotParams>;
