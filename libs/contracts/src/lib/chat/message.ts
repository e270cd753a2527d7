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

/** Longest message text: 4 KiB of UTF-8, after trimming. */
export const MESSAGE_TEXT_MAX_BYTES = 4096;

const utf8 = new TextEncoder();

export const MessageText = z
  .string()
  .trim()
  .min(1)
  .refine((text) => utf8.encode(text).length <= MESSAGE_TEXT_MAX_BYTES, {
    message: `at most ${MESSAGE_TEXT_MAX_BYTES} bytes of UTF-8`,
    abort: true,
  });

/**
 * The sender's own id for a message, so a retried send returns the stored message instead of
 * posting a second one. Unique per conversation and sender; up to 100 characters, so a bot can use
 * `<bot name>:<trigger message id>`.
 */
export const ClientMessageId = z
  .string()
  .min(1)
  .max(100)
  .regex(/^[A-Za-z0-9._:-]+$/, 'letters, digits and . _ : - only');

/** What a message is about, when it is about something outside chat (a story, a call). */
export const MessageRef = z
  .object({
    kind: z.enum(['story', 'call']),
    /** The story's or the call's id (owned by stories / calls). */
    id: EntityId,
  })
  .strict();
export type MessageRef = z.infer<typeof MessageRef>;

/** A message as other services and clients see it. */
export const MessageView = z
  .object({
    /** UUIDv7: ordering by id is ordering by creation time. */
    id: EntityId,
    /** The conversation the message belongs to. */
    conversationId: EntityId,
    /** Who wrote it. */
    sender: Sender,
    /** The text, trimmed; empty once the message is deleted. */
    text: z.string(),
    /** The sender's idempotency key, if it sent one (lets a client match its optimistic copy). */
    clientMessageId: ClientMessageId.nullable(),
    /** A reply to a story refers to the story; a call note ("Missed call", …) to the call. */
    ref: MessageRef.nullable(),
    /** When chat stored it. */
    createdAt: Instant,
    /** When the sender last edited it; null if never. */
    editedAt: Instant.nullable(),
    /** When the sender deleted it; null while it exists. Deleted messages keep their place. */
    deletedAt: Instant.nullable(),
  })
  .strict();
export type MessageView = z.infer<typeof MessageView>;
