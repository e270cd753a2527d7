import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

export type ParticipantRole = 'caller' | 'invitee';
/** An invitee's answer; the caller's row stays `pending`. */
export type ParticipantResponse = 'pending' | 'accepted' | 'declined';

/** Everyone a call concerns, one row each: the history index and the invitees' answers. */
@Entity({ name: 'call_participants' })
// "My calls, newest first" walks this index (call ids are UUIDv7).
@Index('call_participants_user_id_call_id', ['userId', 'callId'])
export class CallParticipantEntity {
  @PrimaryColumn({ name: 'call_id', type: 'varchar', length: 36 })
  callId!: string;

  @PrimaryColumn({ name: 'user_id', type: 'varchar', length: 64 })
  userId!: string;

  @Column({ type: 'varchar', length: 16 })
  role!: ParticipantRole;

  @Column({ type: 'varchar', length: 16 })
  response!: ParticipantResponse;
}
