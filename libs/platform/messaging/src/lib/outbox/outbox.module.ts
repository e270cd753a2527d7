import { Module } from '@nestjs/common';
import { InboxMessageEntity } from './inbox-message.entity';
import { CreateOutboxAndInbox1764150000100 } from './1764150000100-create-outbox-and-inbox';
import { Outbox } from './outbox';
import { OutboxMessageEntity } from './outbox-message.entity';
import { OutboxRelay } from './outbox.relay';

/** Tables and migrations every service with events carries; the host adds them to its data source. */
export const MESSAGING_ENTITIES = [OutboxMessageEntity, InboxMessageEntity];
export const MESSAGING_MIGRATIONS = [CreateOutboxAndInbox1764150000100];

/**
 * `Outbox` for use cases and the `OutboxRelay` that publishes it. Needs the global `DataSource`
 * (PersistenceModule) and the NATS connection (MessagingModule).
 */
@Module({
  providers: [Outbox, OutboxRelay],
  exports: [Outbox, OutboxRelay],
})
export class OutboxModule {}
