import { type MigrationInterface, type QueryRunner, TableColumn } from 'typeorm';

/**
 * What a message is about outside chat: the story a reply answers, the call a "Missed call" notes.
 * Two nullable columns, so existing rows need nothing; on SQLite TypeORM adds them by rebuilding the
 * table, which keeps the rows and the indexes.
 */
export class AddMessageRef1764200000000 implements MigrationInterface {
  name = 'AddMessageRef1764200000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.addColumns('messages', [
      new TableColumn({ name: 'ref_kind', type: 'varchar', length: '16', isNullable: true }),
      new TableColumn({ name: 'ref_id', type: 'varchar', length: '36', isNullable: true }),
    ]);
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropColumn('messages', 'ref_id');
    await queryRunner.dropColumn('messages', 'ref_kind');
  }
}
