import { type Calls } from '@switchboard/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

/** One call: its state machine row. Transitions are conditional UPDATEs on `state`. */
@Entity({ name: 'calls' })
// The ring time-out job looks for ringing calls by due time.
@Index('calls_state_rings_until', ['state', 'ringsUntil'])
export class CallEntity {
  /** UUIDv7: id order is creation order (the history's sort key). */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  @Column({ name: 'caller_id', type: 'varchar', length: 64 })
  callerId!: string;

  /** The conversation's other members when the call started, in chat's member order. */
  @Column({ name: 'invitee_ids', type: 'simple-json' })
  inviteeIds!: string[];

  @Column({ type: 'varchar', length: 16 })
  state!: Calls.CallState;

  @Column({ name: 'accepted_by', type: 'varchar', length: 64, nullable: true })
  acceptedBy!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'rings_until', type: 'timestamptz' })
  ringsUntil!: Date;

  @Column({ name: 'answered_at', type: 'timestamptz', nullable: true })
  answeredAt!: Date | null;

  @Column({ name: 'ended_at', type: 'timestamptz', nullable: true })
  endedAt!: Date | null;

  @Column({ name: 'duration_seconds', type: 'integer', nullable: true })
  durationSeconds!: number | null;

  /** Why an active call `failed`, as the client reported it (operators read it; not in the view). */
  @Column({ name: 'failure_reason', type: 'varchar', length: 200, nullable: true })
  failureReason!: string | null;
}
