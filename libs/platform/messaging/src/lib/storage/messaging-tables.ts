import { CreateOutboxAndInbox1764150000100 } from './1764150000100-create-outbox-and-inbox';
import { InboxMessageEntity } from './inbox-message.entity';
import { OutboxMessageEntity } from './outbox-message.entity';

/** Tables and migrations every service with events carries; the host adds them to its data source. */
export const MESSAGING_ENTITIES = [OutboxMessageEntity, InboxMessageEntity];
export const MESSAGING_MIGRATIONS = [CreateOutboxAndInbox1764150000100];
