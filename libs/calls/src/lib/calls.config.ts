import { z } from 'zod';

/** Environment keys of the calls domain (validated at boot with the base keys). */
export const CallsConfig = z.object({
  /** How long a call rings before it becomes `missed` (default 30 s). */
  CALLS_RING_TIMEOUT_MS: z.coerce.number().int().min(500).max(600_000).default(30_000),
  /**
   * How long starting a call waits for each of chat's answers (membership, members) before it
   * fails with 504: short, so a caller never hangs on a dead chat.
   */
  CALLS_CHAT_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(2_000),
});
export type CallsConfig = z.output<typeof CallsConfig>;
