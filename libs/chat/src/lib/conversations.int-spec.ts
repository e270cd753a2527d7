import { Chat } from '@switchboard/contracts';
import { ChatHarness } from './testing/chat-test-harness';

describe('conversations (real Postgres + nats-server)', () => {
  const chat = new ChatHarness();
  const http = () => chat.http();

  beforeAll(() => chat.start());
  afterAll(() => chat.stop());

  describe('direct conversations', () => {
    it('creates one per pair: 201 first, then 200 with the same conversation from either side', async () => {
      const first = await http()
        .post('/conversations')
        .set(chat.as('dana'))
        .send({ kind: 'direct', userId: 'eve' })
        .expect(201);
      expect(first.body).toMatchObject({ kind: 'direct', title: null, ownerId: 'dana' });
      expect(first.body.members.map((m: Chat.MemberView) => [m.userId, m.role])).toEqual([
        ['dana', 'admin'],
        ['eve', 'admin'],
      ]);

      const again = await http()
        .post('/conversations')
        .set(chat.as('dana'))
        .send({ kind: 'direct', userId: 'eve' })
        .expect(200);
      expect(again.body).toEqual(first.body);
      const reverse = await http()
        .post('/conversations')
        .set(chat.as('eve'))
        .send({ kind: 'direct', userId: 'dana' })
        .expect(200);
      expect(reverse.body.id).toBe(first.body.id);
    });

    it('stays one conversation when both people create it at the same moment', async () => {
      const responses = await Promise.all(
        Array.from({ length: 6 }, async (_, i) =>
          http()
            .post('/conversations')
            .set(chat.as(i % 2 ? 'fay' : 'gus'))
            .send({ kind: 'direct', userId: i % 2 ? 'gus' : 'fay' }),
        ),
      );
      expect(new Set(responses.map((r) => r.body.id)).size).toBe(1);
      expect(responses.map((r) => r.status).sort()).toEqual([200, 200, 200, 200, 200, 201]);
      await chat.waitForEvents(
        Chat.ConversationCreated,
        (e) => e.conversation.id === responses[0]?.body.id,
      );
      await chat.settle();
      expect(
        chat.published(
          Chat.ConversationCreated,
          (e) => e.conversation.id === responses[0]?.body.id,
        ),
      ).toHaveLength(1);
    });

    it('refuses a direct conversation with yourself', async () => {
      const response = await http()
        .post('/conversations')
        .set(chat.as('dana'))
        .send({ kind: 'direct', userId: 'dana' })
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'CHAT.DIRECT_WITH_SELF',
        details: [{ path: 'userId' }],
      });
    });

    it('refuses a direct body without the other person, or with group fields', async () => {
      for (const body of [{ kind: 'direct' }, { kind: 'direct', userId: 'eve', title: 'x' }]) {
        const response = await http()
          .post('/conversations')
          .set(chat.as('dana'))
          .send(body)
          .expect(400);
        expect(response.body.code).toBe('VALIDATION_FAILED');
      }
      const unknownKind = await http()
        .post('/conversations')
        .set(chat.as('dana'))
        .send({ kind: 'channel', title: 'x' })
        .expect(400);
      expect(unknownKind.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'kind' }],
      });
    });
  });

  describe('groups', () => {
    it('announces a new group with its members', async () => {
      const created = await http()
        .post('/conversations')
        .set(chat.as('alice'))
        .send({ kind: 'group', title: '  Book club ', memberIds: ['bob', 'carol'] })
        .expect(201);
      expect(created.body.title).toBe('Book club');
      const [event] = await chat.waitForEvents(
        Chat.ConversationCreated,
        (e) => e.conversation.id === created.body.id,
      );
      expect(event).toEqual({ conversation: created.body });
    });

    it(`refuses more than ${Chat.GROUP_MEMBERS_MAX} members, the creator included`, async () => {
      const memberIds = Array.from({ length: Chat.GROUP_MEMBERS_MAX }, (_, i) => `user-${i}`);
      const response = await http()
        .post('/conversations')
        .set(chat.as('alice'))
        .send({ title: 'Crowd', memberIds })
        .expect(400);
      expect(response.body).toMatchObject({ code: 'CHAT.TOO_MANY_MEMBERS' });
      await http()
        .post('/conversations')
        .set(chat.as('alice'))
        .send({ title: 'Crowd', memberIds: [...memberIds.slice(1), 'alice'] })
        .expect(201);
    });

    it('refuses an empty or too long title', async () => {
      for (const title of ['   ', 'x'.repeat(Chat.GROUP_TITLE_MAX + 1)]) {
        const response = await http()
          .post('/conversations')
          .set(chat.as('alice'))
          .send({ title })
          .expect(400);
        expect(response.body).toMatchObject({
          code: 'VALIDATION_FAILED',
          details: [{ path: 'title' }],
        });
      }
    });
  });

  describe('GET /conversations/:id', () => {
    it('shows members the conversation, oldest member first', async () => {
      const group = await chat.group('alice', ['bob']);
      const response = await http()
        .get(`/conversations/${group.id}`)
        .set(chat.as('bob'))
        .expect(200);
      expect(response.body).toEqual(group);
    });

    it('is 403 for others, 404 for unknown ids, 400 for malformed ones, 401 without a token', async () => {
      const group = await chat.group('alice', ['bob']);
      const outsider = await http()
        .get(`/conversations/${group.id}`)
        .set(chat.as('mallory'))
        .expect(403);
      expect(outsider.body.code).toBe('CHAT.NOT_A_MEMBER');
      const unknown = await http()
        .get('/conversations/0190a0f0-0000-7000-8000-000000000000')
        .set(chat.as('alice'))
        .expect(404);
      expect(unknown.body.code).toBe('CHAT.CONVERSATION_NOT_FOUND');
      await http().get('/conversations/nope').set(chat.as('alice')).expect(400);
      const anonymous = await http().get(`/conversations/${group.id}`).expect(401);
      expect(anonymous.body.code).toBe('AUTH.UNAUTHENTICATED');
    });
  });

  describe('GET /conversations', () => {
    const list = async (user: string, query = '') =>
      (await http().get(`/conversations${query}`).set(chat.as(user)).expect(200)).body as {
        items: (Chat.ConversationView & {
          lastMessage: Chat.MessageView | null;
          unreadCount: number;
        })[];
        nextCursor: string | null;
      };

    it('lists my conversations by latest activity, with the last message and my unread count', async () => {
      const first = await chat.group('lisa', ['mo'], 'first');
      const second = await chat.group('lisa', ['mo'], 'second');
      const direct = (
        await http()
          .post('/conversations')
          .set(chat.as('mo'))
          .send({ kind: 'direct', userId: 'lisa' })
          .expect(201)
      ).body as Chat.ConversationView;

      // Newest first while nothing was said.
      expect((await list('lisa')).items.map((c) => c.id)).toEqual([direct.id, second.id, first.id]);

      await chat.post(first.id, 'mo', 'hello lisa');
      const last = await chat.post(first.id, 'mo', 'are you there?');
      await chat.post(second.id, 'lisa', 'my own message');
      const deleted = await chat.post(direct.id, 'mo', 'oops');
      await http()
        .delete(`/conversations/${direct.id}/messages/${deleted.id}`)
        .set(chat.as('mo'))
        .expect(204);

      const page = await list('lisa');
      expect(page.items.map((c) => [c.title, c.unreadCount])).toEqual([
        [null, 0], // the only message is deleted
        ['second', 0], // my own messages are never unread
        ['first', 2],
      ]);
      expect(page.items[2]?.lastMessage).toEqual(last);
      expect(page.items[0]?.lastMessage).toMatchObject({ id: deleted.id, text: '' });
      expect(page.items[2]?.members.map((m) => m.userId)).toEqual(['lisa', 'mo']);
      expect(page.nextCursor).toBeNull();

      // Mo's view: his own messages are not unread for him.
      const mine = await list('mo');
      expect(mine.items.find((c) => c.id === first.id)?.unreadCount).toBe(0);
      expect(mine.items.find((c) => c.id === second.id)?.unreadCount).toBe(1);
      // Outsiders see none of it.
      expect((await list('nobody-here')).items).toEqual([]);
    });

    it('pages with an opaque cursor; a conversation that gets a message moves to the top without repeats', async () => {
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) ids.unshift((await chat.group('pat', [], `g${i}`)).id);
      const first = await list('pat', '?limit=2');
      expect(first.items.map((c) => c.id)).toEqual(ids.slice(0, 2));
      expect(first.nextCursor).toEqual(expect.any(String));

      // Activity on a conversation not yet seen: it jumps above the cursor.
      await chat.post(ids[4] as string, 'pat', 'bump');
      const second = await list('pat', `?limit=2&cursor=${first.nextCursor}`);
      expect(second).toMatchObject({
        items: ids.slice(2, 4).map((id) => ({ id })),
        nextCursor: null,
      });

      const fresh = await list('pat', '?limit=10');
      expect(fresh.items.map((c) => c.id)).toEqual([ids[4], ...ids.slice(0, 4)]);
    });

    it.each([
      'cursor=garbage!',
      `cursor=${Buffer.from('x').toString('base64url')}`,
      'limit=0',
      'limit=101',
      'page=1',
    ])('rejects a bad query: %s', async (query) => {
      const response = await http().get(`/conversations?${query}`).set(chat.as('pat')).expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
    });

    it('asks for a token', async () => {
      await http().get('/conversations').expect(401);
    });
  });
});
