import { timestampColumnType } from '@switchboard/platform-persistence';
import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

export class CreateCallsTables1764195000000 implements MigrationInterface {
  name = 'CreateCallsTables1764195000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumnType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'calls',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'conversation_id', type: 'varchar', length: '36' },
          { name: 'caller_id', type: 'varchar', length: '64' },
          { name: 'invitee_ids', type: 'text' },
          { name: 'state', type: 'varchar', length: '16' },
          { name: 'accepted_by', type: 'varchar', length: '64', isNullable: true },
          { name: 'created_at', type: timestamp },
          { name: 'rings_until', type: timestamp },
          { name: 'answered_at', type: timestamp, isNullable: true },
          { name: 'ended_at', type: timestamp, isNullable: true },
          { name: 'duration_seconds', type: 'integer', isNullable: true },
          { name: 'failure_reason', type: 'varchar', length: '200', isNullable: true },
        ],
        // The ring time-out job: ringing calls by due time.
        indices: [{ name: 'calls_state_rings_until', columnNames: ['state', 'rings_until'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'call_participants',
        columns: [
          { name: 'call_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'user_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'role', type: 'varchar', length: '16' },
          { name: 'response', type: 'varchar', length: '16' },
        ],
        foreignKeys: [
          {
            columnNames: ['call_id'],
            referencedTableName: 'calls',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        // A user's history, newest first.
        indices: [
          { name: 'call_participants_user_id_call_id', columnNames: ['user_id', 'call_id'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'call_busy_users',
        columns: [
          { name: 'user_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'call_id', type: 'varchar', length: '36' },
        ],
        foreignKeys: [
          {
            columnNames: ['call_id'],
            referencedTableName: 'calls',
            referencedColumnNames: ['id'],
            onDelete: 'CASCADE',
          },
        ],
        indices: [{ name: 'call_busy_users_call_id', columnNames: ['call_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('call_busy_users');
    await queryRunner.dropTable('call_participants');
    await queryRunner.dropTable('calls');
  }
}
