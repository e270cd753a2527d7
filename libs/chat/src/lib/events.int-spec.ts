import { Calls, Chat, type EventPayload, Stories } from '@switchboard/contracts';
import { DLQ_SUBJECT_PREFIX, EventHeaders, consumerName } from '@switchboard/platform-messaging';
import { uuidv7 } from '@switchboard/platform-persistence';
import { waitFor } from '@switchboard/platform-testing';
import { type Msg } from 'nats';
import { type z } from 'zod';
import { type ConversationSummary } from './http/chat.http-schemas';
import { ChatHarness } from './testing/chat-test-harness';

describe('events chat consumes: story replies and calls (real Postgres + nats-server)', () => {
  const chat = new ChatHarness();
  const deadLetters: Msg[] = [];

  beforeAll(async () => {
    await chat.start();
    chat.nats.subscribe(`${DLQ_SUBJECT_PREFIX}.>`, {
      callback: (_error, msg) => deadLetters.push(msg),
    });
    await chat.nats.flush();
  });
  afterAll(() => chat.stop());

  const messagesOf = async (conversationId: string, user: string) =>
    (
      await chat
        .http()
        .get(`/conversations/${conversationId}/messages`)
        .set(chat.as(user))
        .expect(200)
    ).body.items as Chat.MessageView[];

  const conversationsOf = async (user: string) =>
    (await chat.http().get('/conversations').set(chat.as(user)).expect(200)).body.items as z.infer<
      typeof ConversationSummary
    >[];

  describe(Stories.StoryReplied.subject, () => {
    const reply = (
      replierId: string,
      authorId: string,
      text = 'Love this!',
    ): EventPayload<typeof Stories.StoryReplied> => {
      const now = new Date();
      return {
        replyId: uuidv7(),
        story: {
          id: uuidv7(),
          authorId,
          text: 'Sunset at the beach',
          media: null,
          visibility: 'contacts',
          createdAt: now.toISOString(),
          expiresAt: new Date(now.getTime() + 24 * 3600_000).toISOString(),
        },
        replierId,
        text,
        repliedAt: now.toISOString(),
      };
    };

    it('creates the direct conversation, announces it, and posts the reply from the replier with the story ref — once, however often delivered', async () => {
      const event = reply('carol', 'dave', '  Love this!  ');
      await chat.publish(Stories.StoryReplied, event);
      const [created] = await chat.waitForEvents(
        Chat.MessageCreated,
        (e) => e.message.ref?.id === event.story.id,
      );
      const message = created?.message as Chat.MessageView;
      expect(message).toMatchObject({
        sender: { kind: 'user', id: 'carol' },
        text: 'Love this!',
        clientMessageId: `story-reply:${event.replyId}`,
        ref: { kind: 'story', id: event.story.id },
      });
      expect(created?.memberIds).toEqual(['carol', 'dave']);

      const [announced] = await chat.waitForEvents(
        Chat.ConversationCreated,
        (e) => e.conversation.id === message.conversationId,
      );
      expect(announced?.conversation).toMatchObject({
        kind: 'direct',
        ownerId: 'carol',
        members: [
          { userId: 'carol', role: 'admin' },
          { userId: 'dave', role: 'admin' },
        ],
      });
      // The author sees it in their list like any direct message.
      const [summary] = (await conversationsOf('dave')).filter(
        (c) => c.id === message.conversationId,
      );
      expect(summary).toMatchObject({ kind: 'direct', unreadCount: 1, lastMessage: message });

      // The same reply again (a replay, a publisher retry: a new event id) posts nothing new.
      await chat.publish(Stories.StoryReplied, event);
      await chat.publish(Stories.StoryReplied, event);
      await chat.drained(Stories.StoryReplied);
      await chat.settle();
      expect(await messagesOf(message.conversationId, 'dave')).toEqual([message]);
      expect(chat.published(Chat.MessageCreated, (e) => e.message.id === message.id)).toHaveLength(
        1,
      );
      expect(
        chat.published(
          Chat.ConversationCreated,
          (e) => e.conversation.id === message.conversationId,
        ),
      ).toHaveLength(1);
    });

    it('reuses the direct conversation the two already have', async () => {
      const existing = (
        await chat
          .http()
          .post('/conversations')
          .set(chat.as('eve'))
          .send({ kind: 'direct', userId: 'fay' })
          .expect(201)
      ).body as Chat.ConversationView;
      await chat.post(existing.id, 'eve', 'hi fay');

      const event = reply('fay', 'eve');
      await chat.publish(Stories.StoryReplied, event);
      const [created] = await chat.waitForEvents(
        Chat.MessageCreated,
        (e) => e.message.ref?.id === event.story.id,
      );
      expect(created?.message).toMatchObject({
        conversationId: existing.id,
        sender: { kind: 'user', id: 'fay' },
        ref: { kind: 'story', id: event.story.id },
      });
      expect((await messagesOf(existing.id, 'eve')).map((m) => m.text)).toEqual([
        'Love this!',
        'hi fay',
      ]);
      await chat.settle();
      const directs = chat.published(
        Chat.ConversationCreated,
        (e) =>
          e.conversation.kind === 'direct' &&
          e.conversation.members
            .map((m) => m.userId)
            .sort()
            .join() === 'eve,fay',
      );
      expect(directs).toHaveLength(1);
    });

    it('ignores a reply to one’s own story', async () => {
      const event = reply('gus', 'gus');
      await chat.publish(Stories.StoryReplied, event);
      await chat.drained(Stories.StoryReplied);
      await chat.settle();
      expect(
        chat.published(Chat.MessageCreated, (e) => e.message.ref?.id === event.story.id),
      ).toEqual([]);
      expect(await conversationsOf('gus')).toEqual([]);
    });
  });

  describe('call events', () => {
    const call = (
      conversationId: string,
      overrides: Partial<Calls.CallView>,
    ): EventPayload<typeof Calls.CallEnded> => {
      const started = new Date(Date.now() - 300_000);
      return {
        call: {
          id: uuidv7(),
          conversationId,
          callerId: 'kim',
          inviteeIds: ['lisa'],
          state: 'missed',
          acceptedBy: null,
          createdAt: started.toISOString(),
          ringsUntil: new Date(started.getTime() + 30_000).toISOString(),
          answeredAt: null,
          endedAt: new Date().toISOString(),
          durationSeconds: null,
          ...overrides,
        },
        participantIds: ['kim', 'lisa'],
      };
    };

    it(`posts "Missed call" as the system with the call ref, once however often ${Calls.CallMissed.subject} arrives`, async () => {
      const group = await chat.group('kim', ['lisa']);
      const event = call(group.id, { state: 'missed' });
      await chat.publish(Calls.CallMissed, event);
      const [created] = await chat.waitForEvents(
        Chat.MessageCreated,
        (e) => e.message.ref?.id === event.call.id,
      );
      expect(created).toEqual({
        message: expect.objectContaining({
          conversationId: group.id,
          sender: { kind: 'system', id: 'calls' },
          text: 'Missed call',
          clientMessageId: `call:${event.call.id}`,
          ref: { kind: 'call', id: event.call.id },
        }),
        memberIds: ['kim', 'lisa'],
      });

      await chat.publish(Calls.CallMissed, event);
      await chat.drained(Calls.CallMissed);
      await chat.settle();
      expect(await messagesOf(group.id, 'lisa')).toEqual([created?.message]);
      expect(
        chat.published(Chat.MessageCreated, (e) => e.message.ref?.id === event.call.id),
      ).toHaveLength(1);
    });

    it(`posts "Call ended · 3m 12s" and "Call failed · 42s" on ${Calls.CallEnded.subject}`, async () => {
      const group = await chat.group('kim', ['lisa']);
      const answeredAt = new Date(Date.now() - 200_000).toISOString();
      const ended = call(group.id, {
        state: 'ended',
        acceptedBy: 'lisa',
        answeredAt,
        durationSeconds: 192,
      });
      await chat.publish(Calls.CallEnded, ended);
      await chat.waitForEvents(Chat.MessageCreated, (e) => e.message.ref?.id === ended.call.id);
      const failed = call(group.id, {
        state: 'failed',
        acceptedBy: 'lisa',
        answeredAt,
        durationSeconds: 42,
      });
      await chat.publish(Calls.CallEnded, failed);
      await chat.waitForEvents(Chat.MessageCreated, (e) => e.message.ref?.id === failed.call.id);

      await chat.publish(Calls.CallEnded, ended);
      await chat.drained(Calls.CallEnded);
      expect(
        (await messagesOf(group.id, 'kim')).map((m) => [m.sender.kind, m.text, m.ref?.id]),
      ).toEqual([
        ['system', 'Call failed · 42s', failed.call.id],
        ['system', 'Call ended · 3m 12s', ended.call.id],
      ]);
    });

    it('dead-letters a call in a conversation chat does not have, at once and without a message', async () => {
      const event = call(uuidv7(), { state: 'missed' });
      await chat.publish(Calls.CallMissed, event);
      const subject = `${DLQ_SUBJECT_PREFIX}.${consumerName('chat', Calls.CallMissed.subject)}.${Calls.CallMissed.subject}`;
      const deadLetter = () =>
        deadLetters.find(
          (msg) =>
            msg.subject === subject &&
            (JSON.parse(new TextDecoder().decode(msg.data)) as typeof event).call.id ===
              event.call.id,
        );
      await waitFor(() => deadLetter() !== undefined, { message: 'no dead letter' });
      const dead = deadLetter();
      expect(dead?.headers?.get(EventHeaders.DLQ_ATTEMPTS)).toBe('1');
      expect(dead?.headers?.get(EventHeaders.DLQ_ERROR)).toContain('does not exist');
      expect(
        chat.published(Chat.MessageCreated, (e) => e.message.ref?.id === event.call.id),
      ).toEqual([]);
    });
  });
});
