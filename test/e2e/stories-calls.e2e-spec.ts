import { waitFor } from '@switchboard/platform-testing';
import { ApiClient } from './api-client';
import { e2eTopology, hostedTogether, startSystem, type System } from './system';

interface Message {
  id: string;
  text: string;
  sender: { kind: string; id: string };
  ref: { kind: string; id: string } | null;
}

interface Conversation {
  id: string;
  kind: string;
  members: { userId: string }[];
}

interface FeedGroup {
  authorId: string;
  stories: { id: string; text: string | null }[];
}

const RING_TIMEOUT_MS = 1_500;

/**
 * The flows between domains (ARCHITECTURE.md), each domain on its own database, in every topology:
 * stories asks chat for contacts, chat turns story replies and call events into messages, bots
 * asks stories for counts.
 */
describe(`flows across chat, stories, calls and bots (${e2eTopology()})`, () => {
  let system: System;
  let stories: { url: string };
  let calls: { url: string };
  let alice: ApiClient;
  let bob: ApiClient;
  let carol: ApiClient;
  let groupId: string;
  let bobStoryId: string;

  beforeAll(async () => {
    system = await startSystem(['chat', 'stories', 'calls', 'bots'], {
      calls: { CALLS_RING_TIMEOUT_MS: String(RING_TIMEOUT_MS) },
    });
    stories = { url: system.urlOf('stories') };
    calls = { url: system.urlOf('calls') };
    [alice, bob, carol] = await Promise.all(
      ['alice', 'bob', 'carol'].map((user) => ApiClient.as(system.urlOf('chat'), user)),
    );
    groupId = (
      await alice.expect<Conversation>(201, 'POST', '/conversations', {
        kind: 'group',
        title: 'friends',
        memberIds: ['bob', 'carol'],
      })
    ).id;
  }, 90_000);

  afterAll(async () => {
    const codes = await system?.stop();
    expect(codes?.every((code) => code === 0)).toBe(true);
  });

  it('builds the feed from the people I share a conversation with', async () => {
    bobStoryId = (
      await bob.on(stories.url).expect<{ id: string }>(201, 'POST', '/stories', { text: 'sunset' })
    ).id;
    await carol.on(stories.url).expect(201, 'POST', '/stories', { text: 'coffee' });
    // dave shares no conversation with alice: his story must not reach her feed.
    const dave = await ApiClient.as(stories.url, 'dave');
    await dave.expect(201, 'POST', '/stories', { text: 'not for alice' });

    const feed = await alice.on(stories.url).expect<{ items: FeedGroup[] }>(200, 'GET', '/feed');
    expect(feed.items.map((group) => group.authorId).sort()).toEqual(['bob', 'carol']);
    expect(feed.items.find((group) => group.authorId === 'bob')?.stories).toEqual([
      expect.objectContaining({ id: bobStoryId, text: 'sunset' }),
    ]);
  }, 30_000);

  it('answers /stories with the active stories of the conversation members', async () => {
    const command = await alice.say(groupId, '/stories');
    const reply = await alice.replyFrom(groupId, 'stories-bot', command);
    expect(reply.text).toMatch(/\b2\b/);
    expect(reply.text).toContain('bob');
    expect(reply.text).toContain('carol');
  }, 30_000);

  it('posts a story reply into the direct conversation of the two users', async () => {
    await alice
      .on(stories.url)
      .expect(201, 'POST', `/stories/${bobStoryId}/replies`, { text: 'wow, where is that?' });

    let direct: Conversation | undefined;
    let messages: Message[] = [];
    await waitFor(
      async () => {
        const mine = await alice.expect<{ items: Conversation[] }>(200, 'GET', '/conversations');
        direct = mine.items.find((conversation) => conversation.kind === 'direct');
        if (!direct) return false;
        messages = (await alice.messages(direct.id)) as Message[];
        return messages.length > 0;
      },
      { timeoutMs: 10_000, message: 'the reply never reached a direct conversation' },
    );
    expect(direct?.members.map((member) => member.userId).sort()).toEqual(['alice', 'bob']);
    expect(messages).toEqual([
      expect.objectContaining({
        text: 'wow, where is that?',
        sender: { kind: 'user', id: 'alice' },
        ref: { kind: 'story', id: bobStoryId },
      }),
    ]);
  }, 30_000);

  const systemMessage = async (callId: string) => {
    let found: Message | undefined;
    await waitFor(
      async () => {
        found = ((await alice.messages(groupId)) as Message[]).find(
          (message) => message.ref?.kind === 'call' && message.ref.id === callId,
        );
        return found !== undefined;
      },
      { timeoutMs: 10_000, message: `no message about call ${callId}` },
    );
    return found as Message;
  };

  it('turns a call nobody answers into a "Missed call" message', async () => {
    const call = await alice
      .on(calls.url)
      .expect<{ id: string; state: string }>(201, 'POST', '/calls', { conversationId: groupId });
    expect(call.state).toBe('ringing');

    const message = await systemMessage(call.id);
    expect(message).toMatchObject({ text: 'Missed call', sender: { kind: 'system', id: 'calls' } });
    const missed = await alice
      .on(calls.url)
      .expect<{ state: string }>(200, 'GET', `/calls/${call.id}`);
    expect(missed.state).toBe('missed');
  }, 30_000);

  it('turns an answered call into "Call ended · <duration>" when it is hung up', async () => {
    const call = await alice
      .on(calls.url)
      .expect<{ id: string }>(201, 'POST', '/calls', { conversationId: groupId });
    await bob.on(calls.url).expect(200, 'POST', `/calls/${call.id}/accept`);
    await new Promise((resolve) => setTimeout(resolve, 1_100));
    await alice.on(calls.url).expect(200, 'POST', `/calls/${call.id}/hangup`);

    const message = await systemMessage(call.id);
    expect(message.text).toMatch(/^Call ended · \d+s$/);
  }, 30_000);

  // Runs last: it stops chat. Only where stories outlives chat: in one process they stop together.
  if (!hostedTogether('chat', 'stories')) {
    it('serves the feed from cached contacts while chat is down, and 503 without a cache', async () => {
      expect(await system.stopHosting('chat')).toBe(0);

      const started = Date.now();
      const cached = await alice.on(stories.url).request<{ items: FeedGroup[] }>('GET', '/feed');
      expect(cached.status).toBe(200);
      expect(cached.body.items.map((group) => group.authorId).sort()).toEqual(['bob', 'carol']);

      const stranger = await ApiClient.as(stories.url, 'erin');
      const refused = await stranger.request<{ code: string }>('GET', '/feed');
      expect(refused.status).toBe(503);
      expect(refused.body.code).toBe('STORIES.CONTACTS_UNAVAILABLE');
      // Not a benchmark: only that neither request waited for a time-out of its own.
      expect(Date.now() - started).toBeLessThan(5_000);
    }, 30_000);
  }
});
