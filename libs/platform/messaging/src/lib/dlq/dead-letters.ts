import { isJetStreamApiError, JetStreamApiError } from '../jetstream/api-errors';
import {
  type ConsumerMessages,
  ErrorCode,
  headers as natsHeaders,
  type JetStreamClient,
  type JetStreamManager,
  type JsMsg,
  type MsgHdrs,
  type NatsConnection,
  NatsError,
  type PubAck,
  type StoredMsg,
} from 'nats';
import { EventHeaders } from '../jetstream/event-headers';
import { DLQ_STREAM, DLQ_SUBJECT_PREFIX } from '../jetstream/streams';

/** Which dead letters an operation is about; both unset means all of them. */
export interface DeadLetterFilter {
  /** Durable consumer that gave up, e.g. `bots_evt-chat-message-created-v1`. */
  consumer?: string;
  /** Original event subject; NATS wildcards allowed (`evt.chat.>`). */
  subject?: string;
}

export interface ListDeadLettersOptions extends DeadLetterFilter {
  /** At most this many entries, oldest first. Default {@link DEFAULT_LIST_LIMIT}, at most {@link MAX_LIST_LIMIT}. */
  limit?: number;
  /** Start at this DLQ sequence (inclusive), to page past a previous `list`. Default 1. */
  fromSeq?: number;
}

/** One dead letter as `list` shows it: what failed, where, and why. */
export interface DeadLetterEntry {
  /** Sequence in the `DLQ` stream: the handle for `show`, `replay`. */
  seq: number;
  /** When the DLQ stored it. */
  receivedAt: Date;
  /** Durable consumer that gave up on the event. */
  consumer: string;
  /** The event's original subject, where `replay` publishes it again. */
  subject: string;
  /** Stream and sequence the event had before it failed. */
  stream: string;
  streamSeq: number;
  /** Deliveries spent on it (1 for a payload that broke its contract). */
  attempts: number;
  /** The last error, `Name: message`. */
  error: string;
  /** The event's identity in consumers' inboxes (`Switchboard-Event-Id`). */
  eventId: string;
}

/** A dead letter with everything it carries. */
export interface DeadLetter extends DeadLetterEntry {
  /** Every header as stored; a header sent more than once has all its values. */
  headers: Record<string, string | string[]>;
  /** The payload parsed as JSON, or its text when it is not JSON. */
  payload: unknown;
  payloadFormat: 'json' | 'text';
  /** Payload size in bytes. */
  size: number;
}

export interface ReplayResult {
  /** The DLQ sequence that was replayed (and is now deleted). */
  dlqSeq: number;
  subject: string;
  eventId: string;
  /** Where JetStream stored the replayed event. */
  stream: string;
  seq: number;
  /** True when an earlier replay of this entry was already stored within the duplicate window. */
  duplicate: boolean;
}

export type DeadLetterErrorCode =
  'DLQ.STREAM_MISSING' | 'DLQ.NOT_FOUND' | 'DLQ.NOT_REPLAYABLE' | 'DLQ.NO_STREAM_FOR_SUBJECT';

/** A failure an operator can act on, with a stable code. */
export class DeadLetterError extends Error {
  override readonly name = 'DeadLetterError';

  constructor(
    readonly code: DeadLetterErrorCode,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
  }
}

export const DEFAULT_LIST_LIMIT = 100;
export const MAX_LIST_LIMIT = 10_000;

/** Silence on the listing's ordered consumer after which the listing ends with what it has. */
const LIST_IDLE_MS = 5_000;
const PULL_BATCH = 500;

