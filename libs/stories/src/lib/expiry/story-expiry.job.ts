import {
  type BeforeApplicationShutdown,
  Inject,
  Injectable,
  Logger,
  type OnApplicationBootstrap,
} from '@nestjs/common';
import { Stories } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { DataSource, IsNull, LessThanOrEqual } from 'typeorm';
import { StoryEntity } from '../entities/story.entity';
import { type StoriesConfig } from '../stories.config';

/** Stories ended per query. */
const BATCH = 100;
/** `setTimeout` fires at once for longer delays; the sweep covers what lies beyond. */
const MAX_TIMER_MS = 2_147_483_647;

/**
 * Records that stories expired and announces each once (`evt.stories.story.expired.v1`), across
 * restarts and instances. Readers never wait for it: every query filters on `expires_at > now`.
 *
 * Two clocks drive it, as bots' reminder scheduler: a timer armed for the nearest expiry and a sweep
 * every `STORIES_EXPIRY_SWEEP_MS` (catches stories posted on other instances, and whatever came due
 * while no instance ran). Each story is ended in its own transaction by a compare-and-set UPDATE
 * (`ended_at IS NULL`) that also writes the event to the outbox: of two instances racing for a
 * story, only one update matches, and the event commits with it or not at all. No lease is needed:
 * the work is that one transaction, and one that dies mid-way rolls back and is retried.
 */
@Injectable()
export class StoryExpiryJob implements OnApplicationBootstrap, BeforeApplicationShutdown {
  private readonly log = new Logger(StoryExpiryJob.name);
  private sweepTimer: NodeJS.Timeout | undefined;
  private dueTimer: NodeJS.Timeout | undefined;
  private dueTimerAt = Infinity;
  private running: Promise<void> | undefined;
  private again = false;
  private stopped = true;

  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    @Inject(SERVICE_CONFIG) private readonly config: StoriesConfig,
  ) {}

  /** Idempotent: Nest calls bootstrap hooks once per connected microservice as well as the app. */
  onApplicationBootstrap(): void {
    if (!this.config.STORIES_EXPIRY_JOB_ENABLED || this.sweepTimer !== undefined) return;
    this.stopped = false;
    this.sweepTimer = setInterval(
      () => this.runRound(),
      this.config.STORIES_EXPIRY_SWEEP_MS,
    ).unref();
    this.runRound();
  }

  /** Before the database and NATS close, so a round in progress can finish. */
  async beforeApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    this.sweepTimer = undefined;
    clearTimeout(this.dueTimer);
    this.dueTimerAt = Infinity;
    await this.running;
  }

  /** A story expiring at `expiresAt` was posted: make sure a round runs then. */
  wakeAt(expiresAt: Date): void {
    if (this.stopped || expiresAt.getTime() >= this.dueTimerAt) return;
    clearTimeout(this.dueTimer);
    this.dueTimerAt = expiresAt.getTime();
    const delay = Math.min(Math.max(expiresAt.getTime() - Date.now(), 0), MAX_TIMER_MS);
    this.dueTimer = setTimeout(() => {
      this.dueTimerAt = Infinity;
      this.runRound();
    }, delay).unref();
  }

  /** One round at a time; a trigger during a round makes another one follow it. */
  private runRound(): void {
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.round()
      .catch((error: unknown) => this.log.warn(`Expiry round failed: ${describe(error)}`))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.runRound();
        }
      });
  }

  private async round(): Promise<void> {
    const stories = this.dataSource.getRepository(StoryEntity);
    for (;;) {
      const due = await stories.find({
        where: { endedAt: IsNull(), expiresAt: LessThanOrEqual(new Date()) },
        order: { expiresAt: 'ASC' },
        take: BATCH,
      });
      let ended = 0;
      for (const story of due) {
        if (this.stopped) return;
        if (await this.expire(story)) ended += 1;
      }
      // Another instance took some of them: what is left is for the next sweep.
      if (due.length < BATCH || ended === 0 || this.stopped) break;
    }
    const next = await stories.findOne({
      where: { endedAt: IsNull() },
      order: { expiresAt: 'ASC' },
    });
    if (next) this.wakeAt(next.expiresAt);
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

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : String(error);
}
