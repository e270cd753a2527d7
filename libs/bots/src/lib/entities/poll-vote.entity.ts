import { Column, Entity, PrimaryColumn } from 'typeorm';

/** One member's current vote: the key makes it one per (poll, voter); voting again changes it. */
@Entity({ name: 'poll_votes' })
export class PollVoteEntity {
  @PrimaryColumn({ name: 'poll_id', type: 'varchar', length: 36 })
  pollId!: string;

  @PrimaryColumn({ name: 'voter_id', type: 'varchar', length: 64 })
  voterId!: string;

  /** 0-based index into the poll's options. */
  @Column({ name: 'option_index', type: 'integer' })
  optionIndex!: number;

  @Column({ name: 'voted_at', type: 'timestamptz' })
  votedAt!: Date;
}
