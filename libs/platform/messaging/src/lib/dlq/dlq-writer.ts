import { type JetStreamClient, type JsMsg } from 'nats';
import { DLQ_SUBJECT_PREFIX } from '../jetstream/streams';
import { deadLetterHeaders } from './dlq-headers';

/**
 * Stores a failed event in the `DLQ` stream as `dlq.<consumer>.<subject>`: its payload and headers
 * unchanged, plus where and why it failed (`deadLetterHeaders`). Resolves once JetStream stored it;
 * only then may the consumer terminate the message.
 */
export async function publishDeadLetter(
  js: JetStreamClient,
  msg: JsMsg,
  delivery: { eventId: string; consumer: string; reason: string },
): Promise<void> {
  const { eventId, consumer, reason } = delivery;
  await js.publish(`${DLQ_SUBJECT_PREFIX}.${consumer}.${msg.subject}`, msg.data, {
    headers: deadLetterHeaders(msg, eventId, consumer, reason),
    // Dead-lettering the same delivery twice (a crash before term) stores it once.
    msgID: `dlq-${consumer}-${msg.info.streamSequence}`,
  });
}
