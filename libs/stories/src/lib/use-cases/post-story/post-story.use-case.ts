import { Inject, Injectable } from '@nestjs/common';
import { type Stories } from '@switchboard/contracts';
import { uuidv7 } from '@switchboard/platform-persistence';
import { SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { DataSource } from 'typeorm';
import { StoryEntity } from '../../entities/story.entity';
import { StoryExpiryJob } from '../../expiry/story-expiry.job';
import { type StoriesConfig } from '../../stories.config';
import { toStoryView } from '../../shared/views';

export interface PostStoryInput {
  authorId: string;
  /** Exactly one of `text` and `media` (the HTTP schema enforces it). */
  text?: string;
  media?: Stories.StoryMedia;
  visibility: Stories.StoryVisibility;
}

/** Posts a story that lives `STORIES_TTL_SECONDS` and arms the expiry job for it. */
@Injectable()
export class PostStoryUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly expiry: StoryExpiryJob,
    @Inject(SERVICE_CONFIG) private readonly config: StoriesConfig,
  ) {}

  async execute(input: PostStoryInput): Promise<Stories.StoryView> {
    const createdAt = new Date();
    const story = this.dataSource.getRepository(StoryEntity).create({
      id: uuidv7(),
      authorId: input.authorId,
      text: input.text ?? null,
      mediaUrl: input.media?.url ?? null,
      mediaMime: input.media?.mime ?? null,
      mediaWidth: input.media?.width ?? null,
      mediaHeight: input.media?.height ?? null,
      visibility: input.visibility,
      createdAt,
      expiresAt: new Date(createdAt.getTime() + this.config.STORIES_TTL_SECONDS * 1000),
      endedAt: null,
      endReason: null,
    });
    await this.dataSource.getRepository(StoryEntity).insert(story);
    this.expiry.wakeAt(story.expiresAt);
    return toStoryView(story);
  }
}
