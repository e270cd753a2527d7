import { type EntityManager } from 'typeorm';
import { InboxMessageEntity } from '../storage/inbox-message.entity';
import { multiRowValues, queryRows, timestampWriter } from '../storage/messaging-sql';

/** An event a consumer is about to handle. */
export interface InboxEntry {
  eventId: string;
  subject: string;
}

/**
 * Inserts the inbox rows `(consumer, event id)` of `entries` in `manager`'s transaction, in one
 * statement, and returns the ids that were not in the inbox yet — the events to handle. An id
 * already there (a duplicate or redelivery of an event handled before) is skipped without an
 * error, so the rest of the transaction goes on. A row another transaction inserted but has not
 * committed yet makes this statement wait for it: committed, the id is skipped; rolled back, it
 * is inserted here. `entries` must not repeat an id.
 */
export async function recordInInbox(
  manager: EntityManager,
  consumer: string,
  entries: readonly InboxEntry[],
): Promise<Set<string>> {
  const dataSource = manager.connection;
  const processedAt = timestampWriter(dataSource, InboxMessageEntity, 'processedAt')(new Date());
  const { values, parameters } = multiRowValues(
    dataSource,
    entries.map(({ eventId, subject }) => [consumer, eventId, subject, processedAt]),
  );
  const inserted = await queryRows<{ event_id: string }>(
    manager,
    `INSERT INTO inbox (consumer, event_id, subject, processed_at) VALUES ${values} ` +
      'ON CONFLICT (consumer, event_id) DO NOTHING RETURNING event_id',
    parameters,
  );
  return new Set(inserted.map((row) => row.event_id));
}
