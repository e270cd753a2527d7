import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/** Retry-safe sends: a sender's `clientMessageId` is unique within a conversation. */
export class AddClientMessageId1764160000000 implements MigrationInterface {
  name = 'AddClientMessageId1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumn(
      'messages',
      new TableColumn({
        name: 'client_message_id',
        type: 'varchar',
        length: '64',
        isNullable: true,
      }),
    );
    // NULLs never collide, so messages sent without a key are unaffected.
    await queryRunner.createIndex(
      'messages',
      new TableIndex({
        name: 'messages_client_message_id',
        columnNames: ['conversation_id', 'sender_kind', 'sender_id', 'client_message_id'],
        isUnique: true,
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('messages', 'messages_client_message_id');
    await queryRunner.dropColumn('messages', 'client_message_id');
  }
}
