import { Stories } from '@switchboard/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoriesHarness } from './testing/stories-test-harness';

jest.setTimeout(30_000);

/**
 * `evt.stories.story.posted.v1`: who a new story is announced to, and posting while chat is
 * unreachable. Contacts are cached for 1 s here so staleness is quick to reach.
 */
describe('StoryPosted (real Postgres + nats-server)', () => {
  const CACHE_MS = 1_000;
  const stories = new StoriesHarness({ STORIES_CONTACTS_CACHE_SECONDS: String(CACHE_MS / 1000) });

  beforeAll(() => stories.start());
  afterAll(() => stories.stop());

  const postedEvent = async (story: Stories.StoryView) => {
    const [event] = await stories.waitForEvents(
      Stories.StoryPosted,
      (payload) => payload.story.id === story.id,
    );
    return event;
  };
  const canSee = async (user: string, storyId: string) => {
    const response = await stories.http().get(`/stories/${storyId}`).set(stories.as(user));
    return response.status === 200;
  };

  it("announces a contacts story to the author's contacts, who are exactly who may see it", async () => {
    stories.chat.connect('alice', 'bob', 'carol');
    stories.chat.connect('alice', 'dave');
    stories.chat.connect('mallory', 'bob');
    const story = await stories.post('alice', 'hello');

    expect(await postedEvent(story)).toEqual({ story, audienceIds: ['bob', 'carol', 'dave'] });
    for (const user of ['bob', 'carol', 'dave']) expect(await canSee(user, story.id)).toBe(true);
    expect(await canSee('mallory', story.id)).toBe(false);
    await stories.settle();
    expect(stories.published(Stories.StoryPosted, (e) => e.story.id === story.id)).toHaveLength(1);
  });

  it('announces a close-friends story only to close friends who are also contacts', async () => {
    stories.chat.connect('kim', 'lisa', 'mo');
    // zed is on kim's list but shares no conversation with kim.
    for (const friend of ['lisa', 'zed']) {
      await stories.http().put(`/me/close-friends/${friend}`).set(stories.as('kim')).expect(204);
    }
    const close = await stories.post('kim', 'for close friends', 'close-friends');
    const open = await stories.post('kim', 'for everyone', 'contacts');

    expect(await postedEvent(close)).toEqual({ story: close, audienceIds: ['lisa'] });
    expect((await postedEvent(open)).audienceIds).toEqual(['lisa', 'mo']);
    expect(await canSee('lisa', close.id)).toBe(true);
    for (const user of ['mo', 'zed']) expect(await canSee(user, close.id)).toBe(false);
  });

  describe('while chat is unreachable', () => {
    afterEach(() => stories.chat.start());

    it("still posts, announced to the author's last cached contacts", async () => {
      stories.chat.connect('pat', 'quinn');
      await stories.post('pat');
      // A contact chat knows of now, which stories has not heard of yet.
      stories.chat.connect('pat', 'zoe');
      await stories.chat.stop();
      await sleep(CACHE_MS + 100);

      const story = await stories.post('pat', 'posted while chat is down');
      expect(await postedEvent(story)).toEqual({ story, audienceIds: ['quinn'] });
    });

    it('still posts, announced to nobody, when the author’s contacts were never loaded', async () => {
      stories.chat.connect('eve', 'fay');
      await stories.chat.blackHole();
      const started = Date.now();
      const story = await stories.post('eve', 'chat is not answering');
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(await postedEvent(story)).toEqual({ story, audienceIds: [] });

      // Not announced, but visible as usual once contacts can be checked again.
      await stories.chat.start();
      expect(await canSee('fay', story.id)).toBe(true);
    });
  });
});
