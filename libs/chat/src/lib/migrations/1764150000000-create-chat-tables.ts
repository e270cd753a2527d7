import { timestampColumnType } from '@switchboard/platform-persistence';
import { type MigrationInterface, type QueryRunner, Table, TableIndex } from 'typeorm';

export class CreateChatTables1764150000000 implements MigrationInterface {
  name = 'CreateChatTables1764150000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumnType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'conversations',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'title', type: 'varchar', length: '100' },
          { name: 'created_by', type: 'varchar', length: '64' },
          { name: 'created_at', type: timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'conversation_members',
        columns: [
          { name: 'conversation_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'joined_at', type: timestamp },
        ],
        foreignKeys: [
          {
            columnNames: ['conversation_id'],
            referencedTableName: 'conversations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        // "Conversations of a user" is looked up by user.
        indices: [{ name: 'conversation_members_user_id', columnNames: ['user_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'messages',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'conversation_id', type: 'varchar', length: '36' },
          { name: 'sender_kind', type: 'varchar', length: '16' },
          { name: 'sender_id', type: 'varchar', length: '64' },
          { name: 'text', type: 'text' },
          { name: 'created_at', type: timestamp },
        ],
        foreignKeys: [
          {
            columnNames: ['conversation_id'],
            referencedTableName: 'conversations',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
      }),
    );
    await queryRunner.createIndex(
      'messages',
      new TableIndex({
        name: 'messages_conversation_id_id',
        columnNames: ['conversation_id', 'id'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('messages');
    await queryRunner.dropTable('conversation_members');
    await queryRunner.dropTable('conversations');
  }
}
