import { type FindOptionsWhere, IsNull, MoreThan } from 'typeorm';
import { type StoryEntity } from '../entities/story.entity';

/**
 * Stories still showing at `now`: not ended and not past their expiry. The expiry filter is what
 * makes a story vanish at its due time; the job only records it and announces it.
 */
export function activeStories(now: Date): FindOptionsWhere<StoryEntity> {
  return { endedAt: IsNull(), expiresAt: MoreThan(now) };
}

export function isActive(story: StoryEntity, now: Date): boolean {
  return story.endedAt === null && story.expiresAt.getTime() > now.getTime();
}
