import { timestampColumnType } from '@switchboard/platform-persistence';
import { type MigrationInterface, type QueryRunner, TableColumn, TableIndex } from 'typeorm';

/**
 * Direct conversations, member roles, read receipts, edits and soft deletes.
 *
 * Existing conversations become groups whose creator is their admin. Written with TypeORM's table
 * API so it runs on both databases: on SQLite, which cannot alter a column, the query runner
 * rebuilds the table (with foreign keys off during migrations).
 */
export class AddKindsRolesReceipts1764170000100 implements MigrationInterface {
  name = 'AddKindsRolesReceipts1764170000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumnType(queryRunner);
    const postgres = queryRunner.connection.options.type === 'postgres';

    await queryRunner.addColumns('conversations', [
      new TableColumn({ name: 'kind', type: 'varchar', length: '16', default: "'group'" }),
      new TableColumn({ name: 'direct_key', type: 'varchar', length: '140', isNullable: true }),
      new TableColumn({ name: 'activity_key', type: 'varchar', length: '36', isNullable: true }),
    ]);
    // Activity so far: the newest message, or the conversation's creation (its own UUIDv7).
    await queryRunner.query(
      `UPDATE conversations SET activity_key = COALESCE(
         (SELECT MAX(m.id) FROM messages m WHERE m.conversation_id = conversations.id), id)`,
    );
    await setNullable(
      queryRunner,
      'conversations',
      new TableColumn({ name: 'activity_key', type: 'varchar', length: '36' }),
    );
    // Direct conversations have no title.
    await setNullable(
      queryRunner,
      'conversations',
      new TableColumn({ name: 'title', type: 'varchar', length: '100', isNullable: true }),
    );
    await queryRunner.createIndex(
      'conversations',
      new TableIndex({
        name: 'conversations_direct_key',
        columnNames: ['direct_key'],
        isUnique: true,
      }),
    );
    await queryRunner.createIndex(
      'conversations',
      new TableIndex({ name: 'conversations_activity_key', columnNames: ['activity_key'] }),
    );

    await queryRunner.addColumns('conversation_members', [
      new TableColumn({ name: 'role', type: 'varchar', length: '16', default: "'member'" }),
      new TableColumn({
        name: 'last_read_message_id',
        type: 'varchar',
        length: '36',
        isNullable: true,
      }),
      new TableColumn({ name: 'last_read_at', type: timestamp, isNullable: true }),
    ]);
    await queryRunner.query(
      `UPDATE conversation_members SET role = 'admin' WHERE user_id =
         (SELECT c.created_by FROM conversations c WHERE c.id = conversation_members.conversation_id)`,
    );

    await queryRunner.addColumns('messages', [
      new TableColumn({ name: 'edited_at', type: timestamp, isNullable: true }),
      new TableColumn({ name: 'deleted_at', type: timestamp, isNullable: true }),
    ]);
    // ClientMessageId allows 100 characters now. TypeORM's changeColumn would drop and re-add the
    // Postgres column (losing its data), hence plain SQL; SQLite does not enforce varchar lengths.
    if (postgres) {
      await queryRunner.query(
        'ALTER TABLE messages ALTER COLUMN client_message_id TYPE varchar(100)',
      );
    }
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    if (queryRunner.connection.options.type === 'postgres') {
      await queryRunner.query(
        'ALTER TABLE messages ALTER COLUMN client_message_id TYPE varchar(64)',
      );
    }
    await queryRunner.dropColumn('messages', 'deleted_at');
    await queryRunner.dropColumn('messages', 'edited_at');
    await queryRunner.dropColumn('conversation_members', 'last_read_at');
    await queryRunner.dropColumn('conversation_members', 'last_read_message_id');
    await queryRunner.dropColumn('conversation_members', 'role');
    await queryRunner.dropIndex('conversations', 'conversations_activity_key');
    await queryRunner.dropIndex('conversations', 'conversations_direct_key');
    // Direct conversations cannot be represented without a kind: drop them before restoring NOT NULL.
    await queryRunner.query("DELETE FROM conversations WHERE kind = 'direct'");
    await setNullable(
      queryRunner,
      'conversations',
      new TableColumn({ name: 'title', type: 'varchar', length: '100' }),
    );
    await queryRunner.dropColumn('conversations', 'activity_key');
    await queryRunner.dropColumn('conversations', 'direct_key');
    await queryRunner.dropColumn('conversations', 'kind');
  }
}

/**
 * Changes only whether a column accepts NULL, keeping its data. Postgres gets plain SQL: TypeORM's
 * changeColumn sees `character varying` ≠ `varchar` and would drop and re-add the column. SQLite
 * cannot alter a column, so TypeORM rebuilds the table, copying the rows.
 */
async function setNullable(queryRunner: QueryRunner, table: string, column: TableColumn) {
  if (queryRunner.connection.options.type === 'postgres') {
    await queryRunner.query(
      `ALTER TABLE ${table} ALTER COLUMN ${column.name} ${column.isNullable ? 'DROP' : 'SET'} NOT NULL`,
    );
  } else {
    await queryRunner.changeColumn(table, column.name, column);
  }
}
