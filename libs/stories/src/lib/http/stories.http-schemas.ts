import { EntityId, Instant, Stories, UserId } from '@switchboard/contracts';
import { z } from 'zod';

/** Longest reply: 4 KiB of UTF-8 after trimming. */
export const STORY_REPLY_MAX_BYTES = 4096;

const utf8 = new TextEncoder();

// ---- request parts ----

export const StoryIdParams = z.object({ id: EntityId }).strict();
export type StoryIdParams = z.output<typeof StoryIdParams>;

export const CloseFriendParams = z.object({ userId: UserId }).strict();
export type CloseFriendParams = z.output<typeof CloseFriendParams>;

/** Exactly one of `text` and `media`. */
export const PostStoryBody = z
  .object({
    text: Stories.StoryText.optional(),
    media: Stories.StoryMedia.optional(),
    visibility: Stories.StoryVisibility.default('contacts'),
  })
  .strict()
  .refine((body) => (body.text === undefined) !== (body.media === undefined), {
    message: 'give exactly one of text and media',
    path: ['text'],
  });
export type PostStoryBody = z.output<typeof PostStoryBody>;

export const ReplyBody = z
  .object({
    text: z
      .string()
      .trim()
      .min(1)
      .refine((text) => utf8.encode(text).length <= STORY_REPLY_MAX_BYTES, {
        message: `at most ${STORY_REPLY_MAX_BYTES} bytes of UTF-8`,
        abort: true,
      }),
  })
  .strict();
export type ReplyBody = z.output<typeof ReplyBody>;

// ---- responses no contract describes ----

export const MyStory = Stories.StoryView.extend({
  /** People who saw it (the author not counted). */
  viewCount: z.number().int().nonnegative(),
}).strict();

export const MyStoryList = z.object({ items: z.array(MyStory) }).strict();

export const FeedStory = Stories.StoryView.extend({
  /** Whether the caller marked it viewed. */
  viewed: z.boolean(),
}).strict();

export const Feed = z
  .object({
    /** One group per author: groups with unseen stories first, then most recent story first. */
    items: z.array(
      z
        .object({
          authorId: UserId,
          /** Oldest first. */
          stories: z.array(FeedStory),
          /** At least one story not viewed yet. */
          hasUnseen: z.boolean(),
        })
        .strict(),
    ),
    /** True when chat was unreachable and an older copy of the caller's contacts was used. */
    contactsStale: z.boolean(),
  })
  .strict();

export const StoryViewers = z
  .object({
    /** Earliest first view first. */
    items: z.array(z.object({ userId: UserId, viewedAt: Instant }).strict()),
    total: z.number().int().nonnegative(),
  })
  .strict();

export const StoryReply = z
  .object({
    id: EntityId,
    storyId: EntityId,
    replierId: UserId,
    text: z.string(),
    createdAt: Instant,
  })
  .strict();

export const CloseFriendList = z.object({ userIds: z.array(UserId) }).strict();
