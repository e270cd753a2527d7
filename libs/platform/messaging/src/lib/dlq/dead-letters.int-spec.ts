import { startNatsServer, type TestNatsServer } from '@switchboard/platform-testing';
import {
  connect,
  headers as natsHeaders,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  StringCodec,
} from 'nats';
import { EventHeaders } from '../jetstream/event-headers';
import { DLQ_STREAM, ensureStreams } from '../jetstream/streams';
import { DeadLetterError } from './dead-letter';
import { DeadLetters } from './dead-letters';

const CREATED = 'evt.chat.message.created.v1';
const STORY_REPLIED = 'evt.stories.story.replied.v1';
const BOTS = 'bots_evt-chat-message-created-v1';
const STORIES = 'stories_evt-chat-message-created-v1';
const CHAT_REPLIES = 'chat_evt-stories-story-replied-v1';
const TRACEPARENT = '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01';

describe('DeadLetters (real nats-server with JetStream)', () => {
  let server: TestNatsServer;
  let nats: NatsConnection;
  let js: JetStreamClient;
  let jsm: JetStreamManager;
  let deadLetters: DeadLetters;
  const sc = StringCodec();

  beforeAll(async () => {
    server = await startNatsServer();
    nats = await connect({ servers: server.url });
    js = nats.jetstream();
    jsm = await nats.jetstreamManager();
    await ensureStreams(jsm);
    deadLetters = new DeadLetters(nats);
  }, 30_000);

  afterAll(async () => {
    await nats?.close();
    await server?.stop();
  });

  beforeEach(async () => {
    await jsm.streams.purge(DLQ_STREAM);
  });

  interface Failure {
    consumer: string;
    subject?: string;
    payload?: unknown;
    eventId: string;
    attempts?: number;
    error?: string;
    rawPayload?: string;
  }

  /**
   * What the transport does: the event is in its domain stream, a consumer gives up, and the
   * original payload goes to `dlq.<consumer>.<subject>` with the original headers and the DLQ ones.
   */
  async function deadLetter(
    failure: Failure,
  ): Promise<{ dlqSeq: number; streamSeq: number; stream: string }> {
    const subject = failure.subject ?? CREATED;
    const data = sc.encode(failure.rawPayload ?? JSON.stringify(failure.payload ?? { text: 'hi' }));
    const original = natsHeaders();
    original.set(EventHeaders.EVENT_ID, failure.eventId);
    original.set('traceparent', TRACEPARENT);
    const published = await js.publish(subject, data, {
      headers: original,
      msgID: failure.eventId,
    });

    const headers = natsHeaders();
    headers.set('traceparent', TRACEPARENT);
    headers.set(EventHeaders.EVENT_ID, failure.eventId);
    headers.set(EventHeaders.DLQ_SUBJECT, subject);
    headers.set(EventHeaders.DLQ_STREAM, published.stream);
    headers.set(EventHeaders.DLQ_STREAM_SEQ, String(published.seq));
    headers.set(EventHeaders.DLQ_CONSUMER, failure.consumer);
    headers.set(EventHeaders.DLQ_ATTEMPTS, String(failure.attempts ?? 5));
    headers.set(EventHeaders.DLQ_ERROR, failure.error ?? 'Error: handler failed');
    headers.set(EventHeaders.DLQ_FAILED_AT, new Date().toISOString());
    const dead = await js.publish(`dlq.${failure.consumer}.${subject}`, data, {
      headers,
      msgID: `dlq-${failure.consumer}-${published.seq}`,
    });
    return { dlqSeq: dead.seq, streamSeq: published.seq, stream: published.stream };
  }

  const failureOf = (promise: Promise<unknown>) =>
    promise.then(
      () => {
        throw new Error('expected a failure');
      },
      (error: unknown) => error as DeadLetterError,
    );

  describe('list', () => {
    it('shows each dead letter with what failed, where and why, oldest first', async () => {
      const before = Date.now();
      const first = await deadLetter({
        consumer: BOTS,
        eventId: 'event-1',
        attempts: 5,
        error: 'Error: bot crashed',
      });
      const second = await deadLetter({
        consumer: CHAT_REPLIES,
        subject: STORY_REPLIED,
        eventId: 'event-2',
        attempts: 1,
        error: 'PoisonMessage: INVALID_PAYLOAD: ...',
      });

      const entries = await deadLetters.list();

      expect(entries).toEqual([
        {
          seq: first.dlqSeq,
          receivedAt: expect.any(Date),
          consumer: BOTS,
          subject: CREATED,
          stream: 'CHAT',
          streamSeq: first.streamSeq,
          attempts: 5,
          error: 'Error: bot crashed',
          eventId: 'event-1',
        },
        {
          seq: second.dlqSeq,
          receivedAt: expect.any(Date),
          consumer: CHAT_REPLIES,
          subject: STORY_REPLIED,
          stream: 'STORIES',
          streamSeq: second.streamSeq,
          attempts: 1,
          error: 'PoisonMessage: INVALID_PAYLOAD: ...',
          eventId: 'event-2',
        },
      ]);
      expect(entries[0].receivedAt.getTime()).toBeGreaterThanOrEqual(before - 1_000);
      expect(entries[0].receivedAt.getTime()).toBeLessThanOrEqual(Date.now() + 1_000);
    });

    it('filters by consumer and by original subject, and pages with limit and fromSeq', async () => {
      await deadLetter({ consumer: BOTS, eventId: 'a' });
      await deadLetter({ consumer: STORIES, eventId: 'b' });
      await deadLetter({ consumer: BOTS, eventId: 'c' });
      await deadLetter({ consumer: CHAT_REPLIES, subject: STORY_REPLIED, eventId: 'd' });

      const ids = (entries: { eventId: string }[]) => entries.map((entry) => entry.eventId);
      expect(ids(await deadLetters.list({ consumer: BOTS }))).toEqual(['a', 'c']);
      expect(ids(await deadLetters.list({ subject: CREATED }))).toEqual(['a', 'b', 'c']);
      expect(ids(await deadLetters.list({ subject: 'evt.stories.>' }))).toEqual(['d']);
      expect(ids(await deadLetters.list({ consumer: STORIES, subject: CREATED }))).toEqual(['b']);
      expect(await deadLetters.list({ consumer: 'nobody' })).toEqual([]);

      const firstTwo = await deadLetters.list({ limit: 2 });
      expect(ids(firstTwo)).toEqual(['a', 'b']);
      expect(ids(await deadLetters.list({ limit: 2, fromSeq: firstTwo[1].seq + 1 }))).toEqual([
        'c',
        'd',
      ]);
      expect(await deadLetters.count({ consumer: BOTS })).toBe(2);
      expect(await deadLetters.count()).toBe(4);
    });

    it('answers at once for an empty DLQ', async () => {
      const started = Date.now();
      expect(await deadLetters.list()).toEqual([]);
      expect(await deadLetters.count()).toBe(0);
      expect(Date.now() - started).toBeLessThan(1_000);
    });

    it('lists thousands of dead letters quickly, without reading their payloads', async () => {
      const big = 'x'.repeat(4_000);
      const headers = natsHeaders();
      headers.set(EventHeaders.DLQ_CONSUMER, BOTS);
      headers.set(EventHeaders.DLQ_SUBJECT, CREATED);
      const total = 3_000;
      for (let start = 0; start < total; start += 500) {
        await Promise.all(
          Array.from({ length: Math.min(500, total - start) }, (_, i) => {
            const h = natsHeaders();
            for (const [key, values] of headers) h.set(key, values[0]);
            h.set(EventHeaders.EVENT_ID, `bulk-${start + i}`);
            return js.publish(`dlq.${BOTS}.${CREATED}`, sc.encode(JSON.stringify({ big })), {
              headers: h,
            });
          }),
        );
      }

      const started = Date.now();
      const all = await deadLetters.list({ limit: 5_000 });
      const elapsed = Date.now() - started;

      expect(all).toHaveLength(total);
      expect(all[0].eventId).toBe('bulk-0');
      expect(new Set(all.map((entry) => entry.eventId)).size).toBe(total);
      expect(elapsed).toBeLessThan(3_000);
      expect(await deadLetters.list({ limit: 10 })).toHaveLength(10);
      expect(await deadLetters.count({ consumer: BOTS })).toBe(total);
      // Each listing's ordered consumer is deleted again, not left to expire.
      expect(await jsm.consumers.list(DLQ_STREAM).next()).toEqual([]);
    }, 30_000);

    it('rejects a filter that could escape its place in the DLQ subject', async () => {
      await expect(deadLetters.list({ consumer: 'bots.evil' })).rejects.toThrow(RangeError);
      await expect(deadLetters.list({ subject: 'evt..chat' })).rejects.toThrow(RangeError);
      await expect(deadLetters.list({ limit: 0 })).rejects.toThrow(RangeError);
    });
  });

  describe('show', () => {
    it('returns the entry with every header and the payload parsed as JSON', async () => {
      const { dlqSeq } = await deadLetter({
        consumer: BOTS,
        eventId: 'event-s',
        payload: { text: '/echo hi', n: 1 },
      });

      const shown = await deadLetters.show(dlqSeq);

      expect(shown).toMatchObject({
        seq: dlqSeq,
        consumer: BOTS,
        subject: CREATED,
        eventId: 'event-s',
      });
      expect(shown.payloadFormat).toBe('json');
      expect(shown.payload).toEqual({ text: '/echo hi', n: 1 });
      expect(shown.headers).toMatchObject({
        traceparent: TRACEPARENT,
        [EventHeaders.EVENT_ID]: 'event-s',
        [EventHeaders.DLQ_CONSUMER]: BOTS,
        [EventHeaders.DLQ_ATTEMPTS]: '5',
      });
      expect(shown.headers[EventHeaders.DLQ_FAILED_AT]).toEqual(expect.any(String));
      expect(shown.size).toBe(JSON.stringify({ text: '/echo hi', n: 1 }).length);
    });

    it('shows a payload that is not JSON as text', async () => {
      const { dlqSeq } = await deadLetter({
        consumer: BOTS,
        eventId: 'event-t',
        rawPayload: 'not {json',
      });
      const shown = await deadLetters.show(dlqSeq);
      expect(shown.payloadFormat).toBe('text');
      expect(shown.payload).toBe('not {json');
    });

    it('says clearly when there is no such dead letter', async () => {
      const error = await failureOf(deadLetters.show(987_654));
      expect(error).toBeInstanceOf(DeadLetterError);
      expect(error.code).toBe('DLQ.NOT_FOUND');
      expect(error.message).toContain('987654');
    });
  });

  describe('replay', () => {
    it('publishes the event again to its original subject with the same event id, then deletes the entry', async () => {
      const payload = { text: '/echo again' };
      const { dlqSeq, streamSeq } = await deadLetter({
        consumer: BOTS,
        eventId: 'event-r',
        payload,
      });

      const result = await deadLetters.replay(dlqSeq);

      expect(result).toEqual({
        dlqSeq,
        subject: CREATED,
        eventId: 'event-r',
        stream: 'CHAT',
        seq: expect.any(Number),
        duplicate: false,
      });
      expect(result.seq).toBeGreaterThan(streamSeq);
      const replayed = await jsm.streams.getMessage('CHAT', { seq: result.seq });
      expect(replayed.subject).toBe(CREATED);
      expect(JSON.parse(sc.decode(replayed.data))).toEqual(payload);
      expect(replayed.header.get(EventHeaders.EVENT_ID)).toBe('event-r');
      expect(replayed.header.get('Nats-Msg-Id')).toBe(`replay-${dlqSeq}`);
      expect(replayed.header.get('traceparent')).toBe(TRACEPARENT);
      expect(replayed.header.has(EventHeaders.DLQ_ERROR)).toBe(false);
      expect(replayed.header.has(EventHeaders.DLQ_CONSUMER)).toBe(false);

      expect(await deadLetters.list()).toEqual([]);
      const again = await failureOf(deadLetters.replay(dlqSeq));
      expect(again).toBeInstanceOf(DeadLetterError);
      expect(again.code).toBe('DLQ.NOT_FOUND');
      expect(again.message).toContain(`sequence ${dlqSeq}`);
    });

    it('stores the event once when an interrupted replay is run again within the duplicate window', async () => {
      const { dlqSeq } = await deadLetter({ consumer: BOTS, eventId: 'event-crash' });
      const stored = await jsm.streams.getMessage(DLQ_STREAM, { seq: dlqSeq });
      // The first replay's publish got through, then the process died before deleting the entry.
      const first = await js.publish(CREATED, stored.data, { msgID: `replay-${dlqSeq}` });
      const messagesBefore = (await jsm.streams.info('CHAT')).state.messages;

      const result = await deadLetters.replay(dlqSeq);

      expect(result).toMatchObject({ duplicate: true, stream: 'CHAT', seq: first.seq });
      expect((await jsm.streams.info('CHAT')).state.messages).toBe(messagesBefore);
      expect((await failureOf(deadLetters.show(dlqSeq))).code).toBe('DLQ.NOT_FOUND');
    });

    it('keeps the entry when no stream captures the original subject', async () => {
      const dead = await js.publish(
        'dlq.lost_evt-lost-thing-v1.evt.lost.thing.happened.v1',
        sc.encode('{}'),
        {
          headers: (() => {
            const h = natsHeaders();
            h.set(EventHeaders.EVENT_ID, 'event-lost');
            h.set(EventHeaders.DLQ_SUBJECT, 'evt.lost.thing.happened.v1');
            return h;
          })(),
        },
      );

      const error = await failureOf(deadLetters.replay(dead.seq));

      expect(error.code).toBe('DLQ.NO_STREAM_FOR_SUBJECT');
      expect(error.message).toContain('evt.lost.thing.happened.v1');
      expect((await deadLetters.show(dead.seq)).eventId).toBe('event-lost');
    });
  });

  describe('purge', () => {
    it('removes one consumer’s dead letters, then all, and says how many', async () => {
      await deadLetter({ consumer: BOTS, eventId: 'p1' });
      await deadLetter({ consumer: BOTS, eventId: 'p2' });
      await deadLetter({ consumer: STORIES, eventId: 'p3' });
      await deadLetter({ consumer: CHAT_REPLIES, subject: STORY_REPLIED, eventId: 'p4' });

      expect(await deadLetters.purge({ consumer: BOTS })).toBe(2);
      expect((await deadLetters.list()).map((entry) => entry.eventId)).toEqual(['p3', 'p4']);
      expect(await deadLetters.purge({ consumer: BOTS })).toBe(0);
      expect(await deadLetters.purge()).toBe(2);
      expect(await deadLetters.list()).toEqual([]);
    });
  });

  it('says the DLQ stream is missing instead of waiting for it', async () => {
    await jsm.streams.delete(DLQ_STREAM);
    try {
      const started = Date.now();
      for (const operation of [
        () => deadLetters.list(),
        () => deadLetters.count(),
        () => deadLetters.show(1),
        () => deadLetters.replay(1),
        () => deadLetters.purge(),
      ]) {
        const error = await failureOf(operation());
        expect(error).toBeInstanceOf(DeadLetterError);
        expect(error.code).toBe('DLQ.STREAM_MISSING');
      }
      expect(Date.now() - started).toBeLessThan(2_000);
    } finally {
      await ensureStreams(jsm);
    }
  });
});
