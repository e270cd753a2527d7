import { type ConsumerMessages, type JetStreamClient, type JsMsg } from 'nats';
import { DLQ_STREAM } from '../jetstream/streams';
import { type DeadLetterEntry, translate } from './dead-letter';
import { toEntry } from './dlq-headers';

/** Silence on the listing's ordered consumer after which the listing ends with what it has. */
const LIST_IDLE_MS = 5_000;
const PULL_BATCH = 500;

/**
 * Up to `limit` entries matching `filter` from `fromSeq` on, oldest first, read with a headers-only
 * ordered consumer, so payloads never travel and thousands of entries take one round trip per
 * {@link PULL_BATCH}. The stream must exist (an ordered consumer retries a missing one).
 */
export async function readEntries(
  js: JetStreamClient,
  filter: string,
  limit: number,
  fromSeq: number,
): Promise<DeadLetterEntry[]> {
  // No deliver_policy: the default (StartSequence) reads from the start; passing DeliverPolicy.All
  // makes nats.js 2.29 send it with an opt_start_seq, which the server rejects and the client retries.
  const consumer = await js.consumers
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