/**
 * Inspects and replays the dead letters of the `DLQ` stream, which the JetStream transport fills
 * with events that failed `maxDeliver` times (or broke their contract): `dlq.<consumer>.<subject>`,
 * the original payload and headers, and `Switchboard-Dlq-*` headers saying what went wrong.
 *
 * Replay publishes to the original subject, so the event reaches **every** consumer of that subject,
 * not only the one that gave up. That is safe because consumers dedupe by
 * (consumer, `Switchboard-Event-Id`) in their inbox and the replay keeps the event id: where the
 * event already succeeded it is acked without a second effect; the consumer that dead-lettered it
 * (its inbox row was rolled back with the failure) handles it again. Fix the cause first: an event
 * that fails again goes back to the DLQ as a new entry.
 *
 * Needs no Nest; give it any connection with JetStream.
 */
export class DeadLetters {
  private jsm?: JetStreamManager;
  private readonly js: JetStreamClient;

  constructor(
    private readonly connection: NatsConnection,
    /** Time-out of each JetStream API call and PubAck. Default 5 s. */
    private readonly timeoutMs = 5_000,
  ) {
    this.js = connection.jetstream({ timeout: timeoutMs });
  }

  /**
   * Entries oldest first, read with a headers-only ordered consumer, so payloads never travel and
   * thousands of entries take one round trip per {@link PULL_BATCH}.
   */
  async list(options: ListDeadLettersOptions = {}): Promise<DeadLetterEntry[]> {
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
    }
    const fromSeq = options.fromSeq ?? 1;
    assertSeq(fromSeq, 'fromSeq');
    const filter = filterSubject(options);
    await this.streamInfo(); // a clear error for a missing stream instead of the consumer's retries

