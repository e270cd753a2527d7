import { Inject, Injectable } from '@nestjs/common';
import { AppError, Stories } from '@switchboard/contracts';
import { Outbox } from '@switchboard/platform-messaging';
import { uuidv7 } from '@switchboard/platform-persistence';
import { SERVICE_CONFIG } from '@switchboard/platform-runtime';
import { DataSource } from 'typeorm';
import { ContactsDirectory } from '../../contacts/contacts-directory';
import { StoryEntity } from '../../entities/story.entity';
import { StoryExpiryJob } from '../../expiry/story-expiry.job';
import { StoryAccess } from '../../shared/story-access';
import { toStoryView } from '../../shared/views';
import { type StoriesConfig } from '../../stories.config';
import { StoriesErrorCodes } from '../../stories.errors';

export interface PostStoryInput {
  authorId: string;
  /** Exactly one of `text` and `media` (the HTTP schema enforces it). */
  text?: string;
  media?: Stories.StoryMedia;
  visibility: Stories.StoryVisibility;
}

/**
 * Posts a story that lives `STORIES_TTL_SECONDS`, announces it with `StoryPosted` to who may see
 * it (in the same transaction) and arms the expiry job for it. Posting never depends on chat: the
 * author's contacts are the cached ones while chat is unreachable, or none if there are none.
 */
@Injectable()
export class PostStoryUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly outbox: Outbox,
    private readonly contacts: ContactsDirectory,
    private readonly access: StoryAccess,
    private readonly expiry: StoryExpiryJob,
    @Inject(SERVICE_CONFIG) private readonly config: StoriesConfig,
  ) {}

  async execute(input: PostStoryInput): Promise<Stories.StoryView> {
    // Asked before the transaction, so no connection is held while chat answers (or does not).
    const authorContacts = await this.contactsOf(input.authorId);
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
    const view = toStoryView(story);
    await this.dataSource.transaction(async (manager) => {
      await manager.insert(StoryEntity, story);
      const audienceIds = await this.access.audienceOf(
        story.authorId,
        story.visibility,
        authorContacts,
        manager,
      );
      await this.outbox.add(manager, Stories.StoryPosted, { story: view, audienceIds });
    });
    this.expiry.wakeAt(story.expiresAt);
    return view;
  }

  private async contactsOf(authorId: string): Promise<ReadonlySet<string>> {
    try {
      return (await this.contacts.of(authorId)).userIds;
    } catch (error) {
      // Chat unreachable and nothing cached: the story is still posted, announced to nobody; its
      // audience finds it in their feeds, which check visibility on every read.
      if (error instanceof AppError && error.code === StoriesErrorCodes.CONTACTS_UNAVAILABLE) {
        return new Set();
      }
      throw error;
    }
  }
}
