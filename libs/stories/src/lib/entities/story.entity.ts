import { type Stories } from '@switchboard/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** Why a story ended before or at its expiry. */
export type StoryEndReason = 'expired' | 'deleted';

@Entity({ name: 'stories' })
@Index('stories_author_id_expires_at', ['authorId', 'expiresAt'])
@Index('stories_ended_at_expires_at', ['endedAt', 'expiresAt'])
export class StoryEntity {
  /** UUIDv7: sorts by posting time. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'author_id', type: 'varchar', length: 64 })
  authorId!: string;

  /** Set for a text story; null for a media story. */
  @Column({ type: 'text', nullable: true })
  text!: string | null;

  @Column({ name: 'media_url', type: 'varchar', length: 2048, nullable: true })
  mediaUrl!: string | null;

  @Column({ name: 'media_mime', type: 'varchar', length: 32, nullable: true })
  mediaMime!: Stories.StoryMedia['mime'] | null;

  @Column({ name: 'media_width', type: 'integer', nullable: true })
  mediaWidth!: number | null;

  @Column({ name: 'media_height', type: 'integer', nullable: true })
  mediaHeight!: number | null;

  @Column({ type: 'varchar', length: 16 })
  visibility!: Stories.StoryVisibility;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  /** Past this instant the story is gone from every answer, whether or not the job ran. */
  @Column({ name: 'expires_at', type: 'timestamptz' })
  expiresAt!: Date;

  /**
   * When the story was marked ended (by the expiry job, or deleted by its author); null while
   * pending. Set once, with a compare-and-set, in the transaction that writes `StoryExpired`.
   */
  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'end_reason', type: 'varchar', length: 16, nullable: true })
  endReason!: StoryEndReason | null;
}
