import { z } from 'zod';
import { defineEvent } from '../contract';
import { EntityId, Instant, UserId } from '../common/ids';
import { MessageText } from '../chat/message';
import { StoryView } from './story';

/**
 * A story was posted. Carries who may see it, so a realtime edge can tell them without calling
 * stories or chat back; the story itself is read with `GET /stories/:id` or the feed as usual.
 */
export const StoryPosted = defineEvent({
  subject: 'evt.stories.story.posted.v1',
  payload: z
    .object({
      /** The story as viewers see it, as it was posted. */
      story: StoryView,
      /**
       * The users who may see the story when it was posted, sorted, never its author: for
       * `contacts` visibility the author's contacts (everyone sharing a chat conversation with
       * them); for `close-friends`, those contacts who are also on the author's close-friends list.
       * The contacts are stories' view of chat's answer (cached up to
       * `STORIES_CONTACTS_CACHE_SECONDS`); while chat is unreachable, the last contacts this
       * instance had for the author, or empty if it had none — the story is posted regardless.
       * Later changes (a new contact, a close friend added) are not announced: the feed and
       * `GET /stories/:id` decide visibility again on each read.
       */
      audienceIds: z.array(UserId),
    })
    .strict(),
});

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
