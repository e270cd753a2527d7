import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** A reply to a story; chat turns it into a direct message (via `StoryReplied`). */
@Entity({ name: 'story_replies' })
@Index('story_replies_story_id', ['storyId'])
export class StoryReplyEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'story_id', type: 'varchar', length: 36 })
  storyId!: string;

  @Column({ name: 'replier_id', type: 'varchar', length: 64 })
  replierId!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
