import {
  Column,
  Entity,
  type MigrationInterface,
  PrimaryColumn,
  type QueryRunner,
  Table,
} from 'typeorm';

/**
 * The consumer's effect: one row per event, written with `context.manager` in the transaction that
 * also inserts the inbox row — the smallest effect a real handler has.
 */
@Entity({ name: 'bench_effects' })
export class BenchEffectEntity {
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 128 })
  eventId!: string;

  @Column({ type: 'integer' })
  seq!: number;
}

export class CreateBenchEffects1764160000000 implements MigrationInterface {
  name = 'CreateBenchEffects1764160000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'bench_effects',
        columns: [
          { name: 'event_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'seq', type: 'integer' },
        ],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('bench_effects');
  }
}
