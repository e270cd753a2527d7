import { type Stories } from '@switchboard/contracts';
import { type StoryEntity } from '../entities/story.entity';

export function toStoryView(story: StoryEntity): Stories.StoryView {
  return {
    id: story.id,
    authorId: story.authorId,
    text: story.text,
    media:
      story.mediaUrl !== null &&
      story.mediaMime !== null &&
      story.mediaWidth !== null &&
      story.mediaHeight !== null
        ? {
            url: story.mediaUrl,
            mime: story.mediaMime,
            width: story.mediaWidth,
            height: story.mediaHeight,
          }
        : null,
    visibility: story.visibility,
    createdAt: story.createdAt.toISOString(),
    expiresAt: story.expiresAt.toISOString(),
  };
}
