import { z } from 'zod';
import { defineRpc } from '../contract';
import { EntityId } from '../common/ids';
import { ClientMessageId, MessageText, MessageView, Sender } from './message';

/**
 * Post a message into a conversation on behalf of a user, a bot or the system.
 * A `user` sender must be a member (`CHAT.NOT_A_MEMBER` otherwise); bots and the system are
 * trusted callers inside the platform.
 */
export const PostMessage = defineRpc({
  subject: 'rpc.chat.post-message.v1',
  request: z
    .object({
      /** Target conversation. */
      conversationId: EntityId,
      /** Author of the message. */
      sender: Sender,
      /** Message text, 1–4000 characters after trimming. */
      text: MessageText,
      /** Idempotency key: a second call with the same key returns the first call's message. */
      clientMessageId: ClientMessageId.optional(),
    })
    .strict(),
  result: z
    .object({
      /** The stored message. */
      message: MessageView,
    })
    .strict(),
});
