import { type EntityManager } from 'typeorm';

/**
 * The second argument of every `@EventHandler` method. Write the handler's effects with `manager`:
 * they commit in one transaction with the inbox row, and the message is acked only after that
 * commit, so each event has its effect once even when it is delivered again.
 */
export class EventContext {
  constructor(
    /** The transaction shared with the inbox row. */
    readonly manager: EntityManager,
    /** Stable event id (the outbox row id of the publisher). */
    readonly eventId: string,
    /** 1 on the first delivery, 2 on the first redelivery, … */
    readonly attempt: number,
    readonly subject: string,
    /** The durable consumer delivering it: `<service>_<subject with dashes>`. */
    readonly consumer: string,
  ) {}
}

/**
 * Thrown by an `@EventHandler` when the event can never be handled as it is — retrying cannot help
 * (a webhook answering 4xx, a reference that will never exist). The transport dead-letters it at
 * once, with this message as the error, instead of spending `EVENTS_MAX_DELIVER` attempts on it;
 * `npm run dlq -- replay` sends it again after the cause is fixed. Any other error is retried.
 */
export class UnprocessableEvent extends Error {
  override readonly name = 'UnprocessableEvent';
}
