import { defineEvent, type EventPayload } from '@switchboard/contracts';
import { streamDefinitions } from '@switchboard/platform-messaging';
import { AckPolicy, type ConsumerConfig, DeliverPolicy, nanos, type StreamConfig } from 'nats';
import { hrtime } from 'node:process';
import { z } from 'zod';
import { paddedText } from '../payload';

/**
 * The one event every implementation carries: a JSON body shaped like a chat message (a sequence
 * number, a uuid, a text) plus the time the producer made it; `--payload` sets the body's size. Raw
 * and platform put the same fields on the wire, so the differences measured are the paths, not the
 * payloads.
 *
 * A test-only contract in a domain of its own (`bench`), so its stream is the benchmark's and no
 * real consumer could ever be attached to it.
 */
export const BenchEvent = defineEvent({
  subject: 'evt.bench.item.recorded.v1',
  payload: z
    .object({
      /** Position in the run: warm-up events first, then the measured ones. */
      seq: z.number().int().nonnegative(),
      /** {@link nowUs} when the producer made the event (raw: just before `js.publish`). */
      at: z.number().nonnegative(),
      conversationId: z.string().min(1),
      /** Room for the largest body the suite sends (`--payload 16384`) and some. */
      text: z.string().min(1).max(65_536),
    })
    .strict(),
});

export type BenchEventPayload = EventPayload<typeof BenchEvent>;

/** The stream that captures `evt.bench.>` (what `streamOf` derives from the subject). */
export const BENCH_STREAM = 'BENCH';

/**
 * The benchmark's stream, configured exactly like the platform's domain streams (file storage,
 * limits retention, a 2-minute duplicate window), so raw and platform publish into the same kind of
 * stream. It is deleted and made afresh before every run: each run starts from an empty store.
 */
export function benchStreamConfig(): Partial<StreamConfig> {
  const domain = streamDefinitions().find((definition) => definition.name === 'CHAT');
  if (!domain) throw new Error('the platform no longer defines a CHAT stream to copy');
  return { ...domain, name: BENCH_STREAM, subjects: ['evt.bench.>'] };
}

/** `JetStreamTransport`'s default `maxAckPending`, which is also its pull batch. */
export const MAX_ACK_PENDING = 256;

/**
 * The raw consumer's durable: the same settings `JetStreamTransport` gives its consumers (explicit
 * ack, 30 s ack wait, at most 256 unacknowledged), so both consumers pull the same way and the
 * difference is what happens to each message, not how many the server hands out at once.
 */
export function rawConsumerConfig(durableName: string): Partial<ConsumerConfig> {
  return {
    durable_name: durableName,
    filter_subject: BenchEvent.subject,
    ack_policy: AckPolicy.Explicit,
    ack_wait: nanos(30_000),
    max_ack_pending: MAX_ACK_PENDING,
    max_deliver: -1,
    deliver_policy: DeliverPolicy.All,
  };
}

const CONVERSATION_ID = '01936b9e-7c1a-7d2e-9f3b-5a4c8e2d1f60';
/** The body but its text, as wide as this run's: a 6-digit seq, `at` as many digits as now. */
const ENVELOPE = JSON.stringify({
  seq: 100_000,
  at: nowUs(),
  conversationId: CONVERSATION_ID,
  text: '',
});

export function benchEvent(seq: number, payloadBytes: number): BenchEventPayload {
  return {
    seq,
    at: nowUs(),
    conversationId: CONVERSATION_ID,
    text: paddedText(payloadBytes, ENVELOPE),
  };
}

/**
 * Microseconds on the machine's monotonic clock (`CLOCK_MONOTONIC`, which every process on one
 * Linux host shares): a time taken in the producer process can be subtracted from one taken in the
 * consumer process. Wall-clock time would do too, but can be stepped by NTP mid-run.
 */
export function nowUs(): number {
  return Number(hrtime.bigint() / 1_000n);
}
