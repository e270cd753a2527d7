import { type Registry } from 'prom-client';
import { type DataSource } from 'typeorm';
import { messagingMetricsOf } from '../metrics/messaging-metrics';
import { OutboxMessageEntity } from '../storage/outbox-message.entity';

/**
 * Reports `domain`'s outbox at each scrape of `registry`: `outbox_backlog_events` (rows not
 * published yet) and `outbox_oldest_event_age_seconds`. A backlog that grows, or an age past a few
 * seconds, means the relay cannot publish (NATS down, a stream refusing), while the domain's
 * writes go on succeeding.
 */
export function watchOutbox(registry: Registry, domain: string, dataSource: DataSource): void {
  const outbox = dataSource.getRepository(OutboxMessageEntity);
  messagingMetricsOf(registry).addOutbox(domain, async () => {
    // Ids are UUIDv7, in creation order: the first by id is the oldest, found by the primary key.
    const [backlog, oldest] = await Promise.all([
      outbox.count(),
      outbox.find({ order: { id: 'ASC' }, take: 1 }),
    ]);
    const createdAt = oldest[0]?.createdAt;
    return {
      backlog,
      oldestAgeSeconds: createdAt ? Math.max(0, (Date.now() - createdAt.getTime()) / 1_000) : 0,
    };
  });
}
