import {
  buildDataSourceOptions,
  isUniqueViolation,
  runMigrations,
} from '@switchboard/platform-persistence';
import { createTestDatabase, type TestDatabase } from '@switchboard/platform-testing';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { ChatDomain } from '../chat.module';
import { ConversationMemberEntity } from '../entities/conversation-member.entity';
import { ConversationEntity } from '../entities/conversation.entity';
import { MessageEntity } from '../entities/message.entity';
import { CreateChatTables1764150000000 } from './1764150000000-create-chat-tables';
import { AddClientMessageId1764160000000 } from './1764160000000-add-client-message-id';
import { AddKindsRolesReceipts1764170000100 } from './1764170000100-add-kinds-roles-receipts';

const CONVERSATION = '01900000-0000-7000-8000-000000000001';
const EMPTY_CONVERSATION = '01900000-0000-7000-8000-000000000002';
const MESSAGE_1 = '01900000-0000-7000-8000-000000000011';
const MESSAGE_2 = '01900000-0000-7000-8000-000000000012';

describe.each(['sqlite', 'postgres'] as const)('chat migrations on %s', (kind) => {
  let url: string;
  let database: TestDatabase | undefined;
  let folder: string | undefined;

  beforeAll(async () => {
    if (kind === 'postgres') {
      database = await createTestDatabase('chat_migrations');
      url = database.url;
    } else {
      folder = mkdtempSync(join(tmpdir(), 'chat-migrations-'));
      url = `sqlite:${join(folder, 'chat.sqlite')}`;
    }
  });

  afterAll(async () => {
    await database?.drop();
    if (folder) rmSync(folder, { recursive: true, force: true });
  });

  const open = async (migrations: DataSource['options']['migrations']) => {
    const dataSource = new DataSource(
      buildDataSourceOptions({
        url,
        entities: ChatDomain.entities,
        migrations: migrations as never,
      }),
    );
    await dataSource.initialize();
    await runMigrations(dataSource);
    return dataSource;
  };

  it('upgrades existing data: groups whose creator is admin, activity, receipts, wider keys', async () => {
    const before = await open([CreateChatTables1764150000000, AddClientMessageId1764160000000]);
    const at = (time: string) =>
      kind === 'postgres' ? `'2026-01-01T${time}Z'` : `'2026-01-01 ${time}'`;
    await before.query(
      `INSERT INTO conversations (id, title, created_by, created_at) VALUES
         ('${CONVERSATION}', 'Old team', 'alice', ${at('10:00:00.000')}),
         ('${EMPTY_CONVERSATION}', 'Quiet', 'bob', ${at('11:00:00.000')})`,
    );
    await before.query(
      `INSERT INTO conversation_members (conversation_id, user_id, joined_at) VALUES
         ('${CONVERSATION}', 'alice', ${at('10:00:00.000')}),
         ('${CONVERSATION}', 'bob', ${at('10:00:00.000')}),
         ('${EMPTY_CONVERSATION}', 'bob', ${at('11:00:00.000')})`,
    );
    await before.query(
      `INSERT INTO messages (id, conversation_id, sender_kind, sender_id, text, client_message_id, created_at) VALUES
         ('${MESSAGE_1}', '${CONVERSATION}', 'user', 'bob', 'first', 'k-1', ${at('10:01:00.000')}),
         ('${MESSAGE_2}', '${CONVERSATION}', 'user', 'alice', 'second', NULL, ${at('10:02:00.000')})`,
    );
    await before.destroy();

    const after = await open(ChatDomain.migrations);
    try {
      const conversations = await after.manager.find(ConversationEntity, { order: { id: 'ASC' } });
      expect(conversations.map((c) => [c.kind, c.title, c.directKey, c.activityKey])).toEqual([
        ['group', 'Old team', null, MESSAGE_2],
        ['group', 'Quiet', null, EMPTY_CONVERSATION],
      ]);
      const members = await after.manager.find(ConversationMemberEntity, {
        order: { conversationId: 'ASC', userId: 'ASC' },
      });
      expect(members.map((m) => [m.userId, m.role, m.lastReadMessageId])).toEqual([
        ['alice', 'admin', null],
        ['bob', 'member', null],
        ['bob', 'admin', null],
      ]);
      const messages = await after.manager.find(MessageEntity, { order: { id: 'ASC' } });
      expect(
        messages.map((m) => [
          m.text,
          m.clientMessageId,
          m.editedAt,
          m.deletedAt,
          m.refKind,
          m.refId,
        ]),
      ).toEqual([
        ['first', 'k-1', null, null, null, null],
        ['second', null, null, null, null, null],
      ]);
      expect(messages[0]?.createdAt.toISOString()).toBe('2026-01-01T10:01:00.000Z');

      // What the new code writes fits: a direct conversation without a title, 100-character keys.
      await after.manager.insert(ConversationEntity, {
        id: '01900000-0000-7000-8000-000000000003',
        kind: 'direct',
        title: null,
        createdBy: 'alice',
        createdAt: new Date(),
        directKey: 'alice/bob',
        activityKey: '01900000-0000-7000-8000-000000000003',
      });
      await after.manager.update(
        MessageEntity,
        { id: MESSAGE_2 },
        { clientMessageId: 'k'.repeat(100) },
      );
      // Unique keys still hold after SQLite rebuilt the tables: a sender's key, a pair's chat.
      const duplicateKey = after.manager.insert(MessageEntity, {
        ...(messages[0] as MessageEntity),
        id: '01900000-0000-7000-8000-000000000013',
      });
      expect(isUniqueViolation(await duplicateKey.catch((error: unknown) => error))).toBe(true);
      const duplicatePair = after.manager.insert(ConversationEntity, {
        id: '01900000-0000-7000-8000-000000000004',
        kind: 'direct',
        title: null,
        createdBy: 'bob',
        createdAt: new Date(),
        directKey: 'alice/bob',
        activityKey: '01900000-0000-7000-8000-000000000004',
      });
      expect(isUniqueViolation(await duplicatePair.catch((error: unknown) => error))).toBe(true);
      // Cascades still hold after SQLite rebuilt the tables.
      await after.manager.delete(ConversationEntity, { id: CONVERSATION });
      expect(await after.manager.countBy(MessageEntity, { conversationId: CONVERSATION })).toBe(0);

      // And the migrations can be undone, newest first.
      await after.query('DELETE FROM messages');
      await after.undoLastMigration();
      await after.undoLastMigration();
      const columns = (await after.createQueryRunner().getTable('conversation_members'))?.columns;
      expect(columns?.map((c) => c.name).sort()).toEqual([
        'conversation_id',
        'joined_at',
        'user_id',
      ]);
    } finally {
      await after.destroy();
    }
  });

  it('adds message references: existing messages keep theirs null, a story or call ref round-trips, undone cleanly', async () => {
    const before = await open([
      CreateChatTables1764150000000,
      AddClientMessageId1764160000000,
      AddKindsRolesReceipts1764170000100,
    ]);
    const at = kind === 'postgres' ? `'2026-01-02T10:00:00Z'` : `'2026-01-02 10:00:00.000'`;
    const conversation = '01900000-0000-7000-8000-000000000101';
    await before.query(
      `INSERT INTO conversations (id, kind, title, created_by, created_at, activity_key) VALUES
         ('${conversation}', 'group', 'Refs', 'alice', ${at}, '${conversation}')`,
    );
    await before.query(
      `INSERT INTO messages (id, conversation_id, sender_kind, sender_id, text, client_message_id, created_at) VALUES
         ('01900000-0000-7000-8000-000000000111', '${conversation}', 'user', 'alice', 'old', 'k-old', ${at})`,
    );
    await before.destroy();

    const after = await open(ChatDomain.migrations);
    try {
      const [old] = await after.manager.findBy(MessageEntity, { conversationId: conversation });
      expect([old?.text, old?.clientMessageId, old?.refKind, old?.refId]).toEqual([
        'old',
        'k-old',
        null,
        null,
      ]);
      const callId = '01900000-0000-7000-8000-000000000199';
      await after.manager.insert(MessageEntity, {
        ...(old as MessageEntity),
        id: '01900000-0000-7000-8000-000000000112',
        senderKind: 'system',
        senderId: 'calls',
        text: 'Missed call',
        clientMessageId: `call:${callId}`,
        refKind: 'call',
        refId: callId,
      });
      const stored = await after.manager.findOneByOrFail(MessageEntity, {
        id: '01900000-0000-7000-8000-000000000112',
      });
      expect([stored.refKind, stored.refId]).toEqual(['call', callId]);
      // The sender's key is still unique after SQLite rebuilt the table for the new columns.
      const duplicateKey = after.manager.insert(MessageEntity, {
        ...stored,
        id: '01900000-0000-7000-8000-000000000113',
      });
      expect(isUniqueViolation(await duplicateKey.catch((error: unknown) => error))).toBe(true);

      await after.undoLastMigration();
      const columns = (await after.createQueryRunner().getTable('messages'))?.columns;
      expect(columns?.map((c) => c.name)).not.toContain('ref_kind');
      expect(columns?.map((c) => c.name)).not.toContain('ref_id');
      const texts = (await after.query(
        `SELECT text FROM messages WHERE conversation_id = '${conversation}' ORDER BY id`,
      )) as { text: string }[];
      expect(texts.map((row) => row.text)).toEqual(['old', 'Missed call']);
    } finally {
      await after.destroy();
    }
  });
});
