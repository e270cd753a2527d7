import { setTimeout as sleep } from 'node:timers/promises';
import { StoriesHarness } from './testing/stories-test-harness';

jest.setTimeout(30_000);

interface FeedBody {
  items: { authorId: string; stories: { id: string; viewed: boolean }[]; hasUnseen: boolean }[];
  contactsStale: boolean;
}

/**
 * GET /feed: stories of the caller's contacts, visibility, order, the contacts cache and what
 * happens while chat is unreachable. Contacts are cached for 1 s here so staleness is quick to
 * reach; each test uses its own viewer, whose contacts no earlier test cached (posting a story
 * caches its author's contacts too: it announces the story to them).
 */
describe('GET /feed (real Postgres + nats-server)', () => {
  const CACHE_MS = 1_000;
  const stories = new StoriesHarness({ STORIES_CONTACTS_CACHE_SECONDS: String(CACHE_MS / 1000) });

  beforeAll(() => stories.start());
  afterAll(() => stories.stop());

  const feed = async (user: string, status = 200): Promise<FeedBody> => {
    const response = await stories.http().get('/feed').set(stories.as(user)).expect(status);
    return response.body as FeedBody;
  };
  const view = (user: string, storyId: string) =>
    stories.http().post(`/stories/${storyId}/views`).set(stories.as(user)).expect(204);

  it('shows active stories of my contacts only, grouped by author, oldest first', async () => {
    stories.chat.connect('alice', 'bob');
    stories.chat.connect('alice', 'carol');
    const bob1 = await stories.post('bob');
    const carol1 = await stories.post('carol');
    const bob2 = await stories.post('bob');
    await stories.post('mallory');
    await stories.post('alice');

    const body = await feed('alice');
    expect(body.contactsStale).toBe(false);
    expect(body.items).toEqual([
      {
        authorId: 'bob',
        stories: [
          { ...bob1, viewed: false },
          { ...bob2, viewed: false },
        ],
        hasUnseen: true,
      },
      { authorId: 'carol', stories: [{ ...carol1, viewed: false }], hasUnseen: true },
    ]);
  });

  it('puts groups with unseen stories first, then the most recent story first', async () => {
    stories.chat.connect('dave', 'eve');
    stories.chat.connect('dave', 'fay');
    stories.chat.connect('dave', 'gus');
    const eve1 = await stories.post('eve');
    const fay1 = await stories.post('fay');
    const gus1 = await stories.post('gus');
    const eve2 = await stories.post('eve');
    // Seen everything of eve (the most recent author) and gus.
    await view('dave', eve1.id);
    await view('dave', eve2.id);
    await view('dave', gus1.id);

    const body = await feed('dave');
    expect(body.items.map((group) => [group.authorId, group.hasUnseen])).toEqual([
      ['fay', true],
      ['eve', false],
      ['gus', false],
    ]);
    expect(body.items[1]?.stories.map((story) => [story.id, story.viewed])).toEqual([
      [eve1.id, true],
      [eve2.id, true],
    ]);
    expect(body.items[0]?.stories[0]?.id).toBe(fay1.id);

    // A partly seen group counts as unseen, and a new story moves its author up.
    const gus2 = await stories.post('gus');
    const after = await feed('dave');
    expect(after.items.map((group) => [group.authorId, group.hasUnseen])).toEqual([
      ['gus', true],
      ['fay', true],
      ['eve', false],
    ]);
    expect(after.items[0]?.stories.map((story) => [story.id, story.viewed])).toEqual([
      [gus1.id, true],
      [gus2.id, false],
    ]);
  });

  it('shows close-friends stories to contacts on the author’s list only', async () => {
    stories.chat.connect('kim', 'lisa');
    stories.chat.connect('kim', 'mo');
    const open = await stories.post('lisa', 'for everyone');
    const close = await stories.post('lisa', 'for close friends', 'close-friends');
    await stories.http().put('/me/close-friends/kim').set(stories.as('lisa')).expect(204);
    // mallory is on mo's list but shares no conversation with mo.
    await stories.http().put('/me/close-friends/mallory').set(stories.as('mo')).expect(204);
    // mo and lisa share a conversation (before mo posts: posting caches mo's contacts).
    stories.chat.connect('mo', 'lisa');
    await stories.post('mo', 'mo close', 'close-friends');

    const kim = await feed('kim');
    expect(kim.items).toEqual([
      {
        authorId: 'lisa',
        stories: [
          { ...open, viewed: false },
          { ...close, viewed: false },
        ],
        hasUnseen: true,
      },
    ]);
    const mo = await feed('mo');
    expect(mo.items).toEqual([
      { authorId: 'lisa', stories: [{ ...open, viewed: false }], hasUnseen: true },
    ]);
    expect(await feed('mallory')).toEqual({ items: [], contactsStale: false });
  });

  it('reuses my contacts for the cache time, then asks chat again', async () => {
    stories.chat.connect('pat', 'quinn');
    const quinn = await stories.post('quinn');
    const asked = () => stories.chat.requests.filter((user) => user === 'pat').length;

    expect((await feed('pat')).items.map((group) => group.authorId)).toEqual(['quinn']);
    stories.chat.connect('pat', 'zoe');
    await stories.post('zoe');
    expect((await feed('pat')).items.map((group) => group.authorId)).toEqual(['quinn']);
    expect(asked()).toBe(1);

    await sleep(CACHE_MS + 100);
    const body = await feed('pat');
    expect(body.items.map((group) => group.authorId).sort()).toEqual(['quinn', 'zoe']);
    expect(asked()).toBe(2);
    expect(body.items.find((group) => group.authorId === 'quinn')?.stories[0]?.id).toBe(quinn.id);
  });

  describe('while chat is unreachable', () => {
    afterEach(() => stories.chat.start());

    it('serves the last contacts, however old, flagged stale; 503 quickly for users never loaded', async () => {
      stories.chat.connect('zed', 'bob');
      await feed('zed');
      await stories.chat.stop();
      await sleep(CACHE_MS + 100);

      const stale = await feed('zed');
      expect(stale.contactsStale).toBe(true);
      expect(stale.items.map((group) => group.authorId)).toEqual(['bob']);
      // Access checks use the stale copy as well.
      const bobStory = stale.items[0]?.stories[0]?.id;
      await stories.http().get(`/stories/${bobStory}`).set(stories.as('zed')).expect(200);

      const started = Date.now();
      const response = await stories.http().get('/feed').set(stories.as('nobody-here')).expect(503);
      expect(Date.now() - started).toBeLessThan(2_000);
      expect(response.body).toMatchObject({
        code: 'STORIES.CONTACTS_UNAVAILABLE',
        retriable: true,
      });

      await stories.chat.start();
      expect((await feed('zed')).contactsStale).toBe(false);
    });

    it('does not hang when chat takes requests but never answers', async () => {
      await stories.chat.blackHole();
      const started = Date.now();
      // nobody-here's contacts were never loaded (eve's were, when eve posted).
      const response = await stories.http().get('/feed').set(stories.as('nobody-here')).expect(503);
      expect(Date.now() - started).toBeLessThan(2_500);
      expect(response.body.code).toBe('STORIES.CONTACTS_UNAVAILABLE');
    });
  });
});
