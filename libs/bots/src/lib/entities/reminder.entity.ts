import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/**
 * `pending` → claimed as `delivering` (with a lease) → `delivered`; or `dropped` (rate limit),
 * `cancelled` (remind-bot was uninstalled meanwhile), `failed` (gave up after retries).
 */
export type ReminderStatus =
  'pending' | 'delivering' | 'delivered' | 'dropped' | 'cancelled' | 'failed';

/** A `/remind` waiting for its time; durable so a restart does not lose it. */
@Entity({ name: 'reminders' })
@Index('reminders_status_due_at', ['status', 'dueAt'])
export class ReminderEntity {
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  /** Who asked; named in the reminder. */
  @Column({ name: 'requested_by', type: 'varchar', length: 64 })
  requestedBy!: string;

  /** The `/remind` message. */
  @Column({ name: 'trigger_message_id', type: 'varchar', length: 36 })
  triggerMessageId!: string;

  @Column({ type: 'text' })
  text!: string;

  @Column({ name: 'due_at', type: 'timestamptz' })
  dueAt!: Date;

  @Column({ type: 'varchar', length: 16 })
  status!: ReminderStatus;

  /** While `delivering`: past this instant another sweep may take the reminder over. */
  @Column({ name: 'lease_until', type: 'timestamptz', nullable: true })
  leaseUntil!: Date | null;

  /** Claims so far; also the compare-and-set token that lets exactly one sweep claim a row. */
  @Column({ type: 'integer' })
  attempts!: number;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'finished_at', type: 'timestamptz', nullable: true })
  finishedAt!: Date | null;
}
