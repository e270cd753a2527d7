import { Injectable } from '@nestjs/common';
import { DataSource } from 'typeorm';
import { StoryViewEntity } from '../../entities/story-view.entity';
import { StoryAccess } from '../../shared/story-access';

export interface StoryViewers {
  /** Earliest view first. */
  items: { userId: string; viewedAt: string }[];
  total: number;
}

/** Who saw the author's active story, and when they first did. */
@Injectable()
export class ListViewsUseCase {
  constructor(
    private readonly dataSource: DataSource,
    private readonly access: StoryAccess,
  ) {}

  async execute(input: { storyId: string; userId: string }): Promise<StoryViewers> {
    const story = await this.access.requireOwnActive(input.storyId, input.userId);
    const views = await this.dataSource.manager.find(StoryViewEntity, {
      where: { storyId: story.id },
      order: { viewedAt: 'ASC', viewerId: 'ASC' },
    });
    return {
      items: views.map((view) => ({
        userId: view.viewerId,
        viewedAt: view.viewedAt.toISOString(),
      })),
      total: views.length,
    };
  }
}
