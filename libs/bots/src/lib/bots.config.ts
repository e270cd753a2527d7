import { z } from 'zod';
import { BUILT_IN_BOT_NAMES } from './builtins/built-in-bots';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

/** Environment keys of the bots domain (validated at boot with the base keys). */
export const BotsConfig = z.object({
  /**
   * Lets webhook bots point at loopback and private addresses. Off unless set: a registered URL
   * could otherwise make bots call into the internal network. `true` in tests and `npm start`.
   */
  BOTS_ALLOW_PRIVATE_WEBHOOKS: flag.default(false),
  /**
   * How long one webhook call may take before it counts as failed and is retried. At most 20 s:
   * the call runs inside the event's handler, which must finish well within the ack wait
   * (`EVENTS_ACK_WAIT_MS`, 30 s) or JetStream delivers the event a second time meanwhile.
   */
  BOTS_WEBHOOK_TIMEOUT_MS: z.coerce.number().int().min(100).max(20_000).default(5_000),
  /** Bot replies allowed per conversation per minute; more are dropped (and logged). */
  BOTS_REPLIES_PER_MINUTE: z.coerce.number().int().min(1).max(10_000).default(30),
  /**
   * Built-in bots installed in every new conversation, comma-separated; empty for none. Only
   * built-in names: a webhook bot is a user's, and installing it everywhere is not theirs to decide.
   */
  BOTS_DEFAULT_INSTALL: z
    .string()
    .default('help-bot,echo-bot,remind-bot,poll-bot,stats-bot,stories-bot')
    .transform((value) =>
      value
        .split(',')
        .map((name) => name.trim())
        .filter((name) => name.length > 0),
    )
    .refine((names) => names.every((name) => BUILT_IN_BOT_NAMES.includes(name)), {
      message: `must list built-in bots only (${BUILT_IN_BOT_NAMES.join(', ')})`,
    }),
});
export type BotsConfig = z.output<typeof BotsConfig>;
