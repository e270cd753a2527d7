import { timestampColumnType } from '@switchboard/platform-persistence';
import {
  type MigrationInterface,
  type QueryRunner,
  Table,
  TableColumn,
  TableIndex,
  TableUnique,
} from 'typeorm';

/**
 * Default installs, reminders and polls; and `bot_replies` keyed by (bot, reply key) instead of
 * (trigger message, bot), because a reminder is a second reply of remind-bot to the same `/remind`.
 */
export class CreateBotState1764180000000 implements MigrationInterface {
  name = 'CreateBotState1764180000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumnType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'bot_conversations',
        columns: [
          { name: 'conversation_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'initialized_at', type: timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'reminders',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'conversation_id', type: 'varchar', length: '36' },
          { name: 'requested_by', type: 'varchar', length: '64' },
          { name: 'trigger_message_id', type: 'varchar', length: '36' },
          { name: 'text', type: 'text' },
          { name: 'due_at', type: timestamp },
          { name: 'status', type: 'varchar', length: '16' },
          { name: 'lease_until', type: timestamp, isNullable: true },
          { name: 'attempts', type: 'integer' },
          { name: 'created_at', type: timestamp },
          { name: 'finished_at', type: timestamp, isNullable: true },
        ],
        indices: [{ name: 'reminders_status_due_at', columnNames: ['status', 'due_at'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'polls',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'conversation_id', type: 'varchar', length: '36' },
          { name: 'open_in', type: 'varchar', length: '36', isNullable: true, isUnique: true },
          { name: 'question', type: 'text' },
          { name: 'options', type: 'text' },
          { name: 'created_by', type: 'varchar', length: '64' },
          { name: 'created_at', type: timestamp },
          { name: 'closed_at', type: timestamp, isNullable: true },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'poll_votes',
        columns: [
          { name: 'poll_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'voter_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'option_index', type: 'integer' },
          { name: 'voted_at', type: timestamp },
        ],
        foreignKeys: [
          { columnNames: ['poll_id'], referencedTableName: 'polls', referencedColumnNames: ['id'] },
        ],
      }),
    );

    await queryRunner.addColumn(
      'bot_replies',
      new TableColumn({ name: 'reply_key', type: 'varchar', length: '100', isNullable: true }),
    );
    // Every reply posted so far was keyed by the message it answered.
    await queryRunner.query('UPDATE bot_replies SET reply_key = trigger_message_id');
    await queryRunner.dropUniqueConstraint('bot_replies', 'bot_replies_trigger_bot');
    await queryRunner.createUniqueConstraint(
      'bot_replies',
      new TableUnique({ name: 'bot_replies_bot_key', columnNames: ['bot', 'reply_key'] }),
    );
    // The rate limit counts a conversation's replies of the last minute on every post.
    await queryRunner.createIndex(
      'bot_replies',
      new TableIndex({
        name: 'bot_replies_conversation_created',
        columnNames: ['conversation_id', 'created_at'],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropIndex('bot_replies', 'bot_replies_conversation_created');
    await queryRunner.dropUniqueConstraint('bot_replies', 'bot_replies_bot_key');
    await queryRunner.createUniqueConstraint(
      'bot_replies',
      new TableUnique({
        name: 'bot_replies_trigger_bot',
        columnNames: ['trigger_message_id', 'bot'],
      }),
    );
    await queryRunner.dropColumn('bot_replies', 'reply_key');
    await queryRunner.dropTable('poll_votes');
    await queryRunner.dropTable('polls');
    await queryRunner.dropTable('reminders');
    await queryRunner.dropTable('bot_conversations');
  }
}