    // No deliver_policy: the default (StartSequence) reads from the start; passing DeliverPolicy.All
    // makes nats.js 2.29 send it with an opt_start_seq, which the server rejects and the client retries.
    const consumer = await this.js.consumers
      .get(DLQ_STREAM, {
        filterSubjects: filter,
        headers_only: true,
        ...(fromSeq > 1 ? { opt_start_seq: fromSeq } : {}),
      })
      .catch((error: unknown) => Promise.reject(translate(error)));
    let messages: ConsumerMessages | undefined;
    try {
      messages = await consumer.consume({
        max_messages: Math.min(limit, PULL_BATCH),
        abort_on_missing_resource: true,
      });
      // Pending at creation says whether there is anything at all; an empty filter would wait forever.
      if ((await consumer.info(true)).num_pending === 0) return [];
      return await collect(messages, limit);
    } catch (error) {
      throw translate(error);
    } finally {
      messages?.stop();
      await consumer.delete().catch(() => undefined);
    }
  }

  /** How many dead letters match, without reading them. */
  async count(filter: DeadLetterFilter = {}): Promise<number> {
    const subject = filterSubject(filter);
    if (subject === `${DLQ_SUBJECT_PREFIX}.>`) return (await this.streamInfo()).state.messages;
    const info = await this.streamInfo(subject);
    return Object.values(info.state.subjects ?? {}).reduce((sum, n) => sum + n, 0);
  }

  /** One dead letter with its headers and payload. @throws DeadLetterError `DLQ.NOT_FOUND` */
  async show(seq: number): Promise<DeadLetter> {
    const stored = await this.get(seq);
    const text = new TextDecoder().decode(stored.data);
    let payload: unknown = text;
    let payloadFormat: DeadLetter['payloadFormat'] = 'text';
    try {
      payload = JSON.parse(text);
      payloadFormat = 'json';
    } catch {
      // not JSON: the text is the most useful thing to show
    }
    return {
      ...toEntry(stored.seq, stored.time, stored.subject, stored.header),
      headers: headerRecord(stored.header),
      payload,
      payloadFormat,
      size: stored.data.length,
    };
  }

  /**
   * Publishes the payload again to its original subject with the same `Switchboard-Event-Id` and the
   * original headers (trace context included), `Nats-Msg-Id` = `replay-<dlq seq>`, waits for the
   * PubAck and then deletes the entry. A crash between the two leaves the entry; replaying it again
   * within the stream's duplicate window is stored once, and after it the inbox still stops a second
   * effect. See the class comment for who receives a replay.
   *
   * @throws DeadLetterError `DLQ.NOT_FOUND` (never existed, already replayed or purged),
   *   `DLQ.NOT_REPLAYABLE` (no event id), `DLQ.NO_STREAM_FOR_SUBJECT`.
   */
  async replay(seq: number): Promise<ReplayResult> {
    const stored = await this.get(seq);
    const entry = toEntry(stored.seq, stored.time, stored.subject, stored.header);
    if (!entry.eventId) {
      throw new DeadLetterError(
        'DLQ.NOT_REPLAYABLE',
        `DLQ entry ${seq} has no ${EventHeaders.EVENT_ID} header; replaying it would give consumers a new event identity`,
      );
    }
    if (!entry.subject) {
      throw new DeadLetterError(
        'DLQ.NOT_REPLAYABLE',
        `DLQ entry ${seq} does not say its original subject`,
      );
    }
    const headers = natsHeaders();
    for (const [key, values] of stored.header) {
      // Dead-letter bookkeeping is not part of the event; Nats-* headers are JetStream's instructions.
      if (/^(switchboard-dlq-|nats-)/i.test(key)) continue;
      for (const value of values) headers.append(key, value);
    }
    headers.set(EventHeaders.EVENT_ID, entry.eventId);
    let ack: PubAck;
    try {
      ack = await this.js.publish(entry.subject, stored.data, {
        headers,
        msgID: `replay-${seq}`,
        timeout: this.timeoutMs,
      });
    } catch (error) {
      if (error instanceof NatsError && error.code === ErrorCode.NoResponders) {
        throw new DeadLetterError(
          'DLQ.NO_STREAM_FOR_SUBJECT',
          `No JetStream stream captures ${entry.subject}; DLQ entry ${seq} was kept`,
          { cause: error },
        );
      }
      throw translate(error);
    }
    try {
      await (await this.manager()).streams.deleteMessage(DLQ_STREAM, seq, false);
    } catch (error) {
      // A concurrent replay of the same entry deleted it first; the event is stored once either way.
      if (!isJetStreamApiError(error, JetStreamApiError.NoMessageFound)) throw translate(error);
    }
    return {
      dlqSeq: seq,
      subject: entry.subject,
      eventId: entry.eventId,
      stream: ack.stream,
      seq: ack.seq,
      duplicate: ack.duplicate,
    };
  }

  /** Removes every dead letter, or those of one consumer / subject; returns how many went. */
  async purge(filter: DeadLetterFilter = {}): Promise<number> {
    const subject = filterSubject(filter);
    const jsm = await this.manager();
    try {
      const response =
        subject === `${DLQ_SUBJECT_PREFIX}.>`
          ? await jsm.streams.purge(DLQ_STREAM)
          : await jsm.streams.purge(DLQ_STREAM, { filter: subject });
      return response.purged;
    } catch (error) {
      throw translate(error);
    }
  }

  private async get(seq: number): Promise<StoredMsg> {
    assertSeq(seq, 'seq');
    const jsm = await this.manager();
    try {
      return await jsm.streams.getMessage(DLQ_STREAM, { seq });
    } catch (error) {
      if (isJetStreamApiError(error, JetStreamApiError.NoMessageFound)) {
        throw new DeadLetterError(
          'DLQ.NOT_FOUND',
          `No dead letter with sequence ${seq} in stream ${DLQ_STREAM} (never existed, already replayed or purged)`,
          { cause: error },
        );
      }
      throw translate(error);
    }
  }

  private async streamInfo(subjectsFilter?: string) {
    const jsm = await this.manager();
    try {
      return await jsm.streams.info(
        DLQ_STREAM,
        subjectsFilter === undefined ? undefined : { subjects_filter: subjectsFilter },
      );
    } catch (error) {
      throw translate(error);
    }
  }

  private async manager(): Promise<JetStreamManager> {
    this.jsm ??= await this.connection.jetstreamManager({ timeout: this.timeoutMs });
    return this.jsm;
  }
}

