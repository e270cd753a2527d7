import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * One row per (consumer, event) handled, written in the handler's transaction: a duplicate or
 * redelivered event finds its row and has no second effect.
 */
@Entity({ name: 'inbox' })
export class InboxMessageEntity {
  @PrimaryColumn({ type: 'varchar', length: 128 })
  consumer!: string;

  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 128 })
  eventId!: string;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  @Column({ name: 'processed_at', type: 'timestamptz' })
  processedAt!: Date;
}
