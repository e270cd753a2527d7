import { Injectable } from '@nestjs/common';
import { type Stories } from '@switchboard/contracts';
import { DataSource, In } from 'typeorm';
import { ContactsDirectory } from '../../contacts/contacts-directory';
import { CloseFriendEntity } from '../../entities/close-friend.entity';
import { StoryViewEntity } from '../../entities/story-view.entity';
import { StoryEntity } from '../../entities/story.entity';
import { activeStories } from '../../shared/active-stories';
import { toStoryView } from '../../shared/views';

/** Ids per `IN (…)`: well below the bind-parameter limits of both databases. */
const CHUNK = 500;

export type FeedStory = Stories.StoryView & { viewed: boolean };

export interface FeedGroup {
  authorId: string;
  /** Oldest first. */
  stories: FeedStory[];
  hasUnseen: boolean;
}

export interface Feed {
  items: FeedGroup[];
  contactsStale: boolean;
}

/**
 * Active stories of the caller's contacts that the caller may see, grouped by author: groups with
 * unseen stories first, then the group whose newest story is most recent; stories oldest first.
 */
@Injectable()
export class GetFeedUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly contacts: ContactsDirectory,
  ) {}

  async execute(input: { userId: string }): Promise<Feed> {
    const contacts = await this.contacts.of(input.userId);
    const authorIds = [...contacts.userIds].filter((id) => id !== input.userId);
    const manager = this.dataSource.manager;
    const now = new Date();

    const stories: StoryEntity[] = [];
    const closeFriendOf = new Set<string>();
    for (const ids of chunks(authorIds)) {
      stories.push(
        ...(await manager.find(StoryEntity, {
          where: { authorId: In(ids), ...activeStories(now) },
          order: { createdAt: 'ASC', id: 'ASC' },
        })),
      );
      const lists = await manager.find(CloseFriendEntity, {
        select: { ownerId: true },
        where: { ownerId: In(ids), friendId: input.userId },
      });
      for (const list of lists) closeFriendOf.add(list.ownerId);
    }
    const visible = stories.filter(
      (story) => story.visibility === 'contacts' || closeFriendOf.has(story.authorId),
    );

    const viewed = new Set<string>();
    for (const ids of chunks(visible.map((story) => story.id))) {
      const views = await manager.find(StoryViewEntity, {
        select: { storyId: true },
        where: { viewerId: input.userId, storyId: In(ids) },
      });
      for (const view of views) viewed.add(view.storyId);
    }

    const groups = new Map<string, FeedGroup & { latest: StoryEntity }>();
    for (const story of visible.sort(byPostingTime)) {
      const item = { ...toStoryView(story), viewed: viewed.has(story.id) };
      const group = groups.get(story.authorId);
      if (group) {
        group.stories.push(item);
        group.hasUnseen ||= !item.viewed;
        group.latest = story;
      } else {
        groups.set(story.authorId, {
          authorId: story.authorId,
          stories: [item],
          hasUnseen: !item.viewed,
          latest: story,
        });
      }
    }
    const items = [...groups.values()]
      .sort(
        (a, b) => Number(b.hasUnseen) - Number(a.hasUnseen) || byPostingTime(b.latest, a.latest),
      )
      .map(({ authorId, stories: groupStories, hasUnseen }) => ({
        authorId,
        stories: groupStories,
        hasUnseen,
      }));
    return { items, contactsStale: contacts.stale };
  }
}

function byPostingTime(a: StoryEntity, b: StoryEntity): number {
  return a.createdAt.getTime() - b.createdAt.getTime() || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
}

function* chunks<T>(items: T[]): Generator<T[]> {
  for (let start = 0; start < items.length; start += CHUNK) yield items.slice(start, start + CHUNK);
}
