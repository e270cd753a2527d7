import { timestampColumnType } from '@switchboard/platform-persistence';
import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

export class CreateBotRegistry1764170000000 implements MigrationInterface {
  name = 'CreateBotRegistry1764170000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumnType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'webhook_bots',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '32', isUnique: true },
          { name: 'owner_id', type: 'varchar', length: '64' },
          { name: 'description', type: 'varchar', length: '200' },
          { name: 'commands', type: 'text' },
          { name: 'webhook_url', type: 'varchar', length: '2048' },
          { name: 'signing_secret', type: 'varchar', length: '128' },
          { name: 'created_at', type: timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'bot_installations',
        columns: [
          { name: 'conversation_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'bot_name', type: 'varchar', length: '32', isPrimary: true },
          { name: 'installed_by', type: 'varchar', length: '64' },
          { name: 'installed_at', type: timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('bot_installations');
    await queryRunner.dropTable('webhook_bots');
  }
}
