import { Column, Entity, PrimaryColumn } from 'typeorm';

/**
 * An event waiting to be published: written in the same transaction as the state change it
 * announces, published by the relay with `Nats-Msg-Id` = `id`, deleted after JetStream's PubAck.
 */
@Entity({ name: 'outbox' })
export class OutboxMessageEntity {
  /** UUIDv7: the relay publishes in id order, which is commit order closely enough. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ type: 'varchar', length: 255 })
  subject!: string;

  /** The JSON body, exactly as it goes on the wire. */
  @Column({ type: 'text' })
  payload!: string;

  /** NATS headers to send (trace context, source), as a JSON object of strings. */
  @Column({ type: 'text' })
  headers!: string;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;
}
