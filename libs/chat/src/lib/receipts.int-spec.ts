import { Chat } from '@switchboard/contracts';
import { ChatHarness } from './testing/chat-test-harness';

describe('read receipts and unread counts (real Postgres + nats-server)', () => {
  const chat = new ChatHarness();
  const http = () => chat.http();

  beforeAll(() => chat.start());
  afterAll(() => chat.stop());

  const read = (conversationId: string, user: string, messageId: string) =>
    http().post(`/conversations/${conversationId}/read`).set(chat.as(user)).send({ messageId });
  const receipts = async (conversationId: string, user: string) =>
    (await http().get(`/conversations/${conversationId}/receipts`).set(chat.as(user)).expect(200))
      .body.items as { userId: string; lastReadMessageId: string | null; readAt: string | null }[];

  it('moves my receipt to a message, tells the members and returns what is still unread', async () => {
    const group = await chat.group('alice', ['bob', 'carol']);
    const m1 = await chat.post(group.id, 'alice', 'one');
    const m2 = await chat.post(group.id, 'alice', 'two');
    await chat.post(group.id, 'alice', 'three');

    const response = await read(group.id, 'bob', m2.id).expect(200);
    expect(response.body).toEqual({
      receipt: { userId: 'bob', lastReadMessageId: m2.id, readAt: expect.any(String) },
      unreadCount: 1,
    });
    const [event] = await chat.waitForEvents(
      Chat.ReceiptUpdated,
      (e) => e.conversationId === group.id,
    );
    expect(event).toEqual({
      conversationId: group.id,
      userId: 'bob',
      lastReadMessageId: m2.id,
      readAt: response.body.receipt.readAt,
      memberIds: ['alice', 'bob', 'carol'],
    });

    // Older: accepted, nothing moves, nothing is announced.
    const older = await read(group.id, 'bob', m1.id).expect(200);
    expect(older.body).toEqual(response.body);
    await chat.settle();
    expect(chat.published(Chat.ReceiptUpdated, (e) => e.conversationId === group.id)).toHaveLength(
      1,
    );

    expect(await receipts(group.id, 'carol')).toEqual([
      { userId: 'alice', lastReadMessageId: null, readAt: null },
      { userId: 'bob', lastReadMessageId: m2.id, readAt: response.body.receipt.readAt },
      { userId: 'carol', lastReadMessageId: null, readAt: null },
    ]);
  });

  it('counts only messages by others that are still there, in the list and on read', async () => {
    const group = await chat.group('alice', ['bob']);
    const first = await chat.post(group.id, 'alice', 'hi bob');
    await chat.post(group.id, 'bob', 'my own');
    const gone = await chat.post(group.id, 'alice', 'deleted later');
    await chat.post(group.id, 'alice', 'still here');
    await chat.rpc(Chat.PostMessage.subject, {
      conversationId: group.id,
      sender: { kind: 'bot', id: 'echo-bot' },
      text: 'a bot counts too',
    });
    await http()
      .delete(`/conversations/${group.id}/messages/${gone.id}`)
      .set(chat.as('alice'))
      .expect(204);

    const unreadInList = async () => {
      const list = await http().get('/conversations').set(chat.as('bob')).expect(200);
      return list.body.items.find((c: { id: string }) => c.id === group.id)?.unreadCount;
    };
    expect(await unreadInList()).toBe(4 - 1); // hi bob, still here, the bot; not mine, not deleted
    expect((await read(group.id, 'bob', first.id).expect(200)).body.unreadCount).toBe(2);
    expect(await unreadInList()).toBe(2);
    // Reading up to a deleted message is fine: it keeps its place.
    expect((await read(group.id, 'bob', gone.id).expect(200)).body.unreadCount).toBe(2);
  });

  it('refuses messages of other conversations, unknown ones, outsiders and bad bodies', async () => {
    const group = await chat.group('alice', ['bob']);
    const other = await chat.group('alice', []);
    const elsewhere = await chat.post(other.id, 'alice', 'elsewhere');
    const misplaced = await read(group.id, 'bob', elsewhere.id).expect(404);
    expect(misplaced.body.code).toBe('CHAT.MESSAGE_NOT_FOUND');
    await read(group.id, 'bob', '0190a0f0-0000-7000-8000-000000000000').expect(404);
    const message = await chat.post(group.id, 'alice', 'hi');
    expect((await read(group.id, 'mallory', message.id).expect(403)).body.code).toBe(
      'CHAT.NOT_A_MEMBER',
    );
    const bad = await read(group.id, 'bob', 'nope').expect(400);
    expect(bad.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path: 'messageId' }] });
    await http().get(`/conversations/${group.id}/receipts`).set(chat.as('mallory')).expect(403);
    await http().get(`/conversations/${group.id}/receipts`).expect(401);
    await http()
      .post(`/conversations/${group.id}/read`)
      .send({ messageId: message.id })
      .expect(401);
  });
});
