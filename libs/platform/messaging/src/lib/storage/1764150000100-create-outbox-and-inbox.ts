import { timestampColumnType } from '@switchboard/platform-persistence';
import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/** The messaging tables every service's database carries. */
export class CreateOutboxAndInbox1764150000100 implements MigrationInterface {
  name = 'CreateOutboxAndInbox1764150000100';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumnType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'outbox',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'payload', type: 'text' },
          { name: 'headers', type: 'text' },
          { name: 'created_at', type: timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'inbox',
        columns: [
          { name: 'consumer', type: 'varchar', length: '128', isPrimary: true },
          { name: 'event_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'subject', type: 'varchar', length: '255' },
          { name: 'processed_at', type: timestamp },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('inbox');
    await queryRunner.dropTable('outbox');
  }
}
