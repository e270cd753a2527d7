import {
  ErrorCode,
  type JetStreamClient,
  type JetStreamManager,
  type NatsConnection,
  NatsError,
  type PubAck,
  type StoredMsg,
} from 'nats';
import { isJetStreamApiError, JetStreamApiError } from '../jetstream/api-errors';
import { EventHeaders } from '../jetstream/event-headers';
import { DLQ_STREAM, DLQ_SUBJECT_PREFIX } from '../jetstream/streams';
import {
  assertSeq,
  DEFAULT_LIST_LIMIT,
  type DeadLetter,
  type DeadLetterEntry,
  DeadLetterError,
  type DeadLetterFilter,
  filterSubject,
  type ListDeadLettersOptions,
  MAX_LIST_LIMIT,
  type ReplayResult,
  translate,
} from './dead-letter';
import { headerRecord, replayHeaders, toEntry } from './dlq-headers';
import { readEntries } from './dlq-reader';

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

  /** Entries oldest first, payloads left on the server (see `readEntries`). */
  async list(options: ListDeadLettersOptions = {}): Promise<DeadLetterEntry[]> {
    const limit = options.limit ?? DEFAULT_LIST_LIMIT;
    if (!Number.isInteger(limit) || limit < 1 || limit > MAX_LIST_LIMIT) {
      throw new RangeError(`limit must be an integer from 1 to ${MAX_LIST_LIMIT}, got ${limit}`);
    }
    const fromSeq = options.fromSeq ?? 1;
    assertSeq(fromSeq, 'fromSeq');
    const filter = filterSubject(options);
    await this.streamInfo(); // a clear error for a missing stream instead of the consumer's retries
    return readEntries(this.js, filter, limit, fromSeq);
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
    const headers = replayHeaders(stored.header, entry.eventId);
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
