import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';
import { timestampColumnType, timestampDefaultNow } from '../index';

/** One migration for both databases, written with the `Table` API. */
export class CreateWidgets1732600000000 implements MigrationInterface {
  name = 'CreateWidgets1732600000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'widget',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'name', type: 'varchar', length: '100' },
          { name: 'occurred_at', type: timestampColumnType(queryRunner) },
          {
            name: 'created_at',
            type: timestampColumnType(queryRunner),
            default: timestampDefaultNow(queryRunner),
          },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('widget');
  }
}
