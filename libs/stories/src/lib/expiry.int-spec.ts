import { Stories } from '@switchboard/contracts';
import { setTimeout as sleep } from 'node:timers/promises';
import { StoriesHarness } from './testing/stories-test-harness';

jest.setTimeout(60_000);

const TTL_MS = 2_000;

/**
 * Stories live `STORIES_TTL_SECONDS` (2 s here). They vanish at their due time whatever the job
 * does; the job then marks them and announces each once, across instances and restarts. The suite
 * starts with the job off, to see the first half alone.
 */
describe('story expiry (real Postgres + nats-server)', () => {
  const stories = new StoriesHarness({
    STORIES_TTL_SECONDS: String(TTL_MS / 1000),
    STORIES_EXPIRY_SWEEP_MS: '200',
    STORIES_EXPIRY_JOB_ENABLED: 'false',
  });
  const jobOn = { STORIES_EXPIRY_JOB_ENABLED: 'true' };
  let expiredWithoutJob: Stories.StoryView;

  beforeAll(async () => {
    await stories.start();
    stories.chat.connect('alice', 'bob');
  });
  afterAll(() => stories.stop());

  const expiredEvents = (storyId: string) =>
    stories.published(Stories.StoryExpired, (event) => event.storyId === storyId);

  it('hides a story at its due time even when the job has not run', async () => {
    const story = await stories.post('alice');
    expiredWithoutJob = story;
    await stories.http().get(`/stories/${story.id}`).set(stories.as('bob')).expect(200);
    const before = await stories.http().get('/feed').set(stories.as('bob')).expect(200);
    expect(before.body.items).toHaveLength(1);

    await sleep(Date.parse(story.expiresAt) - Date.now() + 50);
    await stories.http().get(`/stories/${story.id}`).set(stories.as('bob')).expect(404);
    await stories.http().get(`/stories/${story.id}`).set(stories.as('alice')).expect(404);
    const after = await stories.http().get('/feed').set(stories.as('bob')).expect(200);
    expect(after.body.items).toEqual([]);
    const mine = await stories.http().get('/me/stories').set(stories.as('alice')).expect(200);
    expect(mine.body.items).toEqual([]);
    await stories.http().post(`/stories/${story.id}/views`).set(stories.as('bob')).expect(404);
    await stories
      .http()
      .post(`/stories/${story.id}/replies`)
      .set(stories.as('bob'))
      .send({ text: 'too late' })
      .expect(404);
    expect(await stories.rpc(Stories.ActiveCount.subject, { userIds: ['alice'] })).toEqual({
      ok: true,
      total: 0,
      perUser: [],
    });
    // Deleting an expired story changes nothing: its end is the job's to announce, as `expired`.
    await stories.http().delete(`/stories/${story.id}`).set(stories.as('alice')).expect(204);

    await stories.settle();
    expect(expiredEvents(story.id)).toEqual([]);
  });

  it('announces each expiry once, with two instances running the job', async () => {
    await stories.stopApp();
    await stories.restart(jobOn);
    const second = await stories.startApp(jobOn);

    // Came due while no instance ran the job.
    const [late] = await stories.waitForEvents(
      Stories.StoryExpired,
      (event) => event.storyId === expiredWithoutJob.id,
    );
    expect(late).toEqual({
      storyId: expiredWithoutJob.id,
      authorId: 'alice',
      reason: 'expired',
      expiredAt: expiredWithoutJob.expiresAt,
    });

    const posted = await Promise.all([stories.post('alice'), stories.post('bob')]);
    for (const story of posted) {
      await stories.waitForEvents(Stories.StoryExpired, (event) => event.storyId === story.id);
      expect(Date.now()).toBeLessThan(Date.parse(story.expiresAt) + 5_000);
    }
    await sleep(500);
    await stories.settle();
    for (const story of [expiredWithoutJob, ...posted]) {
      expect(expiredEvents(story.id)).toEqual([
        {
          storyId: story.id,
          authorId: story.authorId,
          reason: 'expired',
          expiredAt: story.expiresAt,
        },
      ]);
    }
    await stories.stopApp(second);
  });

  it('announces a story that expired while stories was down after it restarts', async () => {
    const story = await stories.post('bob');
    await stories.stopApp();
    await sleep(Date.parse(story.expiresAt) - Date.now() + 500);
    expect(expiredEvents(story.id)).toEqual([]);

    await stories.restart(jobOn);
    await stories.waitForEvents(Stories.StoryExpired, (event) => event.storyId === story.id);
    await stories.settle();
    expect(expiredEvents(story.id)).toEqual([
      { storyId: story.id, authorId: 'bob', reason: 'expired', expiredAt: story.expiresAt },
    ]);
  });
});
