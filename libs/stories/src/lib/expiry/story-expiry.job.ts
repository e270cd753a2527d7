import { Inject, Injectable } from '@nestjs/common';
import { Stories } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { DueWorkJob, SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { DataSource, IsNull, LessThanOrEqual } from 'typeorm';
import { StoryEntity } from '../entities/story.entity';
import { type StoriesConfig } from '../stories.config';

/** Stories ended per query. */
const BATCH = 100;

/**
 * Records that stories expired and announces each once (`evt.stories.story.expired.v1`), across
 * restarts and instances. Readers never wait for it: every query filters on `expires_at > now`.
 *
 * The platform's `DueWorkJob` runs a round at the nearest expiry and every
 * `STORIES_EXPIRY_SWEEP_MS` (catching stories posted on other instances, and whatever came due
 * while no instance ran). Each story is ended in its own transaction by a compare-and-set UPDATE
 * (`ended_at IS NULL`) that also writes the event to the outbox: of two instances racing for a
 * story, only one update matches, and the event commits with it or not at all. No lease is needed:
 * the work is that one transaction, and one that dies mid-way rolls back and is retried.
 */
@Injectable()
export class StoryExpiryJob extends DueWorkJob {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(SERVICE_CONFIG) config: StoriesConfig,
  ) {
    super({
      sweepMs: config.STORIES_EXPIRY_SWEEP_MS,
      enabled: config.STORIES_EXPIRY_JOB_ENABLED,
    });
  }

  protected async round(stopping: () => boolean): Promise<Date | null> {
    const stories = this.dataSource.getRepository(StoryEntity);
    for (;;) {
      const due = await stories.find({
        where: { endedAt: IsNull(), expiresAt: LessThanOrEqual(new Date()) },
        order: { expiresAt: 'ASC' },
        take: BATCH,
      });
      let ended = 0;
      for (const story of due) {
        if (stopping()) return null;
        if (await this.expire(story)) ended += 1;
      }
      // Another instance took some of them: what is left is for the next sweep.
      if (due.length < BATCH || ended === 0 || stopping()) break;
    }
    const next = await stories.findOne({
      where: { endedAt: IsNull() },
      order: { expiresAt: 'ASC' },
    });
    return next?.expiresAt ?? null;
  }

  /** True when this instance ended the story (and so announced it). */
  private expire(story: StoryEntity): Promise<boolean> {
    return this.dataSource.transaction(async (manager) => {
      const result = await manager.update(
        StoryEntity,
        { id: story.id, endedAt: IsNull() },
        { endedAt: new Date(), endReason: 'expired' },
      );
      if (result.affected !== 1) return false;
      await this.outbox.add(manager, Stories.StoryExpired, {
        storyId: story.id,
        authorId: story.authorId,
        reason: 'expired',
        expiredAt: story.expiresAt.toISOString(),
      });
      return true;
    });
  }
}
