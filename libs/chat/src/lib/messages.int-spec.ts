import { Chat } from '@switchboard/contracts';
import { ChatHarness } from './testing/chat-test-harness';

describe('editing, deleting and paging messages (real Postgres + nats-server)', () => {
  const chat = new ChatHarness();
  const http = () => chat.http();

  beforeAll(() => chat.start());
  afterAll(() => chat.stop());

  const edit = (conversationId: string, messageId: string, user: string, body: unknown) =>
    http()
      .patch(`/conversations/${conversationId}/messages/${messageId}`)
      .set(chat.as(user))
      .send(body as object);
  const remove = (conversationId: string, messageId: string, user: string) =>
    http().delete(`/conversations/${conversationId}/messages/${messageId}`).set(chat.as(user));
  const page = async (conversationId: string, query: string, user = 'alice') =>
    (
      await http()
        .get(`/conversations/${conversationId}/messages?${query}`)
        .set(chat.as(user))
        .expect(200)
    ).body as { items: Chat.MessageView[]; nextBefore: string | null; nextAfter: string | null };
  const unknownId = '0190a0f0-0000-7000-8000-000000000000';

  describe('editing', () => {
    it('lets the sender change the text; readers see editedAt and an event tells the members', async () => {
      const group = await chat.group('alice', ['bob']);
      const message = await chat.post(group.id, 'alice', 'helo');
      expect(message).toMatchObject({
        editedAt: null,
        deletedAt: null,
        clientMessageId: null,
        ref: null,
      });

      const edited = await edit(group.id, message.id, 'alice', { text: ' hello ' }).expect(200);
      expect(edited.body).toMatchObject({
        id: message.id,
        text: 'hello',
        createdAt: message.createdAt,
        editedAt: expect.any(String),
        deletedAt: null,
      });
      expect((await page(group.id, '', 'bob')).items).toEqual([edited.body]);

      const [event] = await chat.waitForEvents(
        Chat.MessageEdited,
        (e) => e.message.id === message.id,
      );
      expect(event).toEqual({ message: edited.body, memberIds: ['alice', 'bob'] });

      // The same edit again changes nothing and announces nothing.
      const again = await edit(group.id, message.id, 'alice', { text: 'hello' }).expect(200);
      expect(again.body).toEqual(edited.body);
      await chat.settle();
      expect(chat.published(Chat.MessageEdited, (e) => e.message.id === message.id)).toHaveLength(
        1,
      );
    });

    it("refuses someone else's message, a bot's message, a deleted one and unknown ones", async () => {
      const group = await chat.group('alice', ['bob']);
      const message = await chat.post(group.id, 'alice', 'mine');
      const bobs = await edit(group.id, message.id, 'bob', { text: 'hacked' }).expect(403);
      expect(bobs.body.code).toBe('CHAT.NOT_THE_SENDER');

      const bot = await chat.rpc(Chat.PostMessage.subject, {
        conversationId: group.id,
        sender: { kind: 'bot', id: 'alice' },
        text: 'beep',
      });
      const botId = (bot['message'] as Chat.MessageView).id;
      expect((await edit(group.id, botId, 'alice', { text: 'boop' }).expect(403)).body.code).toBe(
        'CHAT.NOT_THE_SENDER',
      );

      await remove(group.id, message.id, 'alice').expect(204);
      expect(
        (await edit(group.id, message.id, 'alice', { text: 'back' }).expect(409)).body.code,
      ).toBe('CHAT.MESSAGE_DELETED');

      expect((await edit(group.id, unknownId, 'alice', { text: 'x' }).expect(404)).body.code).toBe(
        'CHAT.MESSAGE_NOT_FOUND',
      );
      // A message of another conversation is not found in this one.
      const other = await chat.group('alice', []);
      const elsewhere = await chat.post(other.id, 'alice', 'elsewhere');
      await edit(group.id, elsewhere.id, 'alice', { text: 'x' }).expect(404);

      expect(
        (await edit(group.id, message.id, 'mallory', { text: 'x' }).expect(403)).body.code,
      ).toBe('CHAT.NOT_A_MEMBER');
      await http()
        .patch(`/conversations/${group.id}/messages/${message.id}`)
        .send({ text: 'x' })
        .expect(401);
    });

    it.each([
      ['no text', {}, 'text'],
      ['empty text', { text: '  ' }, 'text'],
      ['text over 4 KiB', { text: 'x'.repeat(Chat.MESSAGE_TEXT_MAX_BYTES + 1) }, 'text'],
      ['an unknown field', { text: 'a', extra: 1 }, ''],
    ])('rejects a body with %s, naming the field', async (_label, body, path) => {
      const group = await chat.group('alice', []);
      const message = await chat.post(group.id, 'alice', 'hi');
      const response = await edit(group.id, message.id, 'alice', body).expect(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', details: [{ path }] });
    });

    it('counts text in bytes: 4 KiB of multi-byte characters is too long', async () => {
      const group = await chat.group('alice', []);
      const message = await chat.post(group.id, 'alice', 'hi');
      const euro = '€'; // 3 bytes of UTF-8
      await edit(group.id, message.id, 'alice', { text: euro.repeat(1365) }).expect(200);
      const response = await edit(group.id, message.id, 'alice', {
        text: euro.repeat(1366),
      }).expect(400);
      expect(response.body).toMatchObject({ details: [{ path: 'text' }] });
    });
  });

  describe('deleting', () => {
    it('leaves a tombstone in place, once, however often it is deleted', async () => {
      const group = await chat.group('alice', ['bob']);
      const before = await chat.post(group.id, 'bob', 'before');
      const message = await chat.post(group.id, 'alice', 'regret');
      const after = await chat.post(group.id, 'bob', 'after');

      await remove(group.id, message.id, 'alice').expect(204);
      await remove(group.id, message.id, 'alice').expect(204);

      const items = (await page(group.id, '', 'bob')).items;
      expect(items.map((m) => m.id)).toEqual([after.id, message.id, before.id]);
      expect(items[1]).toMatchObject({ text: '', deletedAt: expect.any(String) });

      const events = await chat.waitForEvents(
        Chat.MessageDeleted,
        (e) => e.message.id === message.id,
      );
      expect(events[0]).toEqual({ message: items[1], memberIds: ['alice', 'bob'] });
      await chat.settle();
      expect(chat.published(Chat.MessageDeleted, (e) => e.message.id === message.id)).toHaveLength(
        1,
      );
    });

    it('announces one deletion when the same delete arrives several times at once', async () => {
      const group = await chat.group('alice', []);
      const message = await chat.post(group.id, 'alice', 'racy');
      const statuses = await Promise.all(
        Array.from({ length: 4 }, async () => (await remove(group.id, message.id, 'alice')).status),
      );
      expect(statuses).toEqual([204, 204, 204, 204]);
      await chat.settle();
      expect(chat.published(Chat.MessageDeleted, (e) => e.message.id === message.id)).toHaveLength(
        1,
      );
    });

    it("refuses other people's messages and unknown ones", async () => {
      const group = await chat.group('alice', ['bob']);
      const message = await chat.post(group.id, 'alice', 'mine');
      expect((await remove(group.id, message.id, 'bob').expect(403)).body.code).toBe(
        'CHAT.NOT_THE_SENDER',
      );
      expect((await remove(group.id, unknownId, 'alice').expect(404)).body.code).toBe(
        'CHAT.MESSAGE_NOT_FOUND',
      );
      await remove(group.id, 'not-an-id', 'alice').expect(400);
    });

    it('returns the tombstone to a send retried with the same clientMessageId', async () => {
      const group = await chat.group('alice', []);
      const send = () =>
        http()
          .post(`/conversations/${group.id}/messages`)
          .set(chat.as('alice'))
          .send({ text: 'once', clientMessageId: 'c-9' });
      const sent = await send().expect(201);
      expect(sent.body.clientMessageId).toBe('c-9');
      await remove(group.id, sent.body.id, 'alice').expect(204);
      const retry = await send().expect(200);
      expect(retry.body).toMatchObject({ id: sent.body.id, text: '', clientMessageId: 'c-9' });
    });
  });

  describe('paging', () => {
    let conversationId: string;
    let ids: string[];
    beforeAll(async () => {
      conversationId = (await chat.group('alice', [])).id;
      ids = [];
      for (const text of ['m1', 'm2', 'm3', 'm4', 'm5']) {
        ids.push((await chat.post(conversationId, 'alice', text)).id);
      }
    });

    it('pages forward from a message with after, oldest first', async () => {
      const first = await page(conversationId, `after=${ids[0]}&limit=2`);
      expect(first.items.map((m) => m.text)).toEqual(['m2', 'm3']);
      expect(first).toMatchObject({ nextAfter: ids[2], nextBefore: null });
      const second = await page(conversationId, `after=${first.nextAfter}&limit=2`);
      expect(second.items.map((m) => m.text)).toEqual(['m4', 'm5']);
      expect(second.nextAfter).toBeNull();
      const caughtUp = await page(conversationId, `after=${ids[4]}`);
      expect(caughtUp).toEqual({ items: [], nextBefore: null, nextAfter: null });
    });

    it('pages backward with before, newest first, as before', async () => {
      const first = await page(conversationId, 'limit=3');
      expect(first.items.map((m) => m.text)).toEqual(['m5', 'm4', 'm3']);
      expect(first).toMatchObject({ nextBefore: ids[2], nextAfter: null });
      const second = await page(conversationId, `before=${first.nextBefore}&limit=3`);
      expect(second.items.map((m) => m.text)).toEqual(['m2', 'm1']);
      expect(second.nextBefore).toBeNull();
    });

    it('refuses before and after together', async () => {
      const response = await http()
        .get(`/conversations/${conversationId}/messages?before=${ids[3]}&after=${ids[0]}`)
        .set(chat.as('alice'))
        .expect(400);
      expect(response.body).toMatchObject({
        code: 'VALIDATION_FAILED',
        details: [{ path: 'after' }],
      });
    });

    it('refuses a malformed after', async () => {
      await http()
        .get(`/conversations/${conversationId}/messages?after=nope`)
        .set(chat.as('alice'))
        .expect(400);
    });
  });
});
