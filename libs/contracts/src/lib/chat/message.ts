import { z } from 'zod';
import { EntityId, Instant, UserId } from '../common/ids';

/** Who wrote a message: a person, a bot acting in the conversation, or the platform itself. */
export const SenderKind = z.enum(['user', 'bot', 'system']);
export type SenderKind = z.infer<typeof SenderKind>;

export const Sender = z
  .object({
    /** `user` for people; `bot` and `system` messages never trigger bots. */
    kind: SenderKind,
    /** The user id, the bot's name (e.g. `echo-bot`) or the system component. */
    id: UserId,
  })
  .strict();
export type Sender = z.infer<typeof Sender>;

/** Longest message text in characters. */
export const MESSAGE_TEXT_MAX = 4000;

export const MessageText = z.string().trim().min(1).max(MESSAGE_TEXT_MAX);

/**
 * The sender's own id for a message, so a retried send returns the stored message instead of
 * posting a second one. Unique per conversation and sender.
 */
export const ClientMessageId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

/** A message as other services and clients see it. */
export const MessageView = z
  .object({
    /** UUIDv7: ordering by id is ordering by creation time. */
    id: EntityId,
    /** The conversation the message belongs to. */
    conversationId: EntityId,
    /** Who wrote it. */
    sender: Sender,
    /** The text, trimmed. */
    text: z.string(),
    /** When chat stored it. */
    createdAt: Instant,
  })
  .strict();
export type MessageView = z.infer<typeof MessageView>;
