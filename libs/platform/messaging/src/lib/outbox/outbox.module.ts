import { Module } from '@nestjs/common';
import { Outbox } from './outbox';
import { OutboxRelay } from './outbox.relay';

/**
 * `Outbox` for use cases and the `OutboxRelay` that publishes it. Needs the global `DataSource`
 * (PersistenceModule, with `MESSAGING_ENTITIES` and `MESSAGING_MIGRATIONS`) and the NATS
 * connection (MessagingModule).
 */
@Module({
  providers: [Outbox, OutboxRelay],
  exports: [Outbox, OutboxRelay],
})
export class OutboxModule {}
