import { Column, Entity, PrimaryColumn } from 'typeorm';

/** A `/poll` and its options; votes are in `poll_votes`. */
@Entity({ name: 'polls' })
export class PollEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  /**
   * The conversation id while the poll is open, null once closed. Unique, so the database itself
   * keeps one open poll per conversation (NULLs never collide, on Postgres and SQLite alike).
   */
  @Column({ name: 'open_in', type: 'varchar', length: 36, nullable: true, unique: true })
  openIn!: string | null;

  @Column({ type: 'text' })
  question!: string;

  @Column({ type: 'simple-json' })
  options!: string[];

  @Column({ name: 'created_by', type: 'varchar', length: 64 })
  createdBy!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'closed_at', type: 'timestamptz', nullable: true })
  closedAt!: Date | null;
}
