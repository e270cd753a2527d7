import { Chat } from '@switchboard/contracts';
import { ChatHarness } from './testing/chat-test-harness';

describe('RPC handlers (real Postgres + nats-server)', () => {
  const chat = new ChatHarness();
  const unknownId = '0190a0f0-0000-7000-8000-000000000000';

  beforeAll(() => chat.start());
  afterAll(() => chat.stop());

  describe(Chat.CheckMembership.subject, () => {
    it('answers member with role, non-member, and unknown conversation', async () => {
      const group = await chat.group('alice', ['bob']);
      expect(
        await chat.rpc(Chat.CheckMembership.subject, { conversationId: group.id, userId: 'alice' }),
      ).toEqual({ ok: true, member: true, role: 'admin', conversationExists: true });
      expect(
        await chat.rpc(Chat.CheckMembership.subject, { conversationId: group.id, userId: 'bob' }),
      ).toEqual({ ok: true, member: true, role: 'member', conversationExists: true });
      expect(
        await chat.rpc(Chat.CheckMembership.subject, { conversationId: group.id, userId: 'zed' }),
      ).toEqual({ ok: true, member: false, role: null, conversationExists: true });
      expect(
        await chat.rpc(Chat.CheckMembership.subject, { conversationId: unknownId, userId: 'zed' }),
      ).toEqual({ ok: true, member: false, role: null, conversationExists: false });
    });

    it('refuses a request that breaks the contract', async () => {
      expect(
        await chat.rpc(Chat.CheckMembership.subject, { conversationId: 'x', userId: 'a' }),
      ).toMatchObject({ ok: false, code: 'INVALID_ARGUMENT' });
    });
  });

  describe(Chat.ListContacts.subject, () => {
    it('lists everyone sharing a conversation with the user, once, sorted, without the user', async () => {
      await chat.group('quinn', ['zoe', 'kim']);
      await chat.group('kim', ['quinn', 'dana']);
      await chat
        .http()
        .post('/conversations')
        .set(chat.as('eve'))
        .send({ kind: 'direct', userId: 'quinn' })
        .expect(201);
      const left = await chat.group('fay', ['quinn']);
      await chat.http().post(`/conversations/${left.id}/leave`).set(chat.as('quinn')).expect(204);

      expect(await chat.rpc(Chat.ListContacts.subject, { userId: 'quinn' })).toEqual({
        ok: true,
        userIds: ['dana', 'eve', 'kim', 'zoe'],
      });
      expect(await chat.rpc(Chat.ListContacts.subject, { userId: 'nobody-here' })).toEqual({
        ok: true,
        userIds: [],
      });
    });
  });

  describe(Chat.GetConversation.subject, () => {
    it('returns the conversation with members and roles to a platform caller', async () => {
      const group = await chat.group('alice', ['bob']);
      expect(await chat.rpc(Chat.GetConversation.subject, { conversationId: group.id })).toEqual({
        ok: true,
        conversation: group,
      });
    });

    it('answers CHAT.CONVERSATION_NOT_FOUND for an unknown id', async () => {
      expect(
        await chat.rpc(Chat.GetConversation.subject, { conversationId: unknownId }),
      ).toMatchObject({ ok: false, code: 'CHAT.CONVERSATION_NOT_FOUND', retriable: false });
    });
  });

  describe(Chat.MessageStats.subject, () => {
    it('counts messages per person, most active first, without deleted, bot or system messages', async () => {
      const group = await chat.group('alice', ['bob', 'carol']);
      await chat.post(group.id, 'bob', 'b1');
      await chat.post(group.id, 'alice', 'a1');
      await chat.post(group.id, 'bob', 'b2');
      await chat.post(group.id, 'carol', 'c1');
      const deleted = await chat.post(group.id, 'carol', 'c2');
      await chat
        .http()
        .delete(`/conversations/${group.id}/messages/${deleted.id}`)
        .set(chat.as('carol'))
        .expect(204);
      for (const kind of ['bot', 'system']) {
        await chat.rpc(Chat.PostMessage.subject, {
          conversationId: group.id,
          sender: { kind, id: 'alice' },
          text: 'not a person',
        });
      }

      expect(await chat.rpc(Chat.MessageStats.subject, { conversationId: group.id })).toEqual({
        ok: true,
        conversationId: group.id,
        total: 4,
        perUser: [
          { userId: 'bob', count: 2 },
          { userId: 'alice', count: 1 },
          { userId: 'carol', count: 1 },
        ],
      });

      const since = new Date().toISOString();
      await chat.post(group.id, 'carol', 'c3');
      expect(
        await chat.rpc(Chat.MessageStats.subject, { conversationId: group.id, since }),
      ).toEqual({
        ok: true,
        conversationId: group.id,
        total: 1,
        perUser: [{ userId: 'carol', count: 1 }],
      });
    });

    it('answers CHAT.CONVERSATION_NOT_FOUND for an unknown id', async () => {
      expect(
        await chat.rpc(Chat.MessageStats.subject, { conversationId: unknownId }),
      ).toMatchObject({ ok: false, code: 'CHAT.CONVERSATION_NOT_FOUND' });
    });
  });

  describe(Chat.PostMessage.subject, () => {
    it('posts as the system, announcing the message to the members', async () => {
      const group = await chat.group('alice', ['bob']);
      const reply = await chat.rpc(Chat.PostMessage.subject, {
        conversationId: group.id,
        sender: { kind: 'system', id: 'calls' },
        text: 'Missed call',
      });
      expect(reply).toMatchObject({
        ok: true,
        message: { sender: { kind: 'system', id: 'calls' }, text: 'Missed call' },
      });
      const message = reply['message'] as Chat.MessageView;
      const [event] = await chat.waitForEvents(
        Chat.MessageCreated,
        (e) => e.message.id === message.id,
      );
      expect(event).toEqual({ message, memberIds: ['alice', 'bob'] });
    });

    it('answers CHAT.CONVERSATION_NOT_FOUND to a bot posting into an unknown conversation', async () => {
      expect(
        await chat.rpc(Chat.PostMessage.subject, {
          conversationId: unknownId,
          sender: { kind: 'bot', id: 'echo-bot' },
          text: 'hello?',
        }),
      ).toMatchObject({ ok: false, code: 'CHAT.CONVERSATION_NOT_FOUND' });
    });
  });
});
