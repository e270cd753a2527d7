import { Injectable } from '@nestjs/common';
import { type Stories } from '@switchboard/contracts';
import { DataSource, type EntityManager } from 'typeorm';
import { ContactsDirectory } from '../contacts/contacts-directory';
import { CloseFriendEntity } from '../entities/close-friend.entity';
import { StoryEntity } from '../entities/story.entity';
import { StoriesErrors } from '../stories.errors';
import { isActive } from './active-stories';

/**
 * Who may see what. A story is visible to its author while active, and to the author's contacts
 * (people sharing a chat conversation with them); a `close-friends` story only to those contacts
 * the author also put on their close-friends list. Everyone else gets `STORIES.STORY_NOT_FOUND`,
 * exactly as for a story that does not exist, so ids reveal nothing.
 */
@Injectable()
export class StoryAccess {
  constructor(
    private readonly dataSource: DataSource,
    private readonly contacts: ContactsDirectory,
  ) {}

  /** The active story if `userId` may see it (author included). */
  async requireVisible(
    storyId: string,
    userId: string,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<StoryEntity> {
    const story = await manager.findOneBy(StoryEntity, { id: storyId });
    if (!story || !isActive(story, new Date())) throw StoriesErrors.storyNotFound(storyId);
    if (story.authorId === userId) return story;
    if (!(await this.mayView(story, userId, manager))) throw StoriesErrors.storyNotFound(storyId);
    return story;
  }

  /** The active story if `userId` wrote it; someone who may see it is told they are not the author. */
  async requireOwnActive(storyId: string, userId: string): Promise<StoryEntity> {
    const story = await this.requireVisible(storyId, userId);
    if (story.authorId !== userId) throw StoriesErrors.notTheAuthor(storyId);
    return story;
  }

  /**
   * Everyone who may see a story the author posts now, the author excluded, sorted: the rule of
   * `requireVisible` seen from the author's side. Contacts are mutual (sharing a conversation), so
   * the author's contacts are exactly the viewers whose contacts include the author; for
   * `close-friends`, only those of them on the author's list.
   */
  async audienceOf(
    authorId: string,
    visibility: Stories.StoryVisibility,
    authorContacts: Iterable<string>,
    manager: EntityManager = this.dataSource.manager,
  ): Promise<string[]> {
    const contacts = [...new Set(authorContacts)].filter((id) => id !== authorId);
    if (visibility === 'contacts') return contacts.sort();
    const listed = await manager.find(CloseFriendEntity, {
      select: { friendId: true },
      where: { ownerId: authorId },
    });
    const closeFriends = new Set(listed.map((entry) => entry.friendId));
    return contacts.filter((id) => closeFriends.has(id)).sort();
  }

  private async mayView(
    story: StoryEntity,
    viewerId: string,
    manager: EntityManager,
  ): Promise<boolean> {
    const contacts = await this.contacts.of(viewerId);
    if (!contacts.userIds.has(story.authorId)) return false;
    if (story.visibility === 'contacts') return true;
    return manager.existsBy(CloseFriendEntity, { ownerId: story.authorId, friendId: viewerId });
  }
}
