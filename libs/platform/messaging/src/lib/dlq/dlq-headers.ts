import { headers as natsHeaders, type JsMsg, type MsgHdrs } from 'nats';
import { EventHeaders } from '../jetstream/event-headers';
import { type DeadLetterEntry } from './dead-letter';

/**
 * What a dead letter carries besides the event: the event's own headers (trace context included;
 * not `Nats-Msg-Id`, JetStream's de-duplication key of the original publish) and the
 * `Switchboard-Dlq-*` headers saying where it failed and why.
 */
export function deadLetterHeaders(
  msg: JsMsg,
  eventId: string,
  consumer: string,
  reason: string,
): MsgHdrs {
  const headers = natsHeaders();
  for (const [key, values] of msg.headers ?? []) {
    if (key !== 'Nats-Msg-Id') for (const value of values) headers.append(key, value);
  }
  headers.set(EventHeaders.EVENT_ID, eventId);
  headers.set(EventHeaders.DLQ_SUBJECT, msg.subject);
  headers.set(EventHeaders.DLQ_STREAM, msg.info.stream);
  headers.set(EventHeaders.DLQ_STREAM_SEQ, String(msg.info.streamSequence));
  headers.set(EventHeaders.DLQ_CONSUMER, consumer);
  headers.set(EventHeaders.DLQ_ATTEMPTS, String(msg.info.redeliveryCount));
  headers.set(EventHeaders.DLQ_ERROR, reason.replace(/[\r\n]+/g, ' ').slice(0, 1_000));
  headers.set(EventHeaders.DLQ_FAILED_AT, new Date().toISOString());
  return headers;
}

/**
 * The headers a replay publishes: the event's own, with its event id, without the dead-letter
 * bookkeeping (not part of the event) and `Nats-*` headers (JetStream's instructions).
 */
export function replayHeaders(stored: MsgHdrs, eventId: string): MsgHdrs {
  const headers = natsHeaders();
  for (const [key, values] of stored) {
    if (/^(switchboard-dlq-|nats-)/i.test(key)) continue;
    for (const value of values) headers.append(key, value);
  }
  headers.set(EventHeaders.EVENT_ID, eventId);
  return headers;
}

export function toEntry(
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

export function headerRecord(headers: MsgHdrs | undefined): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (const [key, values] of headers ?? [])
    record[key] = values.length === 1 ? values[0] : [...values];
  return record;
}
