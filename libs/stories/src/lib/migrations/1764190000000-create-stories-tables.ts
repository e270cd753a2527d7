import { timestampColumnType } from '@switchboard/platform-persistence';
import { type MigrationInterface, type QueryRunner, Table } from 'typeorm';

/**
 * Stories, their views and replies, and close-friends lists. Story rows are never deleted (an
 * ended story keeps its row), so views and replies need no foreign key to stay meaningful.
 */
export class CreateStoriesTables1764190000000 implements MigrationInterface {
  name = 'CreateStoriesTables1764190000000';

  async up(queryRunner: QueryRunner): Promise<void> {
    const timestamp = timestampColumnType(queryRunner);
    await queryRunner.createTable(
      new Table({
        name: 'stories',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'author_id', type: 'varchar', length: '64' },
          { name: 'text', type: 'text', isNullable: true },
          { name: 'media_url', type: 'varchar', length: '2048', isNullable: true },
          { name: 'media_mime', type: 'varchar', length: '32', isNullable: true },
          { name: 'media_width', type: 'integer', isNullable: true },
          { name: 'media_height', type: 'integer', isNullable: true },
          { name: 'visibility', type: 'varchar', length: '16' },
          { name: 'created_at', type: timestamp },
          { name: 'expires_at', type: timestamp },
          { name: 'ended_at', type: timestamp, isNullable: true },
          { name: 'end_reason', type: 'varchar', length: '16', isNullable: true },
        ],
        indices: [
          // The feed: active stories of these authors.
          { name: 'stories_author_id_expires_at', columnNames: ['author_id', 'expires_at'] },
          // The expiry job: not yet ended, due first.
          { name: 'stories_ended_at_expires_at', columnNames: ['ended_at', 'expires_at'] },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'story_views',
        columns: [
          { name: 'story_id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'viewer_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'viewed_at', type: timestamp },
        ],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'story_replies',
        columns: [
          { name: 'id', type: 'varchar', length: '36', isPrimary: true },
          { name: 'story_id', type: 'varchar', length: '36' },
          { name: 'replier_id', type: 'varchar', length: '64' },
          { name: 'text', type: 'text' },
          { name: 'created_at', type: timestamp },
        ],
        indices: [{ name: 'story_replies_story_id', columnNames: ['story_id'] }],
      }),
    );
    await queryRunner.createTable(
      new Table({
        name: 'close_friends',
        columns: [
          { name: 'owner_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'friend_id', type: 'varchar', length: '64', isPrimary: true },
          { name: 'added_at', type: timestamp },
        ],
        indices: [{ name: 'close_friends_friend_id', columnNames: ['friend_id'] }],
      }),
    );
  }

  async down(queryRunner: QueryRunner): Promise<void> {
    await queryRunner.dropTable('close_friends');
    await queryRunner.dropTable('story_replies');
    await queryRunner.dropTable('story_views');
    await queryRunner.dropTable('stories');
  }
}
