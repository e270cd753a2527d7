import { Chat } from '@switchboard/contracts';
import { ChatHarness } from './testing/chat-test-harness';

describe('members and roles (real Postgres + nats-server)', () => {
  const chat = new ChatHarness();
  const http = () => chat.http();

  beforeAll(() => chat.start());
  afterAll(() => chat.stop());

  const add = (conversationId: string, actor: string, userIds: unknown) =>
    http().post(`/conversations/${conversationId}/members`).set(chat.as(actor)).send({ userIds });
  const remove = (conversationId: string, actor: string, userId: string) =>
    http().delete(`/conversations/${conversationId}/members/${userId}`).set(chat.as(actor));
  const leave = (conversationId: string, user: string) =>
    http().post(`/conversations/${conversationId}/leave`).set(chat.as(user));
  const setRole = (conversationId: string, actor: string, userId: string, role: string) =>
    http()
      .patch(`/conversations/${conversationId}/members/${userId}`)
      .set(chat.as(actor))
      .send({ role });
  const roles = async (conversationId: string, viewer: string) =>
    (
      (await http().get(`/conversations/${conversationId}`).set(chat.as(viewer)).expect(200))
        .body as Chat.ConversationView
    ).members.map((m) => [m.userId, m.role]);

  describe('adding', () => {
    it('lets an admin add people, ignoring those already in, and announces each newcomer', async () => {
      const group = await chat.group('alice', ['bob']);
      const response = await add(group.id, 'alice', ['bob', 'carol', 'dave', 'carol']).expect(200);
      expect(response.body.members.map((m: Chat.MemberView) => [m.userId, m.role])).toEqual([
        ['alice', 'admin'],
        ['bob', 'member'],
        ['carol', 'member'],
        ['dave', 'member'],
      ]);
      const events = await chat.waitForEvents(
        Chat.MemberAdded,
        (e) => e.conversationId === group.id,
        2,
      );
      expect(events.map((e) => e.member.userId).sort()).toEqual(['carol', 'dave']);
      for (const event of events) {
        expect(event).toMatchObject({
          addedBy: 'alice',
          member: { role: 'member' },
          memberIds: ['alice', 'bob', 'carol', 'dave'],
        });
      }

      // Adding only people already there changes and announces nothing.
      await add(group.id, 'alice', ['bob']).expect(200);
      await chat.settle();
      expect(chat.published(Chat.MemberAdded, (e) => e.conversationId === group.id)).toHaveLength(
        2,
      );
    });

    it('refuses members who are not admins, outsiders and unknown conversations', async () => {
      const group = await chat.group('alice', ['bob']);
      expect((await add(group.id, 'bob', ['carol']).expect(403)).body.code).toBe(
        'CHAT.NOT_AN_ADMIN',
      );
      expect((await add(group.id, 'mallory', ['mallory']).expect(403)).body.code).toBe(
        'CHAT.NOT_A_MEMBER',
      );
      expect(
        (await add('0190a0f0-0000-7000-8000-000000000000', 'alice', ['bob']).expect(404)).body.code,
      ).toBe('CHAT.CONVERSATION_NOT_FOUND');
      await http()
        .post(`/conversations/${group.id}/members`)
        .send({ userIds: ['x'] })
        .expect(401);
    });

    it.each([[[]], ['bob'], [['not valid!']]])('rejects userIds = %j', async (userIds) => {
      const group = await chat.group('alice', []);
      const response = await add(group.id, 'alice', userIds).expect(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED' });
    });

    it(`stops at ${Chat.GROUP_MEMBERS_MAX} members with 409`, async () => {
      const group = await chat.group(
        'alice',
        Array.from({ length: Chat.GROUP_MEMBERS_MAX - 2 }, (_, i) => `m-${i}`),
      );
      await add(group.id, 'alice', ['one-more']).expect(200);
      const full = await add(group.id, 'alice', ['too-many']).expect(409);
      expect(full.body).toMatchObject({
        code: 'CHAT.TOO_MANY_MEMBERS',
        details: { max: Chat.GROUP_MEMBERS_MAX },
      });
    });

    it('never adds anyone to a direct conversation', async () => {
      const direct = await http()
        .post('/conversations')
        .set(chat.as('alice'))
        .send({ kind: 'direct', userId: 'bob' })
        .expect(201);
      const response = await add(direct.body.id, 'alice', ['carol']).expect(409);
      expect(response.body.code).toBe('CHAT.DIRECT_MEMBERS_FIXED');
      expect((await leave(direct.body.id, 'bob').expect(409)).body.code).toBe(
        'CHAT.DIRECT_MEMBERS_FIXED',
      );
      expect((await remove(direct.body.id, 'alice', 'bob').expect(409)).body.code).toBe(
        'CHAT.DIRECT_MEMBERS_FIXED',
      );
    });
  });

  describe('removing and leaving', () => {
    it('lets an admin remove a member, who then cannot read the conversation', async () => {
      const group = await chat.group('alice', ['bob', 'carol']);
      await remove(group.id, 'alice', 'bob').expect(204);
      expect(await roles(group.id, 'alice')).toEqual([
        ['alice', 'admin'],
        ['carol', 'member'],
      ]);
      const [event] = await chat.waitForEvents(
        Chat.MemberRemoved,
        (e) => e.conversationId === group.id,
      );
      expect(event).toEqual({
        conversationId: group.id,
        userId: 'bob',
        removedBy: 'alice',
        reason: 'removed',
        promotedUserId: null,
        memberIds: ['alice', 'carol'],
      });
      const read = await http()
        .get(`/conversations/${group.id}/messages`)
        .set(chat.as('bob'))
        .expect(403);
      expect(read.body.code).toBe('CHAT.NOT_A_MEMBER');
    });

    it('refuses removals by non-admins and of people who are not members', async () => {
      const group = await chat.group('alice', ['bob', 'carol']);
      expect((await remove(group.id, 'bob', 'carol').expect(403)).body.code).toBe(
        'CHAT.NOT_AN_ADMIN',
      );
      expect((await remove(group.id, 'alice', 'zed').expect(404)).body.code).toBe(
        'CHAT.MEMBER_NOT_FOUND',
      );
      expect((await remove(group.id, 'zed', 'zed').expect(403)).body.code).toBe(
        'CHAT.NOT_A_MEMBER',
      );
      await http().delete(`/conversations/${group.id}/members/bob`).expect(401);
      await remove(group.id, 'alice', 'bad id!').expect(400);
    });

    it('lets anyone leave, by POST /leave or by deleting themselves', async () => {
      const group = await chat.group('alice', ['bob', 'carol']);
      await leave(group.id, 'bob').expect(204);
      await remove(group.id, 'carol', 'carol').expect(204);
      expect(await roles(group.id, 'alice')).toEqual([['alice', 'admin']]);
      const events = await chat.waitForEvents(
        Chat.MemberRemoved,
        (e) => e.conversationId === group.id,
        2,
      );
      expect(events.map((e) => [e.userId, e.removedBy, e.reason])).toEqual([
        ['bob', 'bob', 'left'],
        ['carol', 'carol', 'left'],
      ]);
      expect((await leave(group.id, 'bob').expect(403)).body.code).toBe('CHAT.NOT_A_MEMBER');
    });

    it('makes the longest-standing member admin when the last admin leaves', async () => {
      const group = await chat.group('alice', ['carol']);
      await add(group.id, 'alice', ['bob']).expect(200); // joins after carol
      await leave(group.id, 'alice').expect(204);
      expect(await roles(group.id, 'carol')).toEqual([
        ['carol', 'admin'],
        ['bob', 'member'],
      ]);
      const [event] = await chat.waitForEvents(
        Chat.MemberRemoved,
        (e) => e.conversationId === group.id,
      );
      expect(event).toMatchObject({
        userId: 'alice',
        reason: 'left',
        promotedUserId: 'carol',
        memberIds: ['carol', 'bob'],
      });
      // The new admin can act as one.
      await add(group.id, 'carol', ['dave']).expect(200);
    });

    it('promotes by user id among members who joined together, and only when no admin is left', async () => {
      const group = await chat.group('alice', ['zoe', 'bob', 'kim']);
      await setRole(group.id, 'alice', 'zoe', 'admin').expect(200);
      await remove(group.id, 'zoe', 'alice').expect(204);
      let [event] = await chat.waitForEvents(
        Chat.MemberRemoved,
        (e) => e.conversationId === group.id,
      );
      expect(event?.promotedUserId).toBeNull(); // zoe is still admin

      await leave(group.id, 'zoe').expect(204);
      [, event] = await chat.waitForEvents(
        Chat.MemberRemoved,
        (e) => e.conversationId === group.id,
        2,
      );
      expect(event?.promotedUserId).toBe('bob');
      expect(await roles(group.id, 'bob')).toEqual([
        ['bob', 'admin'],
        ['kim', 'member'],
      ]);
    });

    it('keeps exactly one admin when both admins leave at the same moment', async () => {
      const group = await chat.group('alice', ['bob', 'carol']);
      await setRole(group.id, 'alice', 'bob', 'admin').expect(200);
      await Promise.all([leave(group.id, 'alice').expect(204), leave(group.id, 'bob').expect(204)]);
      expect(await roles(group.id, 'carol')).toEqual([['carol', 'admin']]);
    });
  });

  describe('roles', () => {
    it('lets admins promote and demote, announcing each change', async () => {
      const group = await chat.group('alice', ['bob']);
      const promoted = await setRole(group.id, 'alice', 'bob', 'admin').expect(200);
      expect(promoted.body.members.map((m: Chat.MemberView) => m.role)).toEqual(['admin', 'admin']);
      await setRole(group.id, 'bob', 'alice', 'member').expect(200);
      expect(await roles(group.id, 'alice')).toEqual([
        ['alice', 'member'],
        ['bob', 'admin'],
      ]);
      const events = await chat.waitForEvents(
        Chat.MemberRoleChanged,
        (e) => e.conversationId === group.id,
        2,
      );
      expect(events.map((e) => [e.member.userId, e.member.role, e.changedBy])).toEqual([
        ['bob', 'admin', 'alice'],
        ['alice', 'member', 'bob'],
      ]);
      expect(events[0]?.memberIds).toEqual(['alice', 'bob']);
    });

    it('refuses to demote the last admin, non-admins, unknown members and unknown roles', async () => {
      const group = await chat.group('alice', ['bob']);
      expect((await setRole(group.id, 'alice', 'alice', 'member').expect(409)).body.code).toBe(
        'CHAT.LAST_ADMIN',
      );
      expect((await setRole(group.id, 'bob', 'bob', 'admin').expect(403)).body.code).toBe(
        'CHAT.NOT_AN_ADMIN',
      );
      expect((await setRole(group.id, 'alice', 'zed', 'admin').expect(404)).body.code).toBe(
        'CHAT.MEMBER_NOT_FOUND',
      );
      expect((await setRole(group.id, 'alice', 'bob', 'owner').expect(400)).body.code).toBe(
        'VALIDATION_FAILED',
      );
    });
  });
});
