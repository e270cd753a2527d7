import {
  Column,
  Entity,
  type MigrationInterface,
  PrimaryColumn,
  type QueryRunner,
  Table,
} from 'typeorm';

/**
 * What the transport's tests record as an event's effect: one row per event id, so a second effect
 * of the same event would break the primary key.
 */
@Entity({ name: 'effects' })
export class EffectEntity {
  @PrimaryColumn({ name: 'event_id', type: 'varchar', length: 128 })
  eventId!: string;

  @Column({ type: 'integer' })
  n!: number;
}

export class CreateEffects1764150009999 implements MigrationInterface {
  name = 'CreateEffects1764150009999';
  async up(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.createTable(
      new Table({
        name: 'effects',
        columns: [
          { name: 'event_id', type: 'varchar', length: '128', isPrimary: true },
          { name: 'n', type: 'integer' },
        ],
      }),
    );
  }
  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('effects');
  }
}