/** Reads until `limit` entries or the consumer has nothing pending; a stalled pull ends the listing. */
async function collect(messages: ConsumerMessages, limit: number): Promise<DeadLetterEntry[]> {
  const entries: DeadLetterEntry[] = [];
  const idle = setTimeout(() => messages.stop(), LIST_IDLE_MS);
  try {
    for await (const msg of messages) {
      entries.push(entryOf(msg));
      if (entries.length >= limit || msg.info.pending === 0) break;
      idle.refresh();
    }
  } finally {
    clearTimeout(idle);
  }
  return entries;
}

function entryOf(msg: JsMsg): DeadLetterEntry {
  const receivedAt = new Date(Math.floor(msg.info.timestampNanos / 1_000_000));
  return toEntry(msg.seq, receivedAt, msg.subject, msg.headers);
}

function toEntry(
  seq: number,
  receivedAt: Date,
  dlqSubject: string,
  headers?: MsgHdrs,
): DeadLetterEntry {
  const header = (name: string): string => headers?.get(name) ?? '';
  // `dlq.<consumer>.<subject>`: consumer names hold no dots, so the subject is everything after.
  const [, consumerToken = '', ...subjectTokens] = dlqSubject.split('.');
  return {
    seq,
    receivedAt,
    consumer: header(EventHeaders.DLQ_CONSUMER) || consumerToken,
    subject: header(EventHeaders.DLQ_SUBJECT) || subjectTokens.join('.'),
    stream: header(EventHeaders.DLQ_STREAM),
    streamSeq: Number(header(EventHeaders.DLQ_STREAM_SEQ)) || 0,
    attempts: Number(header(EventHeaders.DLQ_ATTEMPTS)) || 0,
    error: header(EventHeaders.DLQ_ERROR),
    eventId: header(EventHeaders.EVENT_ID),
  };
}

function headerRecord(headers: MsgHdrs | undefined): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const [key, values] of headers ?? [])
    record[key] = values.length === 1 ? values[0] : [...values];
  return record;
}

/** `dlq.<consumer|*>.<subject|>>`, after checking that neither part can escape its place. */
function filterSubject({ consumer, subject }: DeadLetterFilter): string {
  if (consumer !== undefined && !/^[^.\s*>]+$/.test(consumer)) {
    throw new RangeError(
      `"${consumer}" is not a consumer name (one token: no dots, spaces or wildcards)`,
    );
  }
  if (subject !== undefined && !isSubjectFilter(subject)) {
    throw new RangeError(`"${subject}" is not a subject or subject filter`);
  }
  if (consumer === undefined && subject === undefined) return `${DLQ_SUBJECT_PREFIX}.>`;
  return `${DLQ_SUBJECT_PREFIX}.${consumer ?? '*'}.${subject ?? '>'}`;
}

function isSubjectFilter(subject: string): boolean {
  const tokens = subject.split('.');
  return tokens.every(
    (token, index) =>
      token !== '' &&
      !/\s/.test(token) &&
      (token === '>' ? index === tokens.length - 1 : token === '*' || !/[*>]/.test(token)),
  );
}

function assertSeq(seq: number, name: string): void {
  if (!Number.isSafeInteger(seq) || seq < 1) {
    throw new RangeError(`${name} must be a positive integer, got ${seq}`);
  }
}

/** JetStream's "stream not found" (an API error, or the consumers API's own message) → `DLQ.STREAM_MISSING`. */
function translate(error: unknown): unknown {
  const missing =
    isJetStreamApiError(error, JetStreamApiError.StreamNotFound) ||
    (error instanceof Error && error.message === 'stream not found');
  if (!missing) return error;
  return new DeadLetterError(
    'DLQ.STREAM_MISSING',
    `Stream ${DLQ_STREAM} does not exist on this server (services create it when they start)`,
    { cause: error },
  );
}
