import { type JetStreamManager } from 'nats';
import { DLQ_STREAM, DLQ_SUBJECT_PREFIX } from '../jetstream/streams';
import { type ConsumerState } from '../metrics/messaging-metrics';
import { type Route } from './event-route';

/** Each route's durable consumer as the server counts it (one JetStream API call per consumer). */
export async function consumerStates(
  jsm: JetStreamManager,
  routes: readonly Route[],
): Promise<ConsumerState[]> {
  return Promise.all(
    routes.map(async (route) => {
      const info = await jsm.consumers.info(route.stream, route.consumer);
      return {
        consumer: route.consumer,
        pending: info.num_pending,
        ackPending: info.num_ack_pending,
      };
    }),
  );
}

/**
 * Dead letters per consumer of these routes, from the DLQ stream's per-subject counts
 * (`dlq.<consumer>.<subject>`): one JetStream API call, payloads untouched. Every route appears,
 * with 0 when it has none, so an alert sees the series before the first dead letter.
 */
export async function deadLettersOf(
  jsm: JetStreamManager,
  routes: readonly Route[],
): Promise<Map<string, number>> {
  const counts = new Map(routes.map((route) => [route.consumer, 0]));
  const info = await jsm.streams.info(DLQ_STREAM, {
    subjects_filter: `${DLQ_SUBJECT_PREFIX}.>`,
  });
  for (const [subject, count] of Object.entries(info.state.subjects ?? {})) {
    const consumer = subject.split('.')[1] ?? '';
    const current = counts.get(consumer);
    if (current !== undefined) counts.set(consumer, current + count);
  }
  return counts;
}
