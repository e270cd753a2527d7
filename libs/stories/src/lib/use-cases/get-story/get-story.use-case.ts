import { Injectable } from '@nestjs/common';
import { type Stories } from '@switchboard/contracts';
import { StoryAccess } from '../../shared/story-access';
import { toStoryView } from '../../shared/views';

/** One active story, to its author or to someone allowed to see it. */
@Injectable()
export class GetStoryUseCase {
  constructor(private readonly access: StoryAccess) {}

  async execute(input: { storyId: string; userId: string }): Promise<Stories.StoryView> {
    return toStoryView(await this.access.requireVisible(input.storyId, input.userId));
  }
}
