import { z } from 'zod';
import { EntityId, Instant, UserId } from '../common/ids';

/**
 * `ringing → active → ended | failed`; `ringing → declined | missed | cancelled`. The last five
 * are final.
 */
export const CallState = z.enum([
  'ringing',
  'active',
  'ended',
  'failed',
  'declined',
  'missed',
  'cancelled',
]);
export type CallState = z.infer<typeof CallState>;

/** A call in a conversation: the caller rings the other members; the first to accept joins. */
export const CallView = z
  .object({
    id: EntityId,
    conversationId: EntityId,
    callerId: UserId,
    /** The conversation's other members when the call started: who it rang. */
    inviteeIds: z.array(UserId),
    state: CallState,
    /** Who accepted (the call is between the caller and them); null until then. */
    acceptedBy: UserId.nullable(),
    /** When the caller started it. */
    createdAt: Instant,
    /** While ringing: when it becomes `missed` if nobody answers. */
    ringsUntil: Instant,
    /** When it was accepted; null if never. */
    answeredAt: Instant.nullable(),
    /** When it reached a final state; null before. */
    endedAt: Instant.nullable(),
    /** Seconds between `answeredAt` and `endedAt`; null unless it was active and is over. */
    durationSeconds: z.number().int().nonnegative().nullable(),
  })
  .strict();
export type CallView = z.infer<typeof CallView>;
