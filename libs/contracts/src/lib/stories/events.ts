import { z } from 'zod';
import { defineEvent } from '../contract';
import { EntityId, Instant, UserId } from '../common/ids';
import { MessageText } from '../chat/message';
import { StoryView } from './story';

/**
 * Someone replied to a story. Chat posts the reply, as the replier, into the direct conversation of
 * the two users (creating it if needed) with a reference to the story.
 */
export const StoryReplied = defineEvent({
  subject: 'evt.stories.story.replied.v1',
  payload: z
    .object({
      /** Id of the reply (stories'); also the idempotency key of the chat message. */
      replyId: EntityId,
      /** The story replied to, as it was when the reply was written. */
      story: StoryView,
      /** Who replied; the story's author is `story.authorId`. */
      replierId: UserId,
      /** The reply: a chat message text (trimmed, 1 character to 4 KiB of UTF-8). */
      text: MessageText,
      repliedAt: Instant,
    })
    .strict(),
});

/** A story reached its expiry (or was deleted by its author before it). */
export const StoryExpired = defineEvent({
  subject: 'evt.stories.story.expired.v1',
  payload: z
    .object({
      storyId: EntityId,
      authorId: UserId,
      /** `expired` at its due time, or `deleted` early by the author. */
      reason: z.enum(['expired', 'deleted']),
      expiredAt: Instant,
    })
    .strict(),
});
