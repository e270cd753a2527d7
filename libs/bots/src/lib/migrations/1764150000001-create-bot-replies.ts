import { timestampColumnType } from '@switchboard/platform-persistence';
import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

export class CreateBotReplies1764150000001 implements MigrationInterface {
  name = 'CreateBotReplies1764150000001';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'bot_replies',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'trigger_message_id', type: 'varchar', length: '36' },
          { name: 'bot', type: 'varchar', length: '64' },
          { name: 'conversation_id', type: 'varchar', length: '36' },
          { name: 'reply_message_id', type: 'varchar', length: '36' },
          { name: 'created_at', type: timestampColumnType(queryRunner) },
        ],
        uniques: [{ name: 'bot_replies_trigger_bot', columnNames: ['trigger_message_id', 'bot'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('bot_replies');
  }
}
