import { z } from 'zod';

const flag = z.enum(['true', 'false']).transform((value) => value === 'true');

/** Environment keys of the stories domain (validated at boot with the base keys). */
export const StoriesConfig = z.object({
  /** How long a story lives after it is posted, in seconds (default 24 h; tests use a few). */
  STORIES_TTL_SECONDS: z.coerce
    .number()
    .int()
    .min(1)
    .max(30 * 86_400)
    .default(86_400),
  /**
   * How long a user's contacts (asked from chat) are reused before asking again. The stale copy is
   * still served, flagged `contactsStale`, while chat cannot be reached.
   */
  STORIES_CONTACTS_CACHE_SECONDS: z.coerce.number().int().min(0).max(3_600).default(30),
  /** How long one contacts request to chat may take before chat counts as unreachable. */
  STORIES_CONTACTS_TIMEOUT_MS: z.coerce.number().int().min(50).max(10_000).default(1_000),
  /**
   * Runs the expiry job (marks stories expired and announces it). Expired stories disappear from
   * every answer at their due time whether or not it runs; `false` only to observe exactly that.
   */
  STORIES_EXPIRY_JOB_ENABLED: flag.default(true),
  /** How often every instance looks for stories past their expiry (besides a timer for the next). */
  STORIES_EXPIRY_SWEEP_MS: z.coerce.number().int().min(50).max(600_000).default(1_000),
});
export type StoriesConfig = z.output<typeof StoriesConfig>;
