import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Someone other than the author saw a story; the first time is kept. */
@Entity({ name: 'story_views' })
export class StoryViewEntity {
  @PrimaryColumn({ name: 'story_id', type: 'varchar', length: 36 })
  storyId!: string;

  @PrimaryColumn({ name: 'viewer_id', type: 'varchar', length: 64 })
  viewerId!: string;

  @Column({ name: 'viewed_at', type: 'timestamptz' })
  viewedAt!: Date;
}
