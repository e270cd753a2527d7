import { Stories } from '@switchboard/contracts';
import { DataSource } from 'typeorm';
import { CloseFriendEntity } from './entities/close-friend.entity';
import { StoriesHarness } from './testing/stories-test-harness';

jest.setTimeout(30_000);

const UNKNOWN_ID = '0190a0f0-0000-7000-8000-000000000000';
const MEDIA = {
  url: 'https://cdn.example.com/a.jpg',
  mime: 'image/jpeg',
  width: 1080,
  height: 1920,
};

/**
 * The stories HTTP API and RPC against real Postgres and nats-server; chat's contacts come from
 * FakeChatContacts. alice, bob and carol share conversations; mallory shares none with them.
 */
describe('stories service (real Postgres + nats-server)', () => {
  const stories = new StoriesHarness();

  beforeAll(async () => {
    await stories.start();
    stories.chat.connect('alice', 'bob', 'carol');
    stories.chat.connect('kim', 'lisa');
    stories.chat.connect('pat', 'quinn');
  });
  afterAll(() => stories.stop());

  describe('POST /stories', () => {
    it('posts a text story visible to contacts that expires after the TTL', async () => {
      const response = await stories
        .http()
        .post('/stories')
        .set(stories.as('alice'))
        .send({ text: '  hello world  ' })
        .expect(201);
      const story = Stories.StoryView.parse(response.body);
      expect(story).toMatchObject({
        authorId: 'alice',
        text: 'hello world',
        media: null,
        visibility: 'contacts',
      });
      expect(Date.parse(story.expiresAt) - Date.parse(story.createdAt)).toBe(86_400_000);
    });

    it('posts a media story for close friends', async () => {
      const response = await stories
        .http()
        .post('/stories')
        .set(stories.as('alice'))
        .send({ media: MEDIA, visibility: 'close-friends' })
        .expect(201);
      expect(response.body).toMatchObject({
        text: null,
        media: MEDIA,
        visibility: 'close-friends',
      });
    });

    it.each([
      ['neither text nor media', {}],
      ['both text and media', { text: 'hi', media: MEDIA }],
      ['blank text', { text: '   ' }],
      ['text over 1 KiB', { text: 'é'.repeat(513) }],
      ['an http media url', { media: { ...MEDIA, url: 'http://cdn.example.com/a.jpg' } }],
      ['an unknown mime type', { media: { ...MEDIA, mime: 'application/pdf' } }],
      ['a zero width', { media: { ...MEDIA, width: 0 } }],
      ['media without height', { media: { url: MEDIA.url, mime: MEDIA.mime, width: 10 } }],
      ['an unknown visibility', { text: 'hi', visibility: 'public' }],
      ['an unknown field', { text: 'hi', pinned: true }],
    ])('answers 400 VALIDATION_FAILED for %s', async (_case, body) => {
      const response = await stories
        .http()
        .post('/stories')
        .set(stories.as('alice'))
        .send(body)
        .expect(400);
      expect(response.body).toMatchObject({ code: 'VALIDATION_FAILED', retriable: false });
    });

    it('answers 401 without a token', async () => {
      const response = await stories.http().post('/stories').send({ text: 'hi' }).expect(401);
      expect(response.body.code).toBe('AUTH.UNAUTHENTICATED');
    });
  });

  describe('GET /stories/:id', () => {
    it('shows a story to its author and contacts, and 404 to anyone else', async () => {
      const story = await stories.post('bob');
      for (const user of ['bob', 'alice', 'carol']) {
        const response = await stories
          .http()
          .get(`/stories/${story.id}`)
          .set(stories.as(user))
          .expect(200);
        expect(response.body).toEqual(story);
      }
      const hidden = await stories
        .http()
        .get(`/stories/${story.id}`)
        .set(stories.as('mallory'))
        .expect(404);
      expect(hidden.body.code).toBe('STORIES.STORY_NOT_FOUND');
      const unknown = await stories
        .http()
        .get(`/stories/${UNKNOWN_ID}`)
        .set(stories.as('alice'))
        .expect(404);
      // The same answer: an id reveals nothing about a story one may not see.
      expect(unknown.body.code).toBe(hidden.body.code);
    });

    it('shows a close-friends story only to contacts on the author’s list', async () => {
      const story = await stories.post('kim', 'for close friends', 'close-friends');
      await stories.http().get(`/stories/${story.id}`).set(stories.as('lisa')).expect(404);
      await stories.http().put('/me/close-friends/lisa').set(stories.as('kim')).expect(204);
      await stories.http().get(`/stories/${story.id}`).set(stories.as('lisa')).expect(200);
      // On the list but sharing no conversation: still hidden.
      await stories.http().put('/me/close-friends/mallory').set(stories.as('kim')).expect(204);
      await stories.http().get(`/stories/${story.id}`).set(stories.as('mallory')).expect(404);
    });

    it('answers 400 for an id that is not a UUID and 401 without a token', async () => {
      const response = await stories
        .http()
        .get('/stories/not-a-uuid')
        .set(stories.as('alice'))
        .expect(400);
      expect(response.body.code).toBe('VALIDATION_FAILED');
      await stories.http().get(`/stories/${UNKNOWN_ID}`).expect(401);
    });
  });

  describe('DELETE /stories/:id', () => {
    it('ends the story early, once, and announces it as deleted', async () => {
      const story = await stories.post('carol');
      await stories.http().delete(`/stories/${story.id}`).set(stories.as('carol')).expect(204);
      await stories.http().delete(`/stories/${story.id}`).set(stories.as('carol')).expect(204);

      const [event] = await stories.waitForEvents(
        Stories.StoryExpired,
        (payload) => payload.storyId === story.id,
      );
      expect(event).toEqual({
        storyId: story.id,
        authorId: 'carol',
        reason: 'deleted',
        expiredAt: expect.any(String),
      });
      await stories.http().get(`/stories/${story.id}`).set(stories.as('carol')).expect(404);
      await stories.http().get(`/stories/${story.id}`).set(stories.as('alice')).expect(404);
      const mine = await stories.http().get('/me/stories').set(stories.as('carol')).expect(200);
      expect(mine.body.items.map((item: { id: string }) => item.id)).not.toContain(story.id);

      await stories.settle();
      expect(stories.published(Stories.StoryExpired, (p) => p.storyId === story.id)).toHaveLength(
        1,
      );
    });

    it('answers 403 to a viewer who is not the author, 404 to a stranger and for unknown ids', async () => {
      const story = await stories.post('alice');
      const notMine = await stories
        .http()
        .delete(`/stories/${story.id}`)
        .set(stories.as('bob'))
        .expect(403);
      expect(notMine.body).toMatchObject({ code: 'STORIES.NOT_THE_AUTHOR', retriable: false });
      const stranger = await stories
        .http()
        .delete(`/stories/${story.id}`)
        .set(stories.as('mallory'))
        .expect(404);
      expect(stranger.body.code).toBe('STORIES.STORY_NOT_FOUND');
      const unknown = await stories
        .http()
        .delete(`/stories/${UNKNOWN_ID}`)
        .set(stories.as('alice'))
        .expect(404);
      expect(unknown.body.code).toBe('STORIES.STORY_NOT_FOUND');
      await stories.http().delete(`/stories/${story.id}`).expect(401);
      await stories.http().get(`/stories/${story.id}`).set(stories.as('bob')).expect(200);
    });
  });

  describe('views', () => {
    it('records a viewer once, keeping the first time, and ignores the author', async () => {
      const story = await stories.post('pat');
      await stories.http().post(`/stories/${story.id}/views`).set(stories.as('quinn')).expect(204);
      const first = await stories
        .http()
        .get(`/stories/${story.id}/views`)
        .set(stories.as('pat'))
        .expect(200);
      expect(first.body).toEqual({
        items: [{ userId: 'quinn', viewedAt: expect.any(String) }],
        total: 1,
      });

      await stories.http().post(`/stories/${story.id}/views`).set(stories.as('quinn')).expect(204);
      await stories.http().post(`/stories/${story.id}/views`).set(stories.as('pat')).expect(204);
      const again = await stories
        .http()
        .get(`/stories/${story.id}/views`)
        .set(stories.as('pat'))
        .expect(200);
      expect(again.body).toEqual(first.body);

      const mine = await stories.http().get('/me/stories').set(stories.as('pat')).expect(200);
      expect(mine.body.items).toEqual([{ ...story, viewCount: 1 }]);
    });

    it('refuses viewers who may not see the story and shows the list to the author only', async () => {
      const story = await stories.post('alice');
      const stranger = await stories
        .http()
        .post(`/stories/${story.id}/views`)
        .set(stories.as('mallory'))
        .expect(404);
      expect(stranger.body.code).toBe('STORIES.STORY_NOT_FOUND');
      const viewer = await stories
        .http()
        .get(`/stories/${story.id}/views`)
        .set(stories.as('bob'))
        .expect(403);
      expect(viewer.body.code).toBe('STORIES.NOT_THE_AUTHOR');
      await stories.http().get(`/stories/${story.id}/views`).set(stories.as('mallory')).expect(404);
      await stories.http().post(`/stories/${UNKNOWN_ID}/views`).set(stories.as('bob')).expect(404);
      await stories.http().post(`/stories/${story.id}/views`).expect(401);
    });
  });

  describe('POST /stories/:id/replies', () => {
    it('stores the reply and announces it for chat with the story as it was', async () => {
      const story = await stories.post('bob', 'guess where I am');
      const response = await stories
        .http()
        .post(`/stories/${story.id}/replies`)
        .set(stories.as('alice'))
        .send({ text: ' the beach? ' })
        .expect(201);
      expect(response.body).toEqual({
        id: expect.any(String),
        storyId: story.id,
        replierId: 'alice',
        text: 'the beach?',
        createdAt: expect.any(String),
      });
      const [event] = await stories.waitForEvents(
        Stories.StoryReplied,
        (payload) => payload.replyId === response.body.id,
      );
      expect(event).toEqual({
        replyId: response.body.id,
        story,
        replierId: 'alice',
        text: 'the beach?',
        repliedAt: response.body.createdAt,
      });
    });

    it('refuses replies to one’s own story, bad texts and people who may not see it', async () => {
      const story = await stories.post('bob');
      const own = await stories
        .http()
        .post(`/stories/${story.id}/replies`)
        .set(stories.as('bob'))
        .send({ text: 'me' })
        .expect(400);
      expect(own.body.code).toBe('STORIES.REPLY_TO_OWN_STORY');
      for (const body of [{}, { text: '  ' }, { text: 'x'.repeat(4097) }, { text: 'a', x: 1 }]) {
        const bad = await stories
          .http()
          .post(`/stories/${story.id}/replies`)
          .set(stories.as('alice'))
          .send(body)
          .expect(400);
        expect(bad.body.code).toBe('VALIDATION_FAILED');
      }
      await stories
        .http()
        .post(`/stories/${story.id}/replies`)
        .set(stories.as('alice'))
        .send({ text: 'x'.repeat(4096) })
        .expect(201);
      const stranger = await stories
        .http()
        .post(`/stories/${story.id}/replies`)
        .set(stories.as('mallory'))
        .send({ text: 'hi' })
        .expect(404);
      expect(stranger.body.code).toBe('STORIES.STORY_NOT_FOUND');
      const hidden = await stories.post('bob', 'close friends only', 'close-friends');
      await stories
        .http()
        .post(`/stories/${hidden.id}/replies`)
        .set(stories.as('carol'))
        .send({ text: 'hi' })
        .expect(404);
      await stories.http().post(`/stories/${story.id}/replies`).send({ text: 'hi' }).expect(401);
    });
  });

  describe('close friends', () => {
    it('adds and removes idempotently and lists sorted', async () => {
      for (const user of ['zoe', 'eve', 'zoe']) {
        await stories.http().put(`/me/close-friends/${user}`).set(stories.as('gus')).expect(204);
      }
      const listed = await stories
        .http()
        .get('/me/close-friends')
        .set(stories.as('gus'))
        .expect(200);
      expect(listed.body).toEqual({ userIds: ['eve', 'zoe'] });
      await stories.http().delete('/me/close-friends/zoe').set(stories.as('gus')).expect(204);
      await stories.http().delete('/me/close-friends/zoe').set(stories.as('gus')).expect(204);
      const after = await stories
        .http()
        .get('/me/close-friends')
        .set(stories.as('gus'))
        .expect(200);
      expect(after.body).toEqual({ userIds: ['eve'] });
    });

    it('refuses oneself, bad ids, unauthenticated callers and a 501st friend', async () => {
      const self = await stories
        .http()
        .put('/me/close-friends/gus')
        .set(stories.as('gus'))
        .expect(400);
      expect(self.body.code).toBe('STORIES.CLOSE_FRIEND_SELF');
      const bad = await stories
        .http()
        .put('/me/close-friends/not%20valid')
        .set(stories.as('gus'))
        .expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      await stories.http().get('/me/close-friends').expect(401);

      await stories.app
        .get(DataSource)
        .getRepository(CloseFriendEntity)
        .insert(
          Array.from({ length: 500 }, (_, i) => ({
            ownerId: 'fay',
            friendId: `friend-${i}`,
            addedAt: new Date(),
          })),
        );
      const full = await stories
        .http()
        .put('/me/close-friends/zed')
        .set(stories.as('fay'))
        .expect(409);
      expect(full.body.code).toBe('STORIES.TOO_MANY_CLOSE_FRIENDS');
      // Already listed: still fine when the list is full.
      await stories.http().put('/me/close-friends/friend-7').set(stories.as('fay')).expect(204);
    });
  });

  describe(Stories.ActiveCount.subject, () => {
    it('counts active contacts-visibility stories per user, most first', async () => {
      await stories.post('dave');
      await stories.post('dave');
      await stories.post('eve');
      await stories.post('eve', 'hidden', 'close-friends');
      const deleted = await stories.post('eve');
      await stories.http().delete(`/stories/${deleted.id}`).set(stories.as('eve')).expect(204);

      expect(
        await stories.rpc(Stories.ActiveCount.subject, { userIds: ['eve', 'dave', 'zed'] }),
      ).toEqual({
        ok: true,
        total: 3,
        perUser: [
          { userId: 'dave', count: 2 },
          { userId: 'eve', count: 1 },
        ],
      });
    });

    it('refuses a request that breaks the contract', async () => {
      expect(await stories.rpc(Stories.ActiveCount.subject, { userIds: [] })).toMatchObject({
        ok: false,
        code: 'INVALID_ARGUMENT',
      });
    });
  });
  describe('OpenAPI document', () => {
    interface Operation {
      responses: Record<string, { description: string; content?: unknown }>;
    }

    it('documents every route with its success and domain error responses', async () => {
      const paths = (await stories.http().get('/docs/openapi.json').expect(200)).body
        .paths as Record<string, Record<string, Operation>>;
      const operations = Object.entries(paths)
        .filter(([path]) => !path.startsWith('/health') && !path.startsWith('/dlq'))
        .flatMap(([path, byMethod]) =>
          Object.entries(byMethod).map(([method, operation]) => ({ path, method, operation })),
        );
      expect(
        operations.map(({ method, path }) => `${method.toUpperCase()} ${path}`).sort(),
      ).toEqual([
        'DELETE /me/close-friends/{userId}',
        'DELETE /stories/{id}',
        'GET /feed',
        'GET /me/close-friends',
        'GET /me/stories',
        'GET /stories/{id}',
        'GET /stories/{id}/views',
        'POST /stories',
        'POST /stories/{id}/replies',
        'POST /stories/{id}/views',
        'PUT /me/close-friends/{userId}',
      ]);
      for (const { path, method, operation } of operations) {
        const successes = Object.entries(operation.responses).filter(([status]) =>
          status.startsWith('2'),
        );
        expect({ path, method, documented: successes.length }).toEqual({
          path,
          method,
          documented: 1,
        });
        for (const [status, response] of successes) {
          expect(response.description).not.toMatch(/not documented/);
          expect(response.content === undefined).toBe(status === '204');
        }
      }
      expect(paths['/stories/{id}']?.['delete']?.responses['403']?.description).toContain(
        'STORIES.NOT_THE_AUTHOR',
      );
      expect(paths['/feed']?.['get']?.responses['503']?.description).toContain(
        'STORIES.CONTACTS_UNAVAILABLE',
      );
    });
  });
});
