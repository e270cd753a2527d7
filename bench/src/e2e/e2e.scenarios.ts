import { signDevToken } from '@switchboard/platform-auth';
import { TEST_JWT_SECRET } from '@switchboard/platform-testing';
import { SocketFleet } from '../gateway/fleet';
import { type Operation } from '../runner/open-loop.runner';
import { type ScenarioName } from './e2e.options';
import { type FrameWaiter } from './frame.waiter';
import { type GatewayClient } from './gateway.client';

/** How long a preparation step may wait for its frame (a cold consumer, a first RPC). */
const PREPARE_FRAME_TIMEOUT_MS = 30_000;

/** A scenario whose users, conversations and stories exist: ready to be driven. */
export interface PreparedScenario {
  name: ScenarioName;
  /** Bytes of one request's JSON body. */
  payloadBytes: number;
  /**
   * The operation for the run tagged `tag`. Every text it posts is `<tag>.<index>`, unique in the
   * topology's life, so a late frame of an earlier run never completes an operation of this one.
   */
  operation(tag: string): Operation;
}

/** What a scenario is prepared with, per topology. */
export interface ScenarioContext {
  api: GatewayClient;
  waiter: FrameWaiter;
  /** Users and conversations the load is spread over. */
  conversations: number;
  /**
   * The first `SocketFleet` index (the user `SocketFleet.userId(i)`, whose socket is open) this
   * scenario may use; it uses `socketsNeeded` of them.
   */
  firstSocket: number;
}

/** The sockets a scenario holds: the users whose frames it waits for. */
export function socketsNeeded(name: ScenarioName, conversations: number): number {
  return name === 'post' ? 0 : conversations;
}

interface User {
  id: string;
  token: string;
}

async function user(id: string): Promise<User> {
  return { id, token: await signDevToken(id, TEST_JWT_SECRET) };
}

const indexes = (n: number): number[] => Array.from({ length: n }, (_, k) => k);
const body = (text: string): number => Buffer.byteLength(JSON.stringify({ text }));

/**
 * Creates what the scenario needs before any window: `conversations` users with a conversation
 * each, so the load is spread — chat serialises posts per conversation (a row lock) and bots
 * answers per conversation one at a time, so one conversation would measure that lock, not the
 * system. Echo and story-reply also send one request per conversation and wait for its frame:
 * the consumers are warm and the bots installed before the first measured operation.
 */
export async function prepareScenario(
  name: ScenarioName,
  context: ScenarioContext,
): Promise<PreparedScenario> {
  switch (name) {
    case 'post':
      return preparePost(context);
    case 'echo':
      return prepareEcho(context);
    case 'story-reply':
      return prepareStoryReply(context);
  }
}

async function createConversation(
  api: GatewayClient,
  owner: User,
  title: string,
  memberIds: string[] = [],
): Promise<string> {
  return (
    await api.post<{ id: string }>('/api/chat/conversations', owner.token, { title, memberIds })
  ).id;
}

/** Sends what causes the frame `text` and waits for it (preparation: bounded). */
async function sendAndAwaitFrame(
  waiter: FrameWaiter,
  text: string,
  send: () => Promise<unknown>,
): Promise<void> {
  const frame = waiter.expect(text, PREPARE_FRAME_TIMEOUT_MS);
  try {
    await send();
  } catch (error) {
    waiter.cancel(text);
    throw error;
  }
  await frame;
}

/** `post`: a message over HTTP, done at its 201. */
async function preparePost({ api, conversations }: ScenarioContext): Promise<PreparedScenario> {
  const posters = await Promise.all(
    indexes(conversations).map(async (k) => {
      const poster = await user(`bench-poster-${k}`);
      return { ...poster, conversationId: await createConversation(api, poster, `post ${k}`) };
    }),
  );
  return {
    name: 'post',
    payloadBytes: body('r00.000000'),
    operation: (tag) => async (index) => {
      const poster = posters[index % posters.length] as (typeof posters)[number];
      await api.post(`/api/chat/conversations/${poster.conversationId}/messages`, poster.token, {
        text: `${tag}.${index}`,
      });
    },
  };
}

/**
 * `echo`: "/echo <token>" posted over HTTP → chat → event → bots → RPC → chat → event → gateway
 * → the poster's socket, done when echo-bot's message (text `<token>`) arrives there.
 */
async function prepareEcho(context: ScenarioContext): Promise<PreparedScenario> {
  const { api, waiter } = context;
  const posters = await Promise.all(
    indexes(context.conversations).map(async (k) => {
      const poster = await user(SocketFleet.userId(context.firstSocket + k));
      const conversationId = await createConversation(api, poster, `echo ${k}`);
      const path = `/api/chat/conversations/${conversationId}/messages`;
      const probe = `prepare.echo.${k}`;
      await sendAndAwaitFrame(waiter, probe, () =>
        api.post(path, poster.token, { text: `/echo ${probe}` }),
      );
      return { ...poster, path };
    }),
  );
  return {
    name: 'echo',
    payloadBytes: body('/echo r00.000000'),
    operation: (tag) => (index) => {
      const poster = posters[index % posters.length] as (typeof posters)[number];
      const token = `${tag}.${index}`;
      const frame = waiter.expect(token);
      return api.post(poster.path, poster.token, { text: `/echo ${token}` }).then(
        () => frame,
        (error: unknown) => {
          waiter.cancel(token);
          throw error;
        },
      );
    },
  };
}

/**
 * `story-reply`: a reply to a story posted over HTTP to stories → event → chat puts it in the
 * direct conversation of replier and author → event → gateway → the author's socket, done when
 * it arrives there. Only authors hold sockets, so the frame seen is the author's. Each author
 * first shares a conversation with their replier (a story is visible to contacts only), and the
 * first reply, sent here, creates the direct conversation: the window measures replies into an
 * existing one, as most are.
 */
async function prepareStoryReply(context: ScenarioContext): Promise<PreparedScenario> {
  const { api, waiter } = context;
  const pairs = await Promise.all(
    indexes(context.conversations).map(async (k) => {
      const author = await user(SocketFleet.userId(context.firstSocket + k));
      const replier = await user(`bench-replier-${k}`);
      await createConversation(api, author, `stories ${k}`, [replier.id]);
      const story = await api.post<{ id: string }>('/api/stories/stories', author.token, {
        text: `story ${k}`,
      });
      const path = `/api/stories/stories/${story.id}/replies`;
      const probe = `prepare.story.${k}`;
      await sendAndAwaitFrame(waiter, probe, () => api.post(path, replier.token, { text: probe }));
      return { replier, path };
    }),
  );
  return {
    name: 'story-reply',
    payloadBytes: body('r00.000000'),
    operation: (tag) => (index) => {
      const pair = pairs[index % pairs.length] as (typeof pairs)[number];
      const token = `${tag}.${index}`;
      const frame = waiter.expect(token);
      return api.post(pair.path, pair.replier.token, { text: token }).then(
        () => frame,
        (error: unknown) => {
          waiter.cancel(token);
          throw error;
        },
      );
    },
  };
}
