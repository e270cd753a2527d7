import { type Chat } from '@switchboard/contracts';
import { Column, Entity, Index, PrimaryColumn } from 'typeorm';

@Entity({ name: 'messages' })
@Index('messages_conversation_id_id', ['conversationId', 'id'])
export class MessageEntity {
  /** UUIDv7: sorts by creation time, so it is also the pagination cursor. */
  @PrimaryColumn({ type: 'varchar', length: 36 })
  id!: string;

  @Column({ name: 'conversation_id', type: 'varchar', length: 36 })
  conversationId!: string;

  @Column({ name: 'sender_kind', type: 'varchar', length: 16 })
  senderKind!: Chat.SenderKind;

  @Column({ name: 'sender_id', type: 'varchar', length: 64 })
  senderId!: string;

  /** Empty once the message is deleted. */
  @Column({ type: 'text' })
  text!: string;

  /** The sender's idempotency key, unique per conversation and sender. */
  @Column({ name: 'client_message_id', type: 'varchar', length: 100, nullable: true })
  clientMessageId!: string | null;

  /** What the message is about outside chat (a story, a call); both set or both null. */
  @Column({ name: 'ref_kind', type: 'varchar', length: 16, nullable: true })
  refKind!: Chat.MessageRef['kind'] | null;

  @Column({ name: 'ref_id', type: 'varchar', length: 36, nullable: true })
  refId!: string | null;

  @Column({ name: 'created_at', type: 'timestamptz' })
  createdAt!: Date;

  @Column({ name: 'edited_at', type: 'timestamptz', nullable: true })
  editedAt!: Date | null;

  /** Soft delete: the row keeps its place in the conversation, without its text. */
  @Column({ name: 'deleted_at', type: 'timestamptz', nullable: true })
  deletedAt!: Date | null;
}
