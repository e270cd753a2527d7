import { z } from 'zod';
import { EntityId, Instant, UserId } from '../common/ids';

/** Longest story text: 1 KiB of UTF-8 after trimming (a caption, not an article). */
export const STORY_TEXT_MAX_BYTES = 1024;

const utf8 = new TextEncoder();

export const StoryText = z
  .string()
  .trim()
  .min(1)
  .refine((text) => utf8.encode(text).length <= STORY_TEXT_MAX_BYTES, {
    message: `at most ${STORY_TEXT_MAX_BYTES} bytes of UTF-8`,
    abort: true,
  });

/** Media types a story may reference. */
export const StoryMime = z.enum([
  'image/jpeg',
  'image/png',
  'image/webp',
  'image/gif',
  'video/mp4',
]);
export type StoryMime = z.infer<typeof StoryMime>;

/**
 * A picture or video stored elsewhere (Switchboard keeps no files): where it is and how big, so a
 * client can lay out the story before the bytes arrive.
 */
export const StoryMedia = z
  .object({
    /** An `https:` URL. */
    url: z
      .url({ protocol: /^https$/, hostname: z.regexes.domain })
      .max(2048)
      .describe('https URL of the media'),
    mime: StoryMime,
    /** Pixels, 1–8192. */
    width: z.number().int().min(1).max(8192),
    height: z.number().int().min(1).max(8192),
  })
  .strict();
export type StoryMedia = z.infer<typeof StoryMedia>;

/** `contacts`: everyone sharing a conversation with the author; `close-friends`: their list only. */
export const StoryVisibility = z.enum(['contacts', 'close-friends']);
export type StoryVisibility = z.infer<typeof StoryVisibility>;

/** A story as viewers see it. Exactly one of `text` and `media` is set. */
export const StoryView = z
  .object({
    id: EntityId,
    authorId: UserId,
    text: z.string().nullable(),
    media: StoryMedia.nullable(),
    visibility: StoryVisibility,
    createdAt: Instant,
    /** After this instant the story is gone from every feed. */
    expiresAt: Instant,
  })
  .strict();
export type StoryView = z.infer<typeof StoryView>;
